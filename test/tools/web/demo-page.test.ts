import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, ringColors, screenshot, startCliProcess, type CliProcess } from '../../support/browser.js';

/** `npm start` (echosim demo) prints the device page's URL; the page shows the demo device hearing "Alexa". */
let demo: CliProcess;
let browser: Browser;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-demo-page-'));
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the page loads from the demo's printed URL, follows the device, and shows no secret", async () => {
  demo = startCliProcess(['demo', '--stay', '--data', dir, '--web', '0']);
  const url = (await demo.waitFor(/watch and drive it in a browser: (http:\/\/\S+)/, 120_000))[1] ?? '';
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => void frames.push(String(f.payload))));
  await page.goto(url);
  // the demo utterance plays in real time: the wake word, the stream to the cloud, back to idle
  await page.waitForSelector('#events li[data-type="detection"]', { timeout: 60_000 });
  expect(await page.locator('#events li[data-type="detection"]').first().textContent()).toMatch(/wake word "alexa"/);
  await page.waitForFunction(() => document.querySelector('#events')?.textContent?.includes('LISTENING → THINKING'), undefined, { timeout: 60_000 });
  expect(await ringColors(page)).toHaveLength(12);
  await screenshot(page, 'demo-device-page');

  const deviceSecret = readFileSync(path.join(dir, 'devices', 'demo-echo-1', 'cloud-secret'), 'utf8').trim();
  const adminToken = readFileSync(path.join(dir, 'cloud', 'admin-token'), 'utf8').trim();
  expect(deviceSecret.length).toBeGreaterThan(20);
  expect(adminToken.length).toBeGreaterThan(20);
  // An idle device with a steady ring and level sends nothing: three volume clicks, each seen on the
  // page before the next, give the socket at least three batches to carry.
  for (let i = 0; i < 3; i++) {
    const volumeBefore = await page.locator('#volume').textContent();
    await page.click('button[data-button="volume-up"]');
    await page.waitForFunction((before) => document.querySelector('#volume')?.textContent !== before, volumeBefore, { timeout: 30_000 });
  }
  const seen = [await page.content(), ...frames].join('\n');
  expect(frames.length).toBeGreaterThan(3); // the snapshot, then batches
  expect(seen).not.toContain(deviceSecret);
  expect(seen).not.toContain(adminToken);
}, 180_000);

import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { allBlue, allRed, launchBrowser, ringColors, screenshot, startCliProcess, type CliProcess } from '../../support/browser.js';

/**
 * The device page in a real browser (Debian's chromium, headless, driven by playwright-core), used as
 * a person would: a WAV chosen in the page, the buttons clicked or pressed from the keyboard, and
 * the browser's own microphone, which Chromium's fake capture feeds from the demo WAV.
 */
const DEMO_WAV = path.join(process.cwd(), 'test', 'fixtures', 'demo', 'alexa-demo.wav');

let device: CliProcess;
let browser: Browser;
let page: Page;
let url: string;
const received: string[] = [];

async function until(what: string, check: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the page shows state ${await page.textContent('#state')}, ring ${(await ringColors(page)).join(' ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const state = (): Promise<string | null> => page.textContent('#state');
const detections = (): Promise<number> => page.locator('#events li[data-type="detection"]').count();

beforeAll(async () => {
  device = startCliProcess(['device', '--offline', '--mic', 'synthetic:silence', '--web', '0', '--leds', 'none', '--buttons', 'none']);
  url = (await device.waitFor(/the device page is at (http:\/\/\S+)/))[1] ?? '';
  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${DEMO_WAV}`]);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // each message of a batch is kept on its own
  page.on('websocket', (ws) =>
    ws.on('framereceived', (f) => {
      if (typeof f.payload !== 'string') return;
      const m = JSON.parse(f.payload) as { type: string; messages?: unknown[] };
      if (m.type === 'batch') received.push(...(m.messages ?? []).map((x) => JSON.stringify(x)));
      else received.push(f.payload);
    }),
  );
  await page.goto(url);
  await until('the idle device', async () => (await state()) === 'IDLE');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await device?.stop();
});

test('the page shows the model, its ring LED by LED and its buttons', async () => {
  expect(await page.textContent('#model-name')).toContain('echo-dot-3');
  expect(await ringColors(page)).toHaveLength(12);
  expect(await page.locator('#buttons button').allTextContents()).toEqual(['Action', 'Microphone off', 'Volume up', 'Volume down']);
  expect(await page.textContent('#mic')).toBe('on');
  // the socket's first message is the snapshot; its level is a number (in whole dB), never audio
  const snapshot = JSON.parse(received[0] ?? '{}') as { level?: unknown };
  expect(snapshot).toMatchObject({ type: 'snapshot', protocol: 2 });
  expect(typeof snapshot.level).toBe('number');
});

test('a WAV played into the page wakes the device: the ring turns to listening', async () => {
  expect(await detections()).toBe(0);
  await page.setInputFiles('#wav-file', DEMO_WAV);
  await until('the listening ring', async () => allBlue(await ringColors(page)) && (await state()) === 'LISTENING');
  await screenshot(page, 'device-listening');
  // what the device hears moves the level: a number, never audio
  await until('a level message', async () => received.some((m) => m.startsWith('{"type":"level"')));
  const level = JSON.parse(received.find((m) => m.startsWith('{"type":"level"')) ?? '{}') as { dbfs: unknown };
  expect(typeof level.dbfs).toBe('number');
  const detection = await page.locator('#events li[data-type="detection"]').first().textContent();
  expect(detection).toMatch(/wake word "alexa", score [01]\.\d\d/);
  await until('idle again', async () => (await state()) === 'IDLE', 30_000);
});

test('clicking mic-off turns the ring red and no detection follows', async () => {
  await page.click('button[data-button="mic-off"]');
  await until('the red ring', async () => allRed(await ringColors(page)) && (await state()) === 'MIC_OFF');
  expect(await page.textContent('#mic')).toMatch(/^off/);
  await until('the level to say the microphones are off', async () => (await page.textContent('#level-text')) === 'microphones off');
  await screenshot(page, 'device-mic-off');
  const before = await detections();
  await page.setInputFiles('#wav-file', DEMO_WAV);
  await until('the WAV to start', async () => /^playing/.test((await page.textContent('#talk-status')) ?? ''));
  await until('the WAV to be sent to its end', async () => /^played/.test((await page.textContent('#talk-status')) ?? ''), 30_000);
  // what was sent is mixed in at real time, ahead of the mic switch: wait until the device has taken all of it
  const sentAt = received.length;
  await until('the queue to drain', async () =>
    received.slice(sentAt).some((m) => m.startsWith('{"type":"level"') && (JSON.parse(m) as { queuedMs: number }).queuedMs === 0),
  );
  expect(await detections()).toBe(before);
  expect(allRed(await ringColors(page))).toBe(true);
  expect(await state()).toBe('MIC_OFF');
});

test('the buttons work from the keyboard: Space on mic-off turns the microphones back on', async () => {
  await page.focus('button[data-button="mic-off"]');
  await page.keyboard.down(' ');
  await page.keyboard.up(' ');
  await until('idle with the microphones on', async () => (await state()) === 'IDLE' && (await page.textContent('#mic')) === 'on');
  await until('the ring to go dark', async () => (await ringColors(page)).every((c) => c === '#000000'));
});

test("the browser's microphone (fake capture of the demo WAV) wakes the device", async () => {
  const before = await detections();
  await page.click('#use-mic');
  await until('the microphone to be on', async () => (await page.getAttribute('#use-mic', 'aria-pressed')) === 'true');
  await until('a detection from the microphone', async () => (await detections()) > before, 60_000);
  await until('the listening ring', async () => allBlue(await ringColors(page)));
  await page.click('#use-mic');
  await screenshot(page, 'device-browser-microphone');
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchBrowser, screenshot, startCliProcess, type CliProcess } from '../../support/browser.js';

/**
 * The cloud page in headless chromium: a cloud with 100 devices (a fleet of 99 in one process and one
 * `echosim device` of its own, so it can be made to vanish), logged in with the admin token as an
 * administrator would, watching one device go offline and applying a profile to a room.
 */
let dir: string;
let cloud: CliProcess;
let fleet: CliProcess | undefined;
let lone: CliProcess | undefined;
let browser: Browser;
let page: Page;
let token: string;
let api: string;
let broker: string;
let web: string;
const received: string[] = [];

async function a4b(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(api, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AlexaForBusiness.${operation}`, Authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${operation}: ${JSON.stringify(body)}`);
  return body;
}

const summary = (): Promise<string | null> => page.textContent('#fleet-summary');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-cloud-page-'));
  cloud = startCliProcess(['cloud', '--data', dir, '--mqtt-port', '0', '--http-port', '0', '--web', '0', '--no-verify', '--events', 'jsonl']);
  const ready = JSON.parse((await cloud.waitFor(/^\{"type":"ready".*$/m))[0]) as { broker: string; api: string; web: string };
  ({ broker, api, web } = ready);
  token = readFileSync(path.join(dir, 'admin-token'), 'utf8').trim();
  const { Secret } = (await a4b('RegisterDevice', { DeviceSerialNumber: 'lone-1', DeviceType: 'echo-dot-3', DeviceName: 'Lone kitchen echo' })) as { Secret: string };
  const secretFile = path.join(dir, 'lone-1.secret');
  writeFileSync(secretFile, `${Secret}\n`, { mode: 0o600 });
  lone = startCliProcess(['device', '--cloud', broker, '--device-id', 'lone-1', '--secret-file', secretFile, '--mic', 'synthetic:silence', '--leds', 'none', '--buttons', 'none']);
  await lone.waitFor(/connected to/);
  fleet = startCliProcess(['fleet', '--devices', '99', '--listening', '1', '--duration', '900', '--workers', '0', '--cloud', broker, '--endpoint-url', api, '--data-dir', dir, '--no-progress']);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => void received.push(String(f.payload))));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.stop();
  await lone?.stop();
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the socket sends nothing before the admin token, and refuses a wrong one', async () => {
  const ws = new WebSocket(web.replace(/^http/, 'ws') + 'ws');
  const messages: string[] = [];
  ws.on('message', (d) => messages.push(String(d)));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'auth', token: 'not-the-token' }));
  const closed = await new Promise<number>((r) => ws.once('close', (code) => r(code)));
  expect(closed).toBe(1008);
  expect(messages.map((m) => (JSON.parse(m) as { type: string; code: string }).code)).toEqual(['WEB_UNAUTHORIZED']);
  const cross = new WebSocket(web.replace(/^http/, 'ws') + 'ws', { headers: { Origin: 'http://evil.example' } });
  await expect(new Promise((resolve, reject) => { cross.once('open', resolve); cross.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`))); })).rejects.toThrow('HTTP 403');
});

test('logged in with the admin token, the fleet page lists the 100 devices, all online', async () => {
  await page.goto(web);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#fleet-summary')?.textContent?.startsWith('100 devices, 100 online'), undefined, { timeout: 90_000 });
  expect(await page.locator('#fleet tbody tr').count()).toBe(100);
  expect(await page.getAttribute('tr[data-device-id="lone-1"]', 'data-connection')).toBe('ONLINE');
  expect(await page.isVisible('#login-view')).toBe(false);
  // the fleet made its room after the page loaded: the rooms list follows
  await page.waitForFunction(() => /fleet-\d+ room/.test(document.querySelector('#rooms')?.textContent ?? ''), undefined, { timeout: 10_000 });
  // rows in view get live ring thumbnails from the devices' reported states
  await page.waitForFunction(() => document.querySelectorAll('#fleet tbody tr:first-child circle.led').length > 0, undefined, { timeout: 10_000 });
  for (let i = 0; i < 50 && !received.some((m) => m.startsWith('{"type":"rings"')); i++) await new Promise((r) => setTimeout(r, 100));
  expect(received.some((m) => m.startsWith('{"type":"rings"'))).toBe(true);
  await screenshot(page, 'cloud-fleet');
}, 120_000);

test('the page updates when a device goes offline', async () => {
  lone?.child.kill('SIGKILL'); // no goodbye: the broker publishes its last will
  await page.waitForFunction(() => document.querySelector('tr[data-device-id="lone-1"]')?.getAttribute('data-connection') === 'OFFLINE', undefined, { timeout: 60_000 });
  expect(await summary()).toMatch(/^100 devices, 99 online/);
  expect(await page.textContent('tr[data-device-id="lone-1"] td.offline')).toBe('offline');
});

test('a profile applied to a room from the page reaches the registry', async () => {
  const { ProfileArn } = (await a4b('CreateProfile', {
    ProfileName: 'Quiet rooms', Timezone: 'Europe/Paris', Address: '1 rue de la Paix', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA', MaxVolumeLimit: 4,
  })) as { ProfileArn: string };
  const { RoomArn } = (await a4b('CreateRoom', { RoomName: 'Library' })) as { RoomArn: string };
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#fleet-summary')?.textContent?.startsWith('100 devices'), undefined, { timeout: 30_000 });
  await page.selectOption('#apply-room', RoomArn);
  await page.selectOption('#apply-profile', ProfileArn);
  await page.click('#apply button[type=submit]');
  await page.waitForFunction(() => /Quiet rooms applied to Library/.test(document.querySelector('#apply-result')?.textContent ?? ''), undefined, { timeout: 10_000 });
  await page.waitForFunction((arn) => document.querySelector(`tr[data-room-arn="${arn}"]`)?.textContent?.includes('Quiet rooms'), RoomArn, { timeout: 10_000 });
  const room = (await a4b('GetRoom', { RoomArn })) as { Room: { ProfileArn?: string } };
  expect(room.Room.ProfileArn).toBe(ProfileArn);
});

test('neither the page nor its socket ever shows the admin token or a device secret', async () => {
  const secret = readFileSync(path.join(dir, 'lone-1.secret'), 'utf8').trim();
  const seen = [await page.content(), ...received].join('\n');
  expect(received.length).toBeGreaterThan(3);
  expect(seen).not.toContain(token);
  expect(seen).not.toContain(secret);
});

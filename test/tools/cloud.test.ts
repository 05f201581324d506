/**
 * `echosim cloud` as a user runs it: it starts on free ports, prints where everything is, accepts a
 * device registered with `echosim a4b`, reports what devices do, and stops cleanly on SIGTERM.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onlinePayload } from '../../cloud-link/protocol/availability.js';
import { rawConnect } from '../support/mosquitto.js';
import { runCli, startCli, type RunningCli } from './run-cli.js';

let dir: string;
let cloud: RunningCli | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-cloud-cli-'));
});
afterEach(async () => {
  await cloud?.stop('SIGKILL');
  cloud = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('runs, registers a device through the API, sees it come online, stops on SIGTERM', async () => {
  cloud = startCli(['cloud', '--data', dir, '--mqtt-port', '0', '--http-port', '0', '--no-verify', '--events', 'jsonl']);
  const ready = await cloud.waitForLine((l) => l.type === 'ready');
  expect(ready.broker).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
  expect(statSync(String(ready.adminTokenFile)).mode & 0o777).toBe(0o600);

  const reg = await runCli(['a4b', 'register-device', '--device-serial-number', 'kitchen-1', '--device-type', 'echo-dot-3', '--device-name', 'Kitchen', '--endpoint-url', String(ready.api), '--data-dir', dir]);
  expect(reg.code).toBe(0);
  const secret = (JSON.parse(reg.stdout) as { Secret: string }).Secret;
  expect(secret.length).toBeGreaterThan(20);

  const device = await rawConnect(String(ready.broker), { clientId: 'kitchen-1', username: 'kitchen-1', password: secret });
  expect(device.connack?.returnCode).toBe(0);
  await device.client.publishAsync('echosim/v1/devices/kitchen-1/availability', onlinePayload(Date.now()), { qos: 1, retain: true });
  const online = await cloud.waitForLine((l) => l.type === 'presence');
  expect(online).toMatchObject({ deviceId: 'kitchen-1', status: 'ONLINE' });
  await device.end(true);

  expect(await cloud.stop('SIGTERM')).toBe(0);
});

test('refuses Mosquitto options without an external broker (usage error, exit 2)', async () => {
  const res = await runCli(['cloud', '--data', dir, '--mosquitto-auth', dir]);
  expect(res.code).toBe(2);
  expect(res.stderr).toContain('CLI_ARGUMENT_INVALID');
  expect(res.stderr).toContain('--broker');
});

test('a busy MQTT port is a clear error', async () => {
  const first = startCli(['cloud', '--data', dir, '--mqtt-port', '0', '--http-port', '0', '--no-verify', '--events', 'jsonl']);
  cloud = first;
  const ready = await first.waitForLine((l) => l.type === 'ready');
  const port = new URL(String(ready.broker)).port;
  const other = mkdtempSync(path.join(tmpdir(), 'echosim-cloud-cli-'));
  const res = await runCli(['cloud', '--data', other, '--mqtt-port', port, '--http-port', '0', '--no-verify']);
  rmSync(other, { recursive: true, force: true });
  expect(res.code).toBe(1);
  expect(res.stderr).toContain('MQTT_BROKER_FAILED');
  expect(res.stderr).toMatch(/another broker|port/i);
});

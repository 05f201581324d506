/**
 * `echosim device --cloud`: the built CLI against an embedded broker that knows the device, with a
 * raw `echosim-cloud` client (the protocol's own shadow functions) holding the desired profile. The
 * device must connect, apply the profile before it hears the first sample, report it, and go offline
 * cleanly; a wrong secret must fail clearly.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MosquittoUser } from '../../cloud-link/broker/mosquitto-config.js';
import { ReportedStateSchema } from '../../cloud-link/protocol/shadow.js';
import { writeWav16 } from '../../hal/mic/wav-writer.js';
import { startTestBroker, type TestBroker } from '../support/mosquitto.js';
import { CLOUD_PASSWORD, ProtocolCloud } from '../cloud-link/device/link/protocol-cloud.js';
import { runCli } from './run-cli.js';

const SECRET = 'cli-device-secret-0123456789';
const USERS: MosquittoUser[] = [
  { username: 'cli-1', password: SECRET, role: 'device' },
  { username: 'cli-2', password: SECRET, role: 'device' },
  { username: 'cli-3', password: SECRET, role: 'device' },
  { username: 'echosim-cloud', password: CLOUD_PASSWORD, role: 'cloud' },
];
const DEMO = 'test/fixtures/demo/alexa-demo.wav';
const WIFI_PASSWORD = 'cli-wifi-password-1';
type Line = Record<string, unknown>;
const ofType = (lines: Line[], type: string): Line[] => lines.filter((l) => l.type === type);

let broker: TestBroker;
let cloud: ProtocolCloud;
let dir: string;

beforeAll(async () => {
  broker = await startTestBroker('embedded', USERS);
  cloud = await ProtocolCloud.connect(broker.url);
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-cli-cloud-'));
});
afterAll(async () => {
  await cloud.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('connects, applies the desired profile before the audio, reports it and goes offline cleanly', async () => {
  await cloud.setDesired('cli-1', {
    roomProfile: {
      ProfileName: 'Huddle',
      Timezone: 'America/Chicago',
      Address: '2 Side Street',
      DistanceUnit: 'IMPERIAL',
      TemperatureUnit: 'FAHRENHEIT',
      WakeWord: 'ALEXA',
      MaxVolumeLimit: 3,
      Earcons: { StartOfRequest: true, EndOfRequest: false },
    },
    networkProfile: { NetworkProfileName: 'Huddle Wi-Fi', Ssid: 'Huddle', SecurityType: 'WPA2_PSK', CurrentPassword: WIFI_PASSWORD },
    profileVersion: 4,
  });
  const secretFile = path.join(dir, 'secret');
  writeFileSync(secretFile, `${SECRET}\n`);
  chmodSync(secretFile, 0o600);

  const r = await runCli(['device', '--cloud', broker.url, '--device-id', 'cli-1', '--secret-file', secretFile, '--events', 'jsonl', '--fast', '--mic', `wav:${DEMO}`]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`connecting to ${broker.url} as cli-1`);
  expect(r.stderr).not.toContain(WIFI_PASSWORD);
  expect(r.stdout).not.toContain(WIFI_PASSWORD);

  // Connected and applied before the wake word: the start-of-request earcon plays when it listens.
  const types = r.lines.map((l) => l.type);
  expect(ofType(r.lines, 'cloud').map((l) => l.state)).toEqual(expect.arrayContaining(['CONNECTING', 'CONNECTED']));
  expect(ofType(r.lines, 'profile-applied')).toEqual([expect.objectContaining({ version: 4, boot: false })]);
  expect(types.indexOf('profile-applied')).toBeLessThan(types.indexOf('detection'));
  const states = ofType(r.lines, 'state').map((l) => `${String(l.from)}>${String(l.to)}`);
  expect(states.slice(0, 4)).toEqual(['BOOTING>CONNECTING', 'CONNECTING>IDLE', 'IDLE>LISTENING', 'LISTENING>THINKING']);
  expect(ofType(r.lines, 'sound').map((l) => l.label)).toContain('start-of-request');
  expect(r.lines.at(-1)).toMatchObject({ type: 'end', state: 'IDLE' });

  const reported = ReportedStateSchema.parse(cloud.reported('cli-1'));
  expect(reported).toMatchObject({
    profileVersion: 4,
    applied: { version: 4 },
    roomProfile: { ProfileName: 'Huddle', MaxVolumeLimit: 3 },
    networkProfile: { Ssid: 'Huddle' },
    network: { State: 'CONNECTED', PasswordSynced: true },
    device: { DeviceType: 'echo-dot-3', Volume: 3 },
  });
  expect(JSON.stringify(reported)).not.toContain(WIFI_PASSWORD);
  // The utterance went to the cloud, and the device said goodbye.
  expect(cloud.bodies('utterance/start', 'cli-1')).toHaveLength(1);
  expect(cloud.bodies('utterance/end', 'cli-1')).toEqual([expect.objectContaining({ reason: 'end-of-speech' })]);
  await cloud.until(() => cloud.bodies<{ status: string }>('availability', 'cli-1').at(-1)?.status === 'offline', 'offline');
  expect(cloud.bodies('availability', 'cli-1').at(-1)).toMatchObject({ status: 'offline', reason: 'shutdown' });
  expect(cloud.invalid).toEqual([]);
});

test('a reboot job restarts the device on the same flash; the new boot reports it SUCCEEDED', async () => {
  // Two seconds of quiet, played in real time: ample for the job to arrive during the first boot.
  const quiet = path.join(dir, 'quiet.wav');
  await writeWav16(quiet, new Int16Array(32_000).map((_, i) => ((i * 7919) % 61) - 30), 1, 16_000);
  await cloud.queueJob('cli-3', { jobId: 'reboot-cli', operation: 'reboot', parameters: {} });
  const r = await runCli(['device', '--cloud', broker.url, '--device-id', 'cli-3', '--events', 'jsonl', '--mic', `wav:${quiet}`], {
    env: { ECHOSIM_DEVICE_SECRET: SECRET },
  });
  expect(r.code).toBe(0);
  const types = r.lines.map((l) => l.type);
  expect(types.filter((t) => t === 'reboot' || t === 'end')).toEqual(['reboot', 'end']);
  expect(ofType(r.lines, 'job')).toEqual([
    expect.objectContaining({ jobId: 'reboot-cli', operation: 'reboot', status: 'IN_PROGRESS' }),
    expect.objectContaining({ jobId: 'reboot-cli', operation: 'reboot', status: 'SUCCEEDED', statusDetails: { rebooted: 'true' } }),
  ]);
  expect(types.indexOf('reboot')).toBeLessThan(types.lastIndexOf('job'));
  // Each boot starts from BOOTING, and the cloud saw the device go offline and come back.
  expect(ofType(r.lines, 'state').filter((l) => l.from === 'BOOTING')).toHaveLength(2);
  expect(cloud.job('cli-3', 'reboot-cli')).toMatchObject({ status: 'SUCCEEDED', expectedVersion: 3 });
});

test('a wrong secret fails with MQTT_NOT_AUTHORIZED and a hint; the secret may come from the environment', async () => {
  const r = await runCli(['device', '--cloud', broker.url, '--device-id', 'cli-2', '--fast', '--mic', `wav:${DEMO}`], { env: { ECHOSIM_DEVICE_SECRET: 'not-the-secret' } });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/error MQTT_NOT_AUTHORIZED: .*refused device cli-2/);
  expect(r.stderr).toMatch(/hint: Check the device id and secret/);
  expect(r.stderr).not.toContain('not-the-secret');

  const nobody = await runCli(['device', '--cloud', 'mqtt://127.0.0.1:1', '--device-id', 'cli-2', '--secret', SECRET, '--fast', '--mic', `wav:${DEMO}`]);
  expect(nobody.code).toBe(1);
  expect(nobody.stderr).toMatch(/error MQTT_CONNECT_FAILED: [\s\S]*hint: Is the broker running and reachable/);
});

test('usage errors exit with status 2: --cloud with --offline, without an id or a secret, or a secret without --cloud', async () => {
  const base = ['device', '--fast', '--mic', `wav:${DEMO}`];
  const conflict = await runCli([...base, '--offline', '--cloud', broker.url, '--device-id', 'cli-2', '--secret', SECRET]);
  expect(conflict.code).toBe(2);
  expect(conflict.stderr).toMatch(/--cloud.*cannot be used with.*--offline/);
  const noId = await runCli([...base, '--cloud', broker.url, '--secret', SECRET]);
  expect(noId.code).toBe(2);
  expect(noId.stderr).toMatch(/CLI_ARGUMENT_INVALID: --cloud needs --device-id/);
  const noSecret = await runCli([...base, '--cloud', broker.url, '--device-id', 'cli-2'], { env: { ECHOSIM_DEVICE_SECRET: '' } });
  expect(noSecret.code).toBe(2);
  expect(noSecret.stderr).toMatch(/--cloud needs the device secret\n  hint: .*ECHOSIM_DEVICE_SECRET/);
  const stray = await runCli([...base, '--offline', '--secret', SECRET]);
  expect(stray.code).toBe(2);
});

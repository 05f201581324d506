/**
 * "A device configured from its file connects" (issue 17), as a new user would do it: `echosim cloud`
 * with its embedded broker, a device registered and given a room profile with `echosim a4b` and
 * `echosim flash`, a device config file (tools/config/device-config.ts: the cloud's URL, the
 * credentials file, the data directory, the microphone from a WAV, the LEDs, buttons and speaker
 * simulated), then `echosim device --config FILE`. It must connect, sync its room profile before
 * the audio, and a flag on the command line must still win over the file.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, startCli, type RunningCli } from '../run-cli.js';

type Line = Record<string, unknown>;
const ofType = (lines: Line[], type: string): Line[] => lines.filter((l) => l.type === type);

let dir: string;
let cloud: RunningCli | undefined;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-config-device-'));
});
afterAll(async () => {
  await cloud?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('echosim device --config FILE connects, syncs its room profile, and a flag still wins', async () => {
  const cloudDir = path.join(dir, 'cloud');
  cloud = startCli(['cloud', '--data', cloudDir, '--mqtt-port', '0', '--http-port', '0', '--no-verify', '--events', 'jsonl']);
  const ready = await cloud.waitForLine((l) => l.type === 'ready');
  const api = ['--endpoint-url', String(ready.api), '--data-dir', cloudDir];

  const reg = await runCli(['a4b', 'register-device', '--device-serial-number', 'kitchen-1', '--device-type', 'echo-dot-3', '--device-name', 'Kitchen', ...api]);
  expect(reg.code).toBe(0);
  const device = path.join(dir, 'device');
  const secretFile = path.join(dir, 'kitchen-1.secret');
  writeFileSync(secretFile, `${(JSON.parse(reg.stdout) as { Secret: string }).Secret}\n`);
  chmodSync(secretFile, 0o600);
  const flashed = await runCli(['flash', '--device', 'kitchen-1', '--room-profile', 'examples/room-profile.json', ...api]);
  expect(flashed.code).toBe(0);

  // The config file as docs/raspberry-pi.md shows it; its paths are relative to its folder.
  copyFileSync('test/fixtures/demo/alexa-demo.wav', path.join(dir, 'kitchen.wav'));
  const config = path.join(dir, 'kitchen.json');
  writeFileSync(
    config,
    JSON.stringify({
      model: 'echo-dot-3',
      microphone: { source: 'wav:kitchen.wav' },
      leds: 'none',
      buttons: { kind: 'none' },
      speaker: 'wav:speaker.wav',
      cloud: { url: String(ready.broker), deviceId: 'kitchen-1', credentialsFile: 'kitchen-1.secret' },
      dataDir: 'device',
    }),
  );

  const r = await runCli(['device', '--config', config, '--fast', '--events', 'jsonl']);
  expect(r.stderr).not.toContain('error');
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`connected to ${String(ready.broker)} as kitchen-1`);
  expect(ofType(r.lines, 'cloud').map((l) => l.state)).toContain('CONNECTED');
  // The room profile (examples/room-profile.json) is in force before the first sample: its
  // start-of-request earcon plays at the wake word.
  const types = r.lines.map((l) => l.type);
  expect(ofType(r.lines, 'profile-applied')).toHaveLength(1);
  expect(types.indexOf('profile-applied')).toBeLessThan(types.indexOf('detection'));
  expect(ofType(r.lines, 'sound').map((s) => s.label)).toContain('start-of-request');
  expect(r.lines.at(-1)).toMatchObject({ type: 'end', state: 'IDLE' });
  // The file's data directory and simulated speaker were used.
  expect(readdirSync(device).length).toBeGreaterThan(0);
  expect(existsSync(path.join(dir, 'speaker.wav'))).toBe(true);

  const got = await runCli(['a4b', 'get-device', '--device-arn', 'arn:aws:a4b:local:000000000000:device/kitchen-1', ...api]);
  expect(got.code).toBe(0);
  expect(JSON.parse(got.stdout)).toMatchObject({ Device: { DeviceStatusInfo: { SyncStatus: 'SYNCED' }, FlashedProfiles: { RoomProfile: true } } });

  // A flag on the command line wins over the file: another flash directory, no speaker file.
  const elsewhere = path.join(dir, 'device-cli');
  rmSync(path.join(dir, 'speaker.wav'));
  const flagged = await runCli(['device', '--config', config, '--fast', '--events', 'jsonl', '--data', elsewhere, '--speaker', 'none']);
  expect(flagged.code).toBe(0);
  expect(ofType(flagged.lines, 'cloud').map((l) => l.state)).toContain('CONNECTED');
  expect(readdirSync(elsewhere).length).toBeGreaterThan(0);
  expect(existsSync(path.join(dir, 'speaker.wav'))).toBe(false);

  expect(await cloud.stop('SIGTERM')).toBe(0);
  cloud = undefined;
});

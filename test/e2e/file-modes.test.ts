/**
 * Everything a device or the cloud writes is private to its user (core/private-files.ts): after a
 * device and a cloud have run over TLS (a profile applied, telemetry queued, an utterance kept as a
 * recording, Mosquitto's password and ACL files written), every directory under their data is 0700
 * and every file 0600: the database's -wal and -shm, the cloud's keys and its TLS directory, and the
 * device's key pair included. Directories and files an older version left
 * wider are tightened when they are opened; a sticky shared directory such as /tmp is left alone.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeMosquittoAuth } from '../../cloud-link/broker/mosquitto-config.js';
import { CloudDatabase } from '../../cloud-link/cloud/db/database.js';
import { openLinkState } from '../../cloud-link/device/link/link-state.js';
import { Outbox } from '../../cloud-link/device/outbox.js';
import { LocalFeatures } from '../../firmware/features/local-features.js';
import { VirtualClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { ensurePrivateDir } from '../../core/private-files.js';
import { DEMO_WAV, disposeModels, startSimulation, type Simulation } from '../../tools/harness/index.js';

const mode = (p: string): number => statSync(p).mode & 0o7777;

/** Every entry under `root`, with its mode. */
function walk(root: string): Array<{ file: string; dir: boolean; mode: number }> {
  const out: Array<{ file: string; dir: boolean; mode: number }> = [];
  for (const name of readdirSync(root)) {
    const p = path.join(root, name);
    const dir = statSync(p).isDirectory();
    out.push({ file: path.relative(root, p), dir, mode: mode(p) });
    if (dir) out.push(...walk(p).map((e) => ({ ...e, file: path.join(name, e.file) })));
  }
  return out;
}

let sim: Simulation | undefined;
const temps: string[] = [];
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(async () => {
  await disposeModels();
});

test('after a device run and a cloud run every directory is 0700 and every file 0600', async () => {
  sim = await startSimulation({ devices: 1, tls: true });
  const [echo] = sim.devices;
  await sim.cloud.roomWithProfile(
    { ProfileName: 'Modes', Timezone: 'UTC', Address: '1 Mode Street', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA', DataRetentionOptIn: true, DataRetention: 'KEEP' },
    { devices: [echo!.id] },
  );
  await echo!.waitForSync();
  await echo!.play(DEMO_WAV);
  await sim.cloud.waitFor({ event: 'utterance', after: 0, match: (u) => u.deviceId === echo!.id });
  expect(await sim.cloud.recordings(echo!.id)).toHaveLength(1);
  await echo!.press('mic-off'); // the privacy store
  await echo!.device.features.volume.set(3); // a feature store
  await echo!.device.features.whenIdle();
  await writeMosquittoAuth(path.join(sim.dir, 'mosquitto-auth'), [{ username: 'echosim-cloud', password: 'x'.repeat(24), role: 'cloud' }]);

  const entries = walk(sim.dir); // while everything is open: the database's -wal and -shm exist
  const files = entries.filter((e) => !e.dir).map((e) => e.file);
  // what the run wrote, by kind: flash stores, the link's private stores (the device's key pair
  // among them), the outbox, the cloud's files, keys and TLS directory
  for (const expected of [
    /devices\/[^/]+\/features-volume\.[ab]\.json$/,
    /devices\/[^/]+\/privacy\.[ab]\.json$/,
    /devices\/[^/]+\/cloud-link\/profile\.[ab]\.json$/,
    /devices\/[^/]+\/cloud-link\/device-key\.[ab]\.json$/,
    /devices\/[^/]+\/telemetry\.journal$/,
    /cloud\/[^/]+\.db$/,
    /cloud\/[^/]+\.db-wal$/,
    /cloud\/[^/]+\.db-shm$/,
    /cloud\/secret\.key$/,
    /cloud\/credential\.key$/,
    /cloud\/admin-token$/,
    /cloud\/tls\/ca\.pem$/,
    /cloud\/tls\/ca-key\.pem$/,
    /cloud\/tls\/server\.pem$/,
    /cloud\/tls\/server-key\.pem$/,
    /cloud\/recordings\/[^/]+\/[^/]+\.wav$/,
    /mosquitto-auth\/passwd$/,
    /mosquitto-auth\/acl$/,
  ]) {
    expect({ expected: String(expected), found: files.some((f) => expected.test(f)) }).toEqual({ expected: String(expected), found: true });
  }
  const wrong = entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600)).map((e) => `${e.file} ${e.mode.toString(8)}`);
  expect(wrong).toEqual([]);
  expect(mode(sim.dir)).toBe(0o700);
});

test('directories and files an older version left readable are tightened when opened', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'echosim-modes-'));
  temps.push(root);
  const flash = path.join(root, 'flash');
  const cloud = path.join(root, 'cloud');
  // an older version's device flash and cloud data: 0755 directories, 0644 files
  mkdirSync(path.join(flash, 'cloud-link'), { recursive: true });
  writeFileSync(path.join(flash, 'features-volume.a.json'), 'left by an older version');
  writeFileSync(path.join(flash, 'cloud-link', 'profile.a.json'), 'left by an older version');
  writeFileSync(path.join(flash, 'telemetry.journal'), '');
  CloudDatabase.open({ dir: cloud, log: createLogger('test', 'silent') }).close();
  for (const d of [flash, path.join(flash, 'cloud-link'), cloud]) chmodSync(d, 0o755);
  for (const f of ['features-volume.a.json', 'cloud-link/profile.a.json', 'telemetry.journal']) chmodSync(path.join(flash, f), 0o644);
  const db = readdirSync(cloud).find((f) => f.endsWith('.db')) ?? '';
  chmodSync(path.join(cloud, db), 0o644);

  const features = await LocalFeatures.open({ dir: flash, clock: new VirtualClock(), log: createLogger('test', 'silent') });
  const link = openLinkState(flash);
  const outbox = await Outbox.open({ dir: flash, name: 'telemetry', log: createLogger('test', 'silent') });
  const database = CloudDatabase.open({ dir: cloud, log: createLogger('test', 'silent') });
  try {
    const wrong = [...walk(flash), ...walk(cloud)].filter((e) => e.mode !== (e.dir ? 0o700 : 0o600)).map((e) => `${e.file} ${e.mode.toString(8)}`);
    expect(wrong).toEqual([]);
    expect([mode(flash), mode(cloud)]).toEqual([0o700, 0o700]);
  } finally {
    await features.close();
    await link.profile.close();
    await link.jobs.close();
    await link.key.close();
    await outbox.close();
    database.close();
  }
});

test('a shared sticky directory (like /tmp) given as a data directory is used as it is', () => {
  const shared = mkdtempSync(path.join(os.tmpdir(), 'echosim-shared-'));
  temps.push(shared);
  chmodSync(shared, 0o1777);
  ensurePrivateDir(shared);
  expect(mode(shared)).toBe(0o1777);
  const inside = path.join(shared, 'echosim');
  ensurePrivateDir(inside);
  expect(mode(inside)).toBe(0o700);
});

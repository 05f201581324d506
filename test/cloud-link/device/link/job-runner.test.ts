/**
 * Jobs end to end: the cloud (protocol functions over a real broker) queues a job, the device moves it
 * on with jobs/{id}/update and runs it on a real Device. Broker differences are covered by
 * device-cloud-link.test.ts; jobs run on the embedded broker.
 */
import type { MosquittoUser } from '../../../../cloud-link/broker/mosquitto-config.js';
import type { Job } from '../../../../cloud-link/protocol/jobs.js';
import { startTestBroker, type TestBroker } from '../../../support/mosquitto.js';
import { disposeSharedModels } from '../../../firmware/device/harness.js';
import { linkedDevice, removeDir, secretOf, type LinkedDevice } from './linked-device.js';
import { CLOUD_PASSWORD, ProtocolCloud } from './protocol-cloud.js';

const DEVICES = ['job-1', 'job-2', 'job-3', 'job-4', 'job-5', 'job-6'];
const USERS: MosquittoUser[] = [
  ...DEVICES.map((id) => ({ username: id, password: secretOf(id), role: 'device' as const })),
  { username: 'echosim-cloud', password: CLOUD_PASSWORD, role: 'cloud' },
];

let broker: TestBroker;
let cloud: ProtocolCloud;
const running: LinkedDevice[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  broker = await startTestBroker('embedded', USERS);
  cloud = await ProtocolCloud.connect(broker.url);
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
  for (const dir of dirs.splice(0)) removeDir(dir);
});
afterAll(async () => {
  await cloud.close();
  await broker.stop();
  await disposeSharedModels();
});

async function start(deviceId: string, extra: Partial<Parameters<typeof linkedDevice>[0]> = {}): Promise<LinkedDevice> {
  const d = await linkedDevice({ url: broker.url, deviceId, ...extra });
  running.push(d);
  if (!dirs.includes(d.dataDir)) dirs.push(d.dataDir);
  await d.link.whenSynced();
  cloud.now = () => Math.round(d.clock.wallNow());
  return d;
}

/** The job updates the device sent for `jobId`: [status, expectedVersion, statusDetails]. */
function updates(deviceId: string, jobId: string): Array<[string, number, unknown]> {
  return cloud.received
    .filter((m) => m.kind === 'jobs/update' && m.deviceId === deviceId && m.jobId === jobId)
    .map((m) => {
      const b = m.json as { status: string; expectedVersion: number; statusDetails?: unknown };
      return [b.status, b.expectedVersion, b.statusDetails];
    });
}

test('a reset clears exactly the requested features and reports SUCCEEDED with what it cleared', async () => {
  const d = await start('job-1');
  const f = d.device.features;
  await f.lists.add('shopping', 'milk');
  await f.lists.add('todo', 'call the plumber');
  await f.volume.set(8);
  d.device.speaker.setVolume(8);
  const timer = await f.timers.add({ durationMs: 600_000, label: 'tea' });

  await cloud.queueJob('job-1', { jobId: 'reset-1', operation: 'reset', parameters: { Features: ['LISTS', 'VOLUME'] } });
  await d.until(() => d.of('job').some((j) => j.status === 'SUCCEEDED'), 'the reset reported SUCCEEDED and the cloud accepted it');

  expect(updates('job-1', 'reset-1')).toEqual([
    ['IN_PROGRESS', 1, undefined],
    ['SUCCEEDED', 2, { cleared: 'LISTS,VOLUME' }],
  ]);
  expect(cloud.job('job-1', 'reset-1')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { cleared: 'LISTS,VOLUME' }, expectedVersion: 3 });
  expect(f.lists.snapshot()).toEqual({ shopping: [], todo: [] });
  expect(f.volume.get()).toBe(5);
  expect(d.device.speaker.volume).toBe(5);
  expect(f.timers.list().map((t) => t.id)).toEqual([timer.id]); // not named: kept
  expect(d.of('job').map((j) => j.status)).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
  expect(cloud.invalid).toEqual([]);
});

test('cloud-only features are synced again from the shadow; SETTINGS come back from the room profile', async () => {
  const d = await start('job-2');
  await cloud.setDesired('job-2', {
    roomProfile: { ProfileName: 'P', Timezone: 'Europe/Paris', Address: 'A', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA', Earcons: { StartOfRequest: true, EndOfRequest: false } },
    skills: ['s1'],
    profileVersion: 2,
  });
  await d.until(() => cloud.reported('job-2')?.profileVersion === 2, 'profile applied');
  await d.device.features.settings.set({ doNotDisturb: true });
  const reportsBefore = cloud.bodies('shadow/update', 'job-2').length;

  await cloud.queueJob('job-2', { jobId: 'sync-all', operation: 'reset', parameters: { Features: ['SETTINGS', 'SKILLS', 'NETWORK_PROFILE'] } });
  await d.until(() => cloud.job('job-2', 'sync-all')?.status === 'SUCCEEDED', 'the sync reported SUCCEEDED');
  expect(cloud.job('job-2', 'sync-all')?.statusDetails).toEqual({ cleared: 'SETTINGS', resynced: 'SETTINGS,SKILLS,NETWORK_PROFILE' });
  // DND is a plain device setting: reset. Zone and earcons are the room profile's: back at once.
  expect(d.device.features.settings.get()).toMatchObject({ doNotDisturb: false, timeZone: 'Europe/Paris', earcons: { startOfRequest: true, endOfRequest: false } });
  await d.until(() => cloud.bodies('shadow/update', 'job-2').length > reportsBefore, 'the device synced with its shadow again');
});

test('an announcement past its TTL fails as expired and is never played; a fresh one is', async () => {
  const d = await start('job-3');
  const now = Math.round(d.clock.wallNow());
  await cloud.queueJob('job-3', { jobId: 'old-news', operation: 'announce', parameters: { Text: 'The meeting moved', TtlSeconds: 60 }, queuedAt: now - 61_000 });
  await d.until(() => cloud.job('job-3', 'old-news')?.status === 'FAILED', 'expired');
  expect(cloud.job('job-3', 'old-news')?.statusDetails).toEqual({ reason: 'expired' });
  expect(d.of('announcement')).toEqual([]);
  expect(d.td.states()).not.toContain('SPEAKING');

  await cloud.queueJob('job-3', { jobId: 'fresh', operation: 'announce', parameters: { Ssml: '<speak>Lunch is <b>ready</b> now</speak>', TtlSeconds: 60 }, queuedAt: now });
  await d.until(() => cloud.job('job-3', 'fresh')?.status === 'SUCCEEDED', 'announced');
  const [announcement] = d.of('announcement');
  expect(announcement?.sampleRate).toBe(16_000);
  const durationMs = Math.round(((announcement?.audio.length ?? 0) * 1000) / 16_000);
  expect(cloud.job('job-3', 'fresh')?.statusDetails).toEqual({ durationMs: String(durationMs), words: '4' });
  expect(d.td.states()).toContain('SPEAKING');
  expect(d.td.of('sound').map((s) => s.label)).toContain('announcement');
  await d.clock.advance(durationMs + 100);
  expect(d.device.state).toBe('IDLE');
});

test('a job finished before a restart is reported after it, never run twice', async () => {
  const first = await start('job-4');
  await first.device.features.lists.add('shopping', 'bread');
  cloud.lostJobStatuses.add('SUCCEEDED'); // the result is lost on the way: the job stays IN_PROGRESS
  await cloud.queueJob('job-4', { jobId: 'once', operation: 'reset', parameters: { Features: ['LISTS'] } });
  await first.until(() => first.link.jobRecords?.some((r) => r.jobId === 'once' && r.phase === 'done') === true, 'executed, result pending');
  expect(first.device.features.lists.snapshot().shopping).toEqual([]);
  await first.device.features.lists.add('shopping', 'added after the reset');
  await first.stop();
  running.splice(running.indexOf(first), 1);

  cloud.lostJobStatuses.clear();
  const again = await start('job-4', { dataDir: first.dataDir });
  await again.until(() => cloud.job('job-4', 'once')?.status === 'SUCCEEDED', 'reported after the restart');
  expect(again.device.features.lists.snapshot().shopping.map((i) => i.text)).toEqual(['added after the reset']);
  expect(updates('job-4', 'once').map(([s]) => s)).toEqual(['IN_PROGRESS', 'SUCCEEDED', 'SUCCEEDED']);
});

test('a reboot job is reported SUCCEEDED by the device that comes up after the reboot', async () => {
  let after: LinkedDevice | undefined;
  const before: LinkedDevice = await start('job-5', {
    reboot: async () => {
      await before.stop();
      running.splice(running.indexOf(before), 1);
      after = await start('job-5', { dataDir: before.dataDir });
    },
  });
  await cloud.queueJob('job-5', { jobId: 'reboot-1', operation: 'reboot', parameters: {} });
  await before.until(() => after !== undefined, 'rebooted');
  await after?.until(() => cloud.job('job-5', 'reboot-1')?.status === 'SUCCEEDED', 'reported by the new boot');
  expect(before.of('reboot')).toEqual([{ jobId: 'reboot-1' }]);
  expect(cloud.job('job-5', 'reboot-1')?.statusDetails).toEqual({ rebooted: 'true' });
  expect(updates('job-5', 'reboot-1').map(([s, v]) => `${s}@${v}`)).toEqual(['IN_PROGRESS@1', 'SUCCEEDED@2']);
  expect(after?.device.state).toBe('IDLE');
});

test('rejected updates: a stale version is corrected from executionState, a job the cloud ended is not run', async () => {
  const d = await start('job-6');
  await d.device.features.lists.add('todo', 'keep me');
  const at = Math.round(d.clock.wallNow());
  // The cloud's notify is stale: it says QUEUED@1, the job is really IN_PROGRESS@2 (the device's own
  // earlier request, whose answer was lost), and the other one was cancelled.
  const stale: Job = { jobId: 'stale', operation: 'delete-recordings', parameters: { DeviceUsageType: 'VOICE' }, status: 'QUEUED', queuedAt: at, updatedAt: at, expectedVersion: 1 };
  const cancelled: Job = { jobId: 'gone', operation: 'reset', parameters: { Features: ['LISTS'] }, status: 'QUEUED', queuedAt: at, updatedAt: at, expectedVersion: 1 };
  cloud.jobs.set('job-6', [
    { ...stale, status: 'IN_PROGRESS', expectedVersion: 2 },
    { ...cancelled, status: 'CANCELED', expectedVersion: 2 },
  ]);
  await cloud.publish('jobs/notify', 'job-6', { jobs: [stale, cancelled], at });
  await d.until(() => cloud.job('job-6', 'stale')?.status === 'SUCCEEDED' && d.link.jobRecords?.find((r) => r.jobId === 'gone')?.phase === 'reported', 'both settled');
  expect(updates('job-6', 'stale').map(([s, v]) => `${s}@${v}`)).toEqual(['IN_PROGRESS@1', 'SUCCEEDED@2']);
  expect(cloud.job('job-6', 'stale')?.statusDetails).toEqual({ localAudio: 'none' });
  expect(updates('job-6', 'gone').map(([s, v]) => `${s}@${v}`)).toEqual(['IN_PROGRESS@1']);
  expect(d.device.features.lists.snapshot().todo.map((i) => i.text)).toEqual(['keep me']);
  expect(d.of('job')).toContainEqual({ jobId: 'gone', operation: 'reset', status: 'CANCELED' });
});

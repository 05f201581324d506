/**
 * The cloud's MQTT side against devices played by raw MQTT clients on the embedded broker: what goes
 * on the wire for profiles (delta, shadow/get with passwords sealed to the device's key, reported state and
 * sync status), jobs, availability, utterances and recordings, and how bad input is refused. The
 * real device firmware on the other end is in test/e2e.
 */
import { encodeAudioChunk } from '../../../cloud-link/protocol/audio-chunk.js';
import { JobsNotifySchema, JobUpdateAcceptedSchema } from '../../../cloud-link/protocol/jobs.js';
import { ShadowGetAcceptedSchema, ShadowRejectedSchema, ShadowUpdateDeltaSchema } from '../../../cloud-link/protocol/shadow.js';
import { generateDeviceKeyPair, openSecrets } from '../../../cloud-link/protocol/sealed-secrets.js';
import { onlinePayload } from '../../../cloud-link/protocol/availability.js';
import { ARN_PREFIX } from '../../../cloud-link/cloud/a4b/arn.js';
import { BROKER_KINDS, rawConnect, subscribeCodes } from '../../support/mosquitto.js';
import { NETWORK, PROFILE, WIFI_PASSWORD } from './a4b/helpers.js';
import { rawDevice, startTestCloud, type RawDevice, type TestCloud } from './cloud-fixture.js';

const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;
/** The key pair the raw devices send with shadow/get. */
const KEYS = generateDeviceKeyPair();
const get = (clientToken?: string): Record<string, string> => ({ publicKey: KEYS.publicKey, ...(clientToken === undefined ? {} : { clientToken }) });

/** Polls an async condition (a safety limit, not a performance assertion). */
async function waitUntilAsync(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

let t: TestCloud;
const devices: RawDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) await d.raw.end(true);
  await t.stop();
});

async function connectDevice(serial: string, secret: string): Promise<RawDevice> {
  const d = await rawDevice(t.cloud.brokerUrl, serial, secret);
  devices.push(d);
  return d;
}

/** A room with PROFILE and the network profile, and the device in both. */
async function provision(serial: string): Promise<{ roomArn: string; deviceArn: string }> {
  const { ProfileArn } = await t.call('CreateProfile', PROFILE);
  const { RoomArn } = await t.call('CreateRoom', { RoomName: `Room of ${serial}`, ProfileArn });
  const { NetworkProfileArn } = await t.call('CreateNetworkProfile', NETWORK);
  const deviceArn = arn(serial);
  await t.call('AssociateDeviceWithRoom', { DeviceArn: deviceArn, RoomArn });
  await t.call('AssociateDeviceWithNetworkProfile', { DeviceArn: deviceArn, NetworkProfileArn });
  return { roomArn: RoomArn as string, deviceArn };
}

describe.each(BROKER_KINDS)('profiles through the shadow (%s broker)', (kind) => {
  beforeEach(async () => {
    t = await startTestCloud({ brokerKind: kind });
  });

  test('delta without secrets, shadow/get with them sealed to the device only, report -> SYNCED', async () => {
    const secretA = await t.register('dev-a');
    const secretB = await t.register('dev-b');
    const a = await connectDevice('dev-a', secretA);
    const b = await connectDevice('dev-b', secretB);
    const { deviceArn } = await provision('dev-a');

    const delta = ShadowUpdateDeltaSchema.parse(await a.next(a.topics.shadowUpdateDelta, 0));
    expect(JSON.stringify(delta)).not.toContain(WIFI_PASSWORD);
    expect(delta.state.roomProfile).toMatchObject({ MaxVolumeLimit: 7, Timezone: 'Europe/Berlin' });

    await a.publish(a.topics.shadowGet, get('get-1'));
    const got = ShadowGetAcceptedSchema.parse(await a.next(a.topics.shadowGetAccepted, 0));
    expect(got.clientToken).toBe('get-1');
    const desired = got.state.desired!;
    expect(desired.networkProfile).not.toHaveProperty('CurrentPassword');
    expect(openSecrets(got.secrets, KEYS, { deviceId: 'dev-a', clientToken: 'get-1', version: got.version })).toEqual({
      networkProfile: { CurrentPassword: WIFI_PASSWORD },
    });
    expect(desired.profileVersion).toBeGreaterThan(0);

    const redacted = desired.networkProfile!;
    await a.publish(a.topics.shadowUpdate, {
      state: {
        reported: {
          roomProfile: desired.roomProfile,
          networkProfile: redacted,
          profileVersion: desired.profileVersion,
          applied: { version: desired.profileVersion, at: t.clock.wallNow() },
          device: { DeviceType: 'echo-dot-3', SoftwareVersion: '1.2.3' },
        },
      },
      clientToken: 'report-1',
    });
    const applied = await t.waitFor('profile-applied', (p) => p.deviceId === 'dev-a');
    expect(applied.version).toBe(desired.profileVersion);
    const accepted = await a.next(a.topics.shadowUpdateAccepted, 0);
    expect(accepted.clientToken).toBe('report-1');
    const device = (await t.call('GetDevice', { DeviceArn: deviceArn })).Device;
    expect(device.DeviceStatusInfo.SyncStatus).toBe('SYNCED');
    expect(device.SoftwareVersion).toBe('1.2.3');

    // nothing of A's reached B, the password went out once, sealed on A's get/accepted, and never in the clear
    expect(b.raw.messages).toHaveLength(0);
    expect(a.raw.messages.filter((m) => m.payload.includes(WIFI_PASSWORD))).toEqual([]);
    expect(a.raw.messages.filter((m) => m.payload.includes('"secrets"')).map((m) => m.topic)).toEqual([a.topics.shadowGetAccepted]);
  });

  test('shadow/get without a usable public key is refused with 400 and nothing secret is sent', async () => {
    const a = await connectDevice('dev-a', await t.register('dev-a'));
    await provision('dev-a');
    const requests: unknown[] = [
      {},
      { clientToken: 'no-key' },
      '',
      { clientToken: 'short-key', publicKey: 'AAAA' },
      { clientToken: 'low-order', publicKey: Buffer.alloc(32).toString('base64url') },
      { clientToken: 'padded', publicKey: `${KEYS.publicKey}=` },
    ];
    for (const [i, body] of requests.entries()) {
      await a.publish(a.topics.shadowGet, body);
      const rejected = ShadowRejectedSchema.parse(await a.next(a.topics.shadowGetRejected, i));
      expect(rejected.code).toBe(400);
      expect(rejected.message).toMatch(/publicKey/);
      const token = (body as { clientToken?: string }).clientToken;
      if (token !== undefined) expect(rejected.clientToken).toBe(token);
    }
    // a good request after them is answered, so the refusals above were not an outage
    await a.publish(a.topics.shadowGet, get('good'));
    expect((await a.next(a.topics.shadowGetAccepted, 0)).clientToken).toBe('good');
    expect(a.json(a.topics.shadowGetAccepted)).toHaveLength(1);
    expect(a.raw.messages.filter((m) => m.payload.includes(WIFI_PASSWORD))).toEqual([]);
    expect(t.events.filter((e) => e.name === 'shadow-rejected').map((e) => (e.payload as { code: number }).code)).toEqual(requests.map(() => 400));
  });

  test('a report with a stale version gets 409; a device writing desired gets 400; state is unchanged', async () => {
    const a = await connectDevice('dev-a', await t.register('dev-a'));
    await a.publish(a.topics.shadowUpdate, { state: { reported: { device: { DeviceType: 'echo-dot-3', SoftwareVersion: '1' } } } });
    await a.next(a.topics.shadowUpdateAccepted, 0);
    const before = t.cloud.service.shadows.get('dev-a');

    await a.publish(a.topics.shadowUpdate, { state: { reported: { device: { DeviceType: 'echo-dot-3', SoftwareVersion: '2' } } }, version: 0, clientToken: 'stale' });
    const stale = ShadowRejectedSchema.parse(await a.next(a.topics.shadowUpdateRejected, 0));
    expect(stale).toMatchObject({ code: 409, clientToken: 'stale' });

    await a.publish(a.topics.shadowUpdate, { state: { desired: { roomProfile: { MaxVolumeLimit: 10 } } }, clientToken: 'sneaky' });
    expect(await a.next(a.topics.shadowUpdateRejected, 1)).toMatchObject({ code: 400, clientToken: 'sneaky' });
    await a.publish(a.topics.shadowUpdate, '{not json');
    expect((await a.next(a.topics.shadowUpdateRejected, 2)).code).toBe(400);
    await a.publish(a.topics.shadowUpdate, { state: { reported: { blob: 'x'.repeat(9000) } } });
    expect((await a.next(a.topics.shadowUpdateRejected, 3)).code).toBe(413);
    expect(t.cloud.service.shadows.get('dev-a')).toEqual(before);
  });

  test('a device that reports it refused a profile is counted; three refusals make it SYNC_NEEDED', async () => {
    const a = await connectDevice('dev-a', await t.register('dev-a'));
    const { deviceArn } = await provision('dev-a');
    for (let i = 0; i < 3; i++) {
      if (i > 0) await t.call('UpdateProfile', { ProfileArn: (await t.call('SearchProfiles', {})).Profiles[0].ProfileArn, MaxVolumeLimit: 3 + i });
      await a.publish(a.topics.shadowGet, get());
      const got = await a.next(a.topics.shadowGetAccepted, i);
      const version = got.state.desired.profileVersion as number;
      await a.publish(a.topics.shadowUpdate, { state: { reported: { rejected: { version, code: 'WAKE_WORD_UNSUPPORTED', reason: 'no model' } } } });
      await t.waitFor('profile-rejected', (p) => p.version === version);
    }
    const info = (await t.call('GetDevice', { DeviceArn: deviceArn })).Device.DeviceStatusInfo;
    expect(info.SyncStatus).toBe('SYNC_NEEDED');
    expect(info.SyncDetail).toBe('WAKE_WORD_UNSUPPORTED');
  });
});

describe.each(BROKER_KINDS)('jobs, availability, isolation (%s broker)', (kind) => {
  beforeEach(async () => {
    t = await startTestCloud({ brokerKind: kind });
  });

  test('StartDeviceSync queues a reset job the device moves to SUCCEEDED', async () => {
    const a = await connectDevice('dev-a', await t.register('dev-a'));
    const { deviceArn } = await provision('dev-a');
    await t.call('StartDeviceSync', { DeviceArn: deviceArn, Features: ['LISTS', 'VOLUME'] });
    const notify = JobsNotifySchema.parse(await a.next(a.topics.jobsNotify, 0));
    const job = notify.jobs[0]!;
    expect(job).toMatchObject({ operation: 'reset', parameters: { Features: ['LISTS', 'VOLUME'] }, status: 'QUEUED' });

    await a.publish(a.topics.jobUpdate(job.jobId), { status: 'IN_PROGRESS', expectedVersion: job.expectedVersion });
    const progress = JobUpdateAcceptedSchema.parse(await a.next(a.topics.jobUpdateAccepted(job.jobId), 0));
    await a.publish(a.topics.jobUpdate(job.jobId), { status: 'SUCCEEDED', expectedVersion: job.expectedVersion, statusDetails: { cleared: 'LISTS' } });
    expect(await a.next(a.topics.jobUpdateRejected(job.jobId), 0)).toMatchObject({ code: 'VersionMismatch', executionState: { status: 'IN_PROGRESS' } });
    await a.publish(a.topics.jobUpdate(job.jobId), { status: 'SUCCEEDED', expectedVersion: progress.expectedVersion, statusDetails: { cleared: 'LISTS,VOLUME' } });
    await t.waitFor('job-updated', (p) => p.status === 'SUCCEEDED');
    expect(t.cloud.service.jobs.get('dev-a', job.jobId)).toMatchObject({ status: 'SUCCEEDED', statusDetails: { cleared: 'LISTS,VOLUME' } });
    const after = JobsNotifySchema.parse(await a.next(a.topics.jobsNotify, 1));
    expect(after.jobs).toEqual([]);
    await a.publish(a.topics.jobUpdate('no-such-job'), { status: 'SUCCEEDED', expectedVersion: 1 });
    expect((await a.next(a.topics.jobUpdateRejected('no-such-job'), 0)).code).toBe('ResourceNotFound');
  });

  test('availability and the last will drive ConnectionStatus', async () => {
    const secret = await t.register('dev-a');
    const a = await rawDevice(t.cloud.brokerUrl, 'dev-a', secret, {
      will: { topic: 'echosim/v1/devices/dev-a/availability', payload: Buffer.from(JSON.stringify({ status: 'offline', at: 1, reason: 'connection-lost' })), qos: 1, retain: true },
    });
    await a.publish(a.topics.availability, onlinePayload(t.clock.wallNow()), { retain: true });
    await t.waitFor('presence', (p) => p.status === 'ONLINE');
    expect((await t.call('GetDevice', { DeviceArn: arn('dev-a') })).Device.DeviceStatusInfo.ConnectionStatus).toBe('ONLINE');
    t.clock.jumpTo(t.clock.now() + 5000);
    a.raw.client.stream.destroy(); // a power cut: the broker publishes the will
    await t.waitFor('presence', (p) => p.status === 'OFFLINE');
    expect((await t.call('GetDevice', { DeviceArn: arn('dev-a') })).Device.DeviceStatusInfo.ConnectionStatus).toBe('OFFLINE');
    await a.raw.end(true);
  });

  test('wrong secrets are refused; a device cannot reach another device\'s topics; a deregistered device is cut off', async () => {
    const secretA = await t.register('dev-a');
    const secretB = await t.register('dev-b');
    const bad = await rawConnect(t.cloud.brokerUrl, { clientId: 'dev-a', username: 'dev-a', password: secretB });
    expect(bad.connack).toBeUndefined();
    const cloudImpostor = await rawConnect(t.cloud.brokerUrl, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: secretA });
    expect(cloudImpostor.connack).toBeUndefined();

    const b = await connectDevice('dev-b', secretB);
    const codes = await subscribeCodes(b.raw.client, ['echosim/v1/devices/dev-a/#', 'echosim/v1/devices/+/shadow/get/accepted']);
    // the embedded broker refuses the SUBSCRIBE; Mosquitto grants it and then delivers nothing the ACL forbids
    expect(codes).toEqual(kind === 'embedded' ? [128, 128] : [1, 1]);
    const a = await connectDevice('dev-a', secretA);
    await provision('dev-a');
    await a.publish(a.topics.shadowGet, get());
    await a.next(a.topics.shadowGetAccepted, 0); // A's passwords went out (sealed)...
    const forged = { state: { reported: { device: { DeviceType: 'echo-dot-3', SoftwareVersion: 'forged-by-b' } } } };
    await b.raw.client.publishAsync(a.topics.shadowUpdate, JSON.stringify(forged), { qos: 0 }).catch(() => undefined); // QoS 0: the embedded broker hangs up on B instead of acking
    await a.publish(a.topics.shadowUpdate, { state: { reported: { device: { DeviceType: 'echo-dot-3', SoftwareVersion: 'real' } } } });
    await a.next(a.topics.shadowUpdateAccepted, 0);
    expect(b.raw.messages).toEqual([]); // ...and nothing of A's reached B
    expect(JSON.stringify(t.cloud.service.shadows.get('dev-a'))).not.toContain('forged-by-b');
    await t.call('DeleteDevice', { DeviceArn: arn('dev-a') });
    if (kind === 'embedded') {
      // the embedded broker drops the open connection at once
      await new Promise<void>((resolve) => (a.raw.client.connected ? a.raw.client.once('close', () => resolve()) : resolve()));
    }
    // and the credentials stop working (Mosquitto: once it has reread the files the cloud rewrote)
    await waitUntilAsync(async () => {
      const again = await rawConnect(t.cloud.brokerUrl, { clientId: 'dev-a', username: 'dev-a', password: secretA, reconnectPeriod: 0 });
      await again.end(true);
      return again.connack === undefined;
    }, 'dev-a refused after DeleteDevice');
  });
});

describe('utterances and recordings', () => {
  const kind = 'embedded' as const;
  beforeEach(async () => {
    t = await startTestCloud({ brokerKind: kind });
  });

  test('a tap utterance is answered and kept under the room policy; DeleteDeviceUsageData removes it', async () => {
    const a = await connectDevice('dev-a', await t.register('dev-a'));
    const { deviceArn } = await provision('dev-a'); // PROFILE opts in, DELETE_AFTER_3_MONTHS
    const n = 7;
    await a.publish(a.topics.utteranceStart(n), { id: n, initiator: 'tap', preRoll: { requestedSamples: 0, availableSamples: 0, complete: true }, sampleRate: 16000, format: 'L16' });
    const samples = new Int16Array(1280).map((_, i) => Math.round(1000 * Math.sin(i / 5)));
    for (let seq = 0; seq < 5; seq++) await a.publish(a.topics.utteranceAudio(n), encodeAudioChunk({ seq, offset: seq * 1280, samples }), { qos: 0 });
    await a.publish(a.topics.utteranceEnd(n), { id: n, endIndex: 6400, reason: 'end-of-speech', samples: 6400, chunks: 5 });
    expect(await a.next(a.topics.utteranceResponse(n), 0)).toEqual({ id: n });
    const done = await t.waitFor('utterance', (p) => p.utteranceId === n);
    expect(done).toMatchObject({ samples: 6400, missingChunks: 0, confirmed: true });
    expect(done.recordingId).toBeDefined();
    const listed = (await t.call('ListDeviceRecordings', { DeviceArn: deviceArn })).Recordings;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ RecordingId: done.recordingId, DurationInMilliseconds: 400, Confirmed: true });
    expect(await t.cloud.recordings.list('dev-a')).toHaveLength(1);

    await t.call('DeleteDeviceUsageData', { DeviceArn: deviceArn, DeviceUsageType: 'VOICE' });
    await waitUntilAsync(async () => (await t.cloud.recordings.list('dev-a')).length === 0, 'recording files deleted');
    expect((await t.call('ListDeviceRecordings', { DeviceArn: deviceArn })).Recordings).toHaveLength(0);
    // the device is told too
    const notify = await a.next(a.topics.jobsNotify, 0);
    expect(notify.jobs[0]).toMatchObject({ operation: 'delete-recordings' });
  });

  test('a room that opts out keeps nothing; malformed utterance messages are dropped', async () => {
    const a = await connectDevice('dev-a', await t.register('dev-a'));
    const { ProfileArn } = await t.call('CreateProfile', { ...PROFILE, ProfileName: 'no retention', DataRetentionOptIn: false });
    const { RoomArn } = await t.call('CreateRoom', { RoomName: 'quiet', ProfileArn });
    await t.call('AssociateDeviceWithRoom', { DeviceArn: arn('dev-a'), RoomArn });
    await a.publish(a.topics.utteranceStart(1), { id: 2, initiator: 'tap' }); // wrong id, bad schema
    await a.publish(a.topics.utteranceAudio(1), Buffer.from([9, 9, 9]), { qos: 0 });
    await a.publish(a.topics.utteranceStart(3), { id: 3, initiator: 'tap', preRoll: { requestedSamples: 0, availableSamples: 0, complete: true }, sampleRate: 16000, format: 'L16' });
    await a.publish(a.topics.utteranceAudio(3), encodeAudioChunk({ seq: 0, offset: 0, samples: new Int16Array(1280).fill(300) }), { qos: 0 });
    await a.publish(a.topics.utteranceEnd(3), { id: 3, endIndex: 1280, reason: 'end-of-speech', samples: 1280, chunks: 1 });
    const done = await t.waitFor('utterance', (p) => p.utteranceId === 3);
    expect(done.recordingId).toBeUndefined();
    expect(await t.cloud.recordings.list('dev-a')).toHaveLength(0);
    expect(t.events.some((e) => e.name === 'utterance' && e.payload.utteranceId === 1)).toBe(false);
  });
});

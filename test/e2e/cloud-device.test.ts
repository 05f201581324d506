/**
 * The cloud and real devices in one process, on the embedded broker and again on a real Mosquitto
 * that the cloud manages (password and ACL files written on registration, SIGHUP): profiles flashed
 * through the A4B operations end to end, refused profiles, a broker restart in the middle of an
 * update, reset over MQTT, and where the network password may and may not appear.
 *
 * Each device runs on its own VirtualClock (its link's timers move only when the test advances it);
 * MQTT traffic is real and awaited.
 */
import { ARN_PREFIX } from '../../cloud-link/cloud/a4b/arn.js';
import { BROKER_KINDS } from '../support/mosquitto.js';
import { NETWORK, PROFILE, WIFI_PASSWORD } from '../cloud-link/cloud/a4b/helpers.js';
import { startTestCloud, type TestCloud } from '../cloud-link/cloud/cloud-fixture.js';
import { capturingLogger, linkedDevice, removeDir, type LinkedDevice } from '../cloud-link/device/link/linked-device.js';
import { WakeWordVerifier } from '../../cloud-link/cloud/verification/verifier.js';
import { runDevice } from '../../firmware/device/runner.js';
import { GatedSource } from '../cloud-link/device/link/gated-source.js';
import { ArraySource, disposeSharedModels, sharedModels } from '../firmware/device/harness.js';
import { loadFixtures } from '../models/wakeword/fixtures.js';

const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;

let t: TestCloud;
const devices: LinkedDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) {
    await d.stop().catch(() => undefined);
    removeDir(d.dataDir);
  }
  await t.stop();
});
afterAll(async () => {
  await disposeSharedModels();
});

async function startDevice(serial: string, extra: Partial<Parameters<typeof linkedDevice>[0]> = {}): Promise<LinkedDevice> {
  const secret = await t.register(serial);
  const d = await linkedDevice({ url: t.cloud.brokerUrl, deviceId: serial, secret, ...extra });
  devices.push(d);
  await d.until(() => d.link.connected, `${serial} connected`);
  return d;
}

/** The desired profile version the cloud holds for a device. */
function desiredVersion(serial: string): number {
  return (t.cloud.service.desiredStateFor(serial) as { profileVersion: number }).profileVersion;
}

/** Waits (moving the device's clock) until the cloud has heard the device applied `version`. */
async function converged(d: LinkedDevice, serial: string, version: number): Promise<void> {
  await d.until(() => t.events.some((e) => e.name === 'profile-applied' && e.payload.deviceId === serial && e.payload.version === version), `${serial} applied v${version}`);
}

async function roomWithProfile(profile: Record<string, unknown> = PROFILE): Promise<{ roomArn: string; profileArn: string }> {
  const { ProfileArn } = await t.call('CreateProfile', profile);
  const { RoomArn } = await t.call('CreateRoom', { RoomName: `Room ${String(profile.ProfileName)}`, ProfileArn });
  return { roomArn: RoomArn as string, profileArn: ProfileArn as string };
}

describe.each(BROKER_KINDS)('cloud and devices (%s broker)', (kind) => {
  beforeEach(async () => {
    t = await startTestCloud({ brokerKind: kind });
  });

  test('a room profile and a network profile are applied end to end and the version is reported', async () => {
    const d = await startDevice('e2e-1');
    const { roomArn } = await roomWithProfile();
    const { NetworkProfileArn } = await t.call('CreateNetworkProfile', NETWORK);
    await t.call('AssociateDeviceWithRoom', { DeviceArn: arn('e2e-1'), RoomArn: roomArn });
    await t.call('AssociateDeviceWithNetworkProfile', { DeviceArn: arn('e2e-1'), NetworkProfileArn });
    const version = desiredVersion('e2e-1');
    await converged(d, 'e2e-1', version);

    // the device runs it...
    const settings = d.device.features.settings.get();
    expect(settings.earcons).toMatchObject({ startOfRequest: true, endOfRequest: false });
    expect(d.link.appliedProfile?.version).toBe(version);
    expect(d.link.wifi.status()).toMatchObject({ Ssid: 'corp-net', State: 'CONNECTED' });
    // ...the cloud knows it, and the shadow says so without the password
    const info = (await t.call('GetDevice', { DeviceArn: arn('e2e-1') })).Device;
    expect(info.DeviceStatusInfo).toMatchObject({ SyncStatus: 'SYNCED', ConnectionStatus: 'ONLINE' });
    const reported = (t.cloud.service.shadows.get('e2e-1')?.document as { state: { reported: Record<string, any> } }).state.reported;
    expect(reported).toMatchObject({ profileVersion: version, applied: { version }, roomProfile: { MaxVolumeLimit: 7, Timezone: 'Europe/Berlin' } });
    expect(reported.networkProfile).toMatchObject({ Ssid: 'corp-net' });
    expect(JSON.stringify(reported)).not.toContain(WIFI_PASSWORD);
  });

  test('a profile the device cannot run is refused with a reason and the device keeps its last good state', async () => {
    const d = await startDevice('e2e-2');
    const { roomArn, profileArn } = await roomWithProfile();
    await t.call('AssociateDeviceWithRoom', { DeviceArn: arn('e2e-2'), RoomArn: roomArn });
    const good = desiredVersion('e2e-2');
    await converged(d, 'e2e-2', good);
    const before = { features: d.device.features.snapshot(), applied: d.link.appliedProfile };

    await t.call('UpdateProfile', { ProfileArn: profileArn, WakeWord: 'COMPUTER', MaxVolumeLimit: 2 });
    const bad = desiredVersion('e2e-2');
    await d.until(() => t.events.some((e) => e.name === 'profile-rejected' && e.payload.version === bad), 'refusal reported');
    const refusal = t.events.find((e) => e.name === 'profile-rejected')!.payload as { code: string; reason: string };
    expect(refusal.code).toBe('WAKE_WORD_UNSUPPORTED');
    expect(refusal.reason).toMatch(/COMPUTER/);
    expect(d.device.features.snapshot()).toEqual(before.features);
    expect(d.link.appliedProfile).toEqual(before.applied);
    const info = (await t.call('GetDevice', { DeviceArn: arn('e2e-2') })).Device.DeviceStatusInfo;
    expect(info.SyncStatus).toBe('PENDING');
    expect(info.SyncDetail).toBe('WAKE_WORD_UNSUPPORTED');

    // fixing the profile converges again
    await t.call('UpdateProfile', { ProfileArn: profileArn, WakeWord: 'ALEXA' });
    await converged(d, 'e2e-2', desiredVersion('e2e-2'));
    expect((await t.call('GetDevice', { DeviceArn: arn('e2e-2') })).Device.DeviceStatusInfo.SyncStatus).toBe('SYNCED');
  });

  test('a broker restart in the middle of an update ends with the device converged and no telemetry lost', async () => {
    const d = await startDevice('e2e-3');
    const { roomArn, profileArn } = await roomWithProfile();
    await t.call('AssociateDeviceWithRoom', { DeviceArn: arn('e2e-3'), RoomArn: roomArn });
    await converged(d, 'e2e-3', desiredVersion('e2e-3'));

    await t.call('UpdateProfile', { ProfileArn: profileArn, MaxVolumeLimit: 4, Timezone: 'Asia/Tokyo' });
    const version = desiredVersion('e2e-3');
    await t.restartBroker();
    // while the link is down, the device keeps working and queues its telemetry
    d.device.buttonEdge({ button: 'mic-off', pressed: true, at: d.clock.now() });
    d.device.buttonEdge({ button: 'mic-off', pressed: false, at: d.clock.now() + 100 });
    await converged(d, 'e2e-3', version);
    expect(d.link.appliedProfile?.version).toBe(version);
    const reported = (t.cloud.service.shadows.get('e2e-3')?.document as { state: { reported: Record<string, any> } }).state.reported;
    expect(reported.roomProfile).toMatchObject({ MaxVolumeLimit: 4, Timezone: 'Asia/Tokyo' });

    // every state change the device made reached the cloud once, in order, with no gap
    await d.until(() => d.link.outboxDepth === 0, 'outbox drained');
    await d.until(() => t.events.some((e) => e.name === 'telemetry' && e.payload.deviceId === 'e2e-3' && e.payload.message.to === 'MIC_OFF'), 'mic-off telemetry arrived');
    const seqs = t.events.filter((e) => e.name === 'telemetry' && e.payload.deviceId === 'e2e-3').map((e) => (e.payload as { message: { seq: number } }).message.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(Math.max(...seqs) - Math.min(...seqs) + 1).toBe(seqs.length);
  });

  test('reset over MQTT clears exactly the requested features and the job ends SUCCEEDED', async () => {
    const d = await startDevice('e2e-4');
    const f = d.device.features;
    await f.lists.add('shopping', 'milk');
    await f.volume.set(8);
    const before = f.snapshot();
    await t.call('StartDeviceSync', { DeviceArn: arn('e2e-4'), Features: ['LISTS'] });
    await d.until(() => t.events.some((e) => e.name === 'job-updated' && e.payload.deviceId === 'e2e-4' && e.payload.status === 'SUCCEEDED'), 'reset job done');
    const after = f.snapshot();
    expect(after.lists).not.toEqual(before.lists);
    expect(JSON.stringify(after.lists)).not.toContain('milk');
    expect(after.volume).toEqual(before.volume);
    expect(after.bluetooth).toEqual(before.bluetooth);
  });

  test('the network password appears in no API response, no log line and no message to another device', async () => {
    const logLines: string[] = [];
    await t.stop();
    t = await startTestCloud({ brokerKind: kind, log: capturingLogger(logLines) });
    const a = await startDevice('e2e-5a', { log: capturingLogger(logLines) });
    const b = await startDevice('e2e-5b', { log: capturingLogger(logLines) });
    const { roomArn } = await roomWithProfile();
    const { NetworkProfileArn } = await t.call('CreateNetworkProfile', { ...NETWORK, NextPassword: 'N3xt-Rotation-Pass' });
    const responses: unknown[] = [];
    for (const serial of ['e2e-5a', 'e2e-5b']) {
      responses.push(await t.call('AssociateDeviceWithRoom', { DeviceArn: arn(serial), RoomArn: roomArn }));
    }
    responses.push(await t.call('AssociateDeviceWithNetworkProfile', { DeviceArn: arn('e2e-5a'), NetworkProfileArn }));
    await converged(a, 'e2e-5a', desiredVersion('e2e-5a'));
    await converged(b, 'e2e-5b', desiredVersion('e2e-5b'));
    responses.push(await t.call('GetNetworkProfile', { NetworkProfileArn }));
    responses.push(await t.call('SearchNetworkProfiles', {}));
    responses.push(await t.call('GetDevice', { DeviceArn: arn('e2e-5a') }));
    responses.push(await t.call('SearchDevices', {}));
    expect(a.link.wifi.status()).toMatchObject({ Ssid: 'corp-net', State: 'CONNECTED' });

    for (const secret of [WIFI_PASSWORD, 'N3xt-Rotation-Pass']) {
      expect(JSON.stringify(responses)).not.toContain(secret);
      expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
      expect(JSON.stringify(t.cloud.service.shadows.get('e2e-5b'))).not.toContain(secret);
      expect(JSON.stringify(b.link.appliedProfile ?? {})).not.toContain(secret);
    }
    expect(logLines.length).toBeGreaterThan(20); // the loggers did log: the check above has teeth
  });
});

/** The clip exactly as the spotter and verifier tests hear it, then `seconds` of digital silence. */
function followedByQuiet(samples: Int16Array, seconds: number): Int16Array {
  const out = new Int16Array(samples.length + seconds * 16000);
  out.set(samples);
  return out;
}

describe('cloud verification of the wake word, end to end (embedded broker)', () => {
  beforeEach(async () => {
    const { models } = await sharedModels();
    t = await startTestCloud({ verifier: new WakeWordVerifier({ models }) });
  });

  /**
   * Plays a fixture as the spotter tests do (from its first sample, then 3 s of quiet) into the device through its full pipeline. While a
   * request is open, each frame waits until the cloud's verdict for it is in (at most 200 ms of real
   * time per frame): the device runs on audio time, faster than real time, and a real device would
   * have kept listening while the cloud decided.
   */
  async function hear(d: LinkedDevice, serial: string, name: string): Promise<{ id: number }> {
    const fixture = [...loadFixtures('pos'), ...loadFixtures('neg')].find((f) => f.name.startsWith(name))!;
    const verdictFor = (id: number): boolean => t.events.some((e) => e.name === 'verdict' && e.payload.deviceId === serial && e.payload.utteranceId === id);
    const gated = new GatedSource(new ArraySource(followedByQuiet(fixture.samples, 3), 1), async () => {
      const starts = d.td.of('stream-start');
      const last = starts[starts.length - 1];
      if (!last || !['LISTENING', 'THINKING'].includes(d.device.state)) return;
      const deadline = Date.now() + 200;
      while (!verdictFor(last.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    });
    await runDevice(d.device, gated, { clock: d.clock, settleMs: 0 });
    const starts = d.td.of('stream-start');
    expect(starts).toHaveLength(1); // the device did wake
    const id = starts[0]!.id;
    await d.until(() => verdictFor(id) && t.events.some((e) => e.name === 'utterance' && e.payload.utteranceId === id), `utterance ${id} closed in the cloud`);
    return { id };
  }

  test('a near-miss the device woke on ("a lexicon") is rejected: capture stops, a false wake is counted, nothing is kept', async () => {
    const d = await startDevice('verify-1');
    const { roomArn } = await roomWithProfile();
    await t.call('AssociateDeviceWithRoom', { DeviceArn: arn('verify-1'), RoomArn: roomArn });
    const { id } = await hear(d, 'verify-1', 'n07');
    const verdict = t.events.find((e) => e.name === 'verdict')!.payload as { confirmed: boolean; reason?: string };
    expect(verdict.confirmed).toBe(false);
    expect(d.td.of('false-wake').map((f) => f.id)).toEqual([id]);
    await d.until(() => d.device.state === 'IDLE', 'back to IDLE');
    await d.until(() => t.events.some((e) => e.name === 'telemetry' && e.payload.kind === 'false-wake'), 'false wake reported');
    expect(await t.cloud.recordings.list('verify-1')).toEqual([]);
  });

  test('a true "Alexa" is confirmed: the request goes on and the room keeps the recording', async () => {
    const d = await startDevice('verify-2');
    const { roomArn } = await roomWithProfile();
    await t.call('AssociateDeviceWithRoom', { DeviceArn: arn('verify-2'), RoomArn: roomArn });
    const { id } = await hear(d, 'verify-2', 'p01');
    const verdict = t.events.find((e) => e.name === 'verdict')!.payload as { confirmed: boolean; score: number };
    expect(verdict.confirmed).toBe(true);
    expect(d.td.of('false-wake')).toEqual([]);
    const closed = t.events.find((e) => e.name === 'utterance' && e.payload.utteranceId === id)!.payload as { recordingId?: string; missingChunks: number };
    expect(closed.missingChunks).toBe(0);
    expect(closed.recordingId).toBeDefined();
    const listed = (await t.call('ListDeviceRecordings', { DeviceArn: arn('verify-2') })).Recordings as Array<{ RecordingId: string }>;
    expect(listed.map((r) => r.RecordingId)).toEqual([closed.recordingId]);
  });
});

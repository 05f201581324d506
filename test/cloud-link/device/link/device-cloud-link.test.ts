/**
 * The device's side of the cloud link against both brokers, with a raw `echosim-cloud` client playing
 * the cloud from the protocol's own functions: profiles applied and reported with their version,
 * refused ones reported with the device unchanged, secrets kept out of everything reported or
 * logged, and convergence across a broker restart in the middle of an apply.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MosquittoUser } from '../../../../cloud-link/broker/mosquitto-config.js';
import { getDeviceShadow } from '../../../../cloud-link/protocol/device-shadow.js';
import type { NetworkProfile } from '../../../../cloud-link/protocol/network-profile.js';
import type { RoomProfile } from '../../../../cloud-link/protocol/room-profile.js';
import { ReportedStateSchema } from '../../../../cloud-link/protocol/shadow.js';
import { SimulatedWifi } from '../../../../cloud-link/device/wifi/simulated-wifi.js';
import type { WifiCredentials, WifiStatus } from '../../../../cloud-link/device/wifi/wifi-manager.js';
import { BROKER_KINDS, startTestBroker, type TestBroker } from '../../../support/mosquitto.js';
import { disposeSharedModels } from '../../../firmware/device/harness.js';
import { capturingLogger, linkedDevice, removeDir, secretOf, type LinkedDevice } from './linked-device.js';
import { CLOUD_PASSWORD, ProtocolCloud } from './protocol-cloud.js';

const DEVICES = ['room-1', 'room-2', 'room-3', 'room-4', 'room-5', 'room-6', 'room-7'];
const USERS: MosquittoUser[] = [
  ...DEVICES.map((id) => ({ username: id, password: secretOf(id), role: 'device' as const })),
  { username: 'echosim-cloud', password: CLOUD_PASSWORD, role: 'cloud' },
];

const WIFI_PASSWORD = 'wifi-current-7f3a';
const NEXT_WIFI_PASSWORD = 'wifi-next-91c2';
export const ROOM: RoomProfile = {
  ProfileName: 'Board room',
  Timezone: 'Europe/Berlin',
  Address: '1 Main Street, Springfield',
  DistanceUnit: 'METRIC',
  TemperatureUnit: 'CELSIUS',
  WakeWord: 'ALEXA',
  Locale: 'de-DE',
  SetupModeDisabled: true,
  MaxVolumeLimit: 4,
  PSTNEnabled: false,
  DataRetentionOptIn: true,
  Earcons: { StartOfRequest: true, EndOfRequest: true },
  MeetingRoomConfiguration: { RoomUtilizationMetricsEnabled: true, InstantBooking: { DurationInMinutes: 30, Enabled: true } },
};
export const NETWORK: NetworkProfile = {
  NetworkProfileName: 'Office Wi-Fi',
  Ssid: 'Office',
  SecurityType: 'WPA2_PSK',
  CurrentPassword: WIFI_PASSWORD,
  NextPassword: NEXT_WIFI_PASSWORD,
};

afterAll(disposeSharedModels);

/** What a refused profile must leave exactly as it was. */
function snapshot(d: LinkedDevice): unknown {
  return {
    maxVolume: d.device.speaker.maxVolume,
    volume: d.device.speaker.volume,
    settings: d.device.features.settings.get(),
    wifi: d.link.wifi.status(),
    applied: d.link.appliedProfile,
    flash: readdirSync(path.join(d.dataDir, 'cloud-link'))
      .filter((f) => f.startsWith('profile.'))
      .map((f) => readFileSync(path.join(d.dataDir, 'cloud-link', f), 'utf8')),
  };
}

/** Holding action 7 s asks for setup mode: refused when the profile disables it (else entered, then left). */
async function setupModeRefused(d: LinkedDevice): Promise<boolean> {
  const refusedBefore = d.td.of('refused').length;
  const press = async (ms: number): Promise<void> => {
    d.device.buttonEdge({ button: 'action', pressed: true });
    await d.clock.advance(ms);
    d.device.buttonEdge({ button: 'action', pressed: false });
    await d.clock.advance(200);
  };
  await press(7500);
  const refused = d.td.of('refused').slice(refusedBefore).some((r) => r.code === 'SETUP_MODE_DISABLED');
  if (d.device.state === 'SETUP') await press(100); // a click leaves setup
  return refused;
}

describe.each(BROKER_KINDS)('DeviceCloudLink on the %s broker', (kind) => {
  let broker: TestBroker;
  let cloud: ProtocolCloud;
  const running: LinkedDevice[] = [];
  const start = async (deviceId: string, extra: Partial<Parameters<typeof linkedDevice>[0]> = {}): Promise<LinkedDevice> => {
    const d = await linkedDevice({ url: broker.url, deviceId, ...extra });
    running.push(d);
    return d;
  };

  beforeAll(async () => {
    broker = await startTestBroker(kind, USERS);
    cloud = await ProtocolCloud.connect(broker.url);
  });
  afterEach(async () => {
    for (const d of running.splice(0)) {
      await d.stop();
      removeDir(d.dataDir);
    }
  });
  afterAll(async () => {
    await cloud.close();
    await broker.stop();
  });

  test('applies the desired profile atomically and reports it with its version', async () => {
    const d = await start('room-1');
    await d.link.whenSynced(); // no shadow yet: device facts only
    expect(cloud.reported('room-1')).toEqual({ device: expect.objectContaining({ DeviceType: 'echo-dot-3', Volume: 5, MicOff: false }) });
    expect(d.device.state).toBe('IDLE');
    expect(await setupModeRefused(d)).toBe(false);

    await cloud.setDesired('room-1', { roomProfile: ROOM, networkProfile: NETWORK, skills: ['skill-a', 'skill-b'], profileVersion: 3 });
    await d.until(() => cloud.reported('room-1')?.profileVersion === 3, 'the device reported version 3');

    const reported = ReportedStateSchema.parse(cloud.reported('room-1'));
    expect(reported).toMatchObject({
      roomProfile: ROOM,
      networkProfile: { NetworkProfileName: 'Office Wi-Fi', Ssid: 'Office', SecurityType: 'WPA2_PSK' },
      skills: ['skill-a', 'skill-b'],
      profileVersion: 3,
      applied: { version: 3, at: d.of('profile-applied')[0]?.at },
      network: { Ssid: 'Office', SecurityType: 'WPA2_PSK', State: 'CONNECTED', PasswordSynced: true },
      device: { DeviceType: 'echo-dot-3', Volume: 4, MicOff: false },
    });
    expect(reported.rejected).toBeUndefined();
    expect(reported.networkProfile).not.toHaveProperty('CurrentPassword');
    // Converged: nothing left in the delta.
    const got = getDeviceShadow(cloud.docs.get('room-1'), { now: Date.now() });
    expect(got.ok && got.accepted.state.delta).toBeUndefined();
    expect(d.of('profile-applied')).toEqual([{ version: 3, at: expect.any(Number), boot: false }]);

    // The device really runs it: the volume limit clamps, the zone and earcons changed, setup is locked.
    expect(d.device.speaker.maxVolume).toBe(4);
    expect(d.device.speaker.setVolume(10)).toBe(4);
    expect(d.device.features.settings.get()).toMatchObject({ timeZone: 'Europe/Berlin', earcons: { startOfRequest: true, endOfRequest: true } });
    expect(await setupModeRefused(d)).toBe(true);
    expect(d.link.appliedProfile?.desired.roomProfile?.PSTNEnabled).toBe(false);
    expect(cloud.invalid).toEqual([]);

    // The flash copy holds the passwords (it is what the device re-applies at boot), readable by it alone.
    const dir = path.join(d.dataDir, 'cloud-link');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const slots = readdirSync(dir).filter((f) => f.startsWith('profile.'));
    expect(slots.length).toBeGreaterThan(0);
    for (const f of slots) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    expect(slots.map((f) => readFileSync(path.join(dir, f), 'utf8')).join()).toContain(WIFI_PASSWORD);
    // So does the key pair the passwords were sealed to on their way.
    const keySlots = readdirSync(dir).filter((f) => f.startsWith('device-key.'));
    expect(keySlots.length).toBeGreaterThan(0);
    for (const f of keySlots) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    // and they came sealed: no message on the wire held them
    const gets = cloud.bodies<{ publicKey: string }>('shadow/get', 'room-1');
    expect(gets.length).toBeGreaterThan(0);
    expect(new Set(gets.map((g) => g.publicKey)).size).toBe(1);
    expect(keySlots.map((f) => readFileSync(path.join(dir, f), 'utf8')).join()).toContain(gets[0]!.publicKey);
  });

  test('refuses a wake word it has no model for, reports why, and changes nothing', async () => {
    const d = await start('room-2');
    await cloud.setDesired('room-2', { roomProfile: ROOM, networkProfile: NETWORK, profileVersion: 7 });
    await d.until(() => cloud.reported('room-2')?.profileVersion === 7, 'version 7 applied');
    const before = snapshot(d);

    const computer = { ...ROOM, WakeWord: 'COMPUTER' as const, MaxVolumeLimit: 9, Timezone: 'America/New_York', Earcons: { StartOfRequest: false, EndOfRequest: false } };
    await cloud.setDesired('room-2', { roomProfile: computer, networkProfile: { ...NETWORK, Ssid: 'Elsewhere' }, profileVersion: 8 });
    await d.until(() => (cloud.reported('room-2')?.rejected as { version?: number } | undefined)?.version === 8, 'the refusal reported');

    const reported = ReportedStateSchema.parse(cloud.reported('room-2'));
    expect(reported.rejected).toEqual({ version: 8, code: 'WAKE_WORD_UNSUPPORTED', reason: expect.stringMatching(/COMPUTER.*ALEXA/) });
    expect(reported.profileVersion).toBe(7);
    expect(reported.applied?.version).toBe(7);
    expect(reported.roomProfile?.WakeWord).toBe('ALEXA');
    expect(d.of('profile-rejected')).toEqual([expect.objectContaining({ version: 8, code: 'WAKE_WORD_UNSUPPORTED' })]);
    expect(snapshot(d)).toEqual(before);

    // The next good version is applied, and clears the refusal.
    await cloud.setDesired('room-2', { roomProfile: { ...ROOM, MaxVolumeLimit: 9 }, networkProfile: NETWORK, profileVersion: 9 });
    await d.until(() => cloud.reported('room-2')?.profileVersion === 9, 'version 9 applied');
    expect(cloud.reported('room-2')?.rejected).toBeUndefined();
    expect(d.device.speaker.maxVolume).toBe(9);
  });

  test('never puts a password in reported state, messages or logs, even when the network refuses it', async () => {
    const lines: string[] = [];
    const ap = { ssid: 'Office', securityType: 'WPA2_PSK' as const, password: WIFI_PASSWORD };
    const d = await start('room-3', { log: capturingLogger(lines), wifi: new SimulatedWifi([ap]) });
    await cloud.setDesired('room-3', { roomProfile: ROOM, networkProfile: NETWORK, profileVersion: 1 });
    await d.until(() => cloud.reported('room-3')?.profileVersion === 1, 'version 1 applied');
    expect(cloud.reported('room-3')?.network).toMatchObject({ State: 'CONNECTED', PasswordSynced: true });
    // Rotation: the device holds NextPassword, so it keeps working when the network switches to it.
    ap.password = NEXT_WIFI_PASSWORD;
    expect(await (d.link.wifi as SimulatedWifi).networkChanged()).toMatchObject({ State: 'CONNECTED', Ssid: 'Office' });
    // A wrong password: the access point refuses it, so the whole profile is refused (its other
    // changes too) and the device stays on the network it had.
    const before = snapshot(d);
    const wrong = 'wrong-password-55';
    const room = { ...ROOM, MaxVolumeLimit: 8, Timezone: 'Asia/Tokyo' };
    await cloud.setDesired('room-3', { roomProfile: room, networkProfile: { ...NETWORK, CurrentPassword: wrong, NextPassword: '' }, profileVersion: 2 });
    await d.until(() => (cloud.reported('room-3')?.rejected as { version?: number } | undefined)?.version === 2, 'the refusal reported');
    expect(cloud.reported('room-3')?.rejected).toMatchObject({ code: 'INVALID_PASSWORD_STATE' });
    expect(d.link.wifi.status()).toMatchObject({ State: 'CONNECTED', Ssid: 'Office' });
    expect(snapshot(d)).toEqual(before);

    // The logs were captured and do describe the apply and the refusal, so checking them means something.
    const logged = lines.map((l) => JSON.parse(l) as { msg?: string; version?: number; code?: string });
    expect(logged).toEqual(expect.arrayContaining([
      expect.objectContaining({ msg: 'profile applied', version: 1 }),
      expect.objectContaining({ version: 2, code: 'INVALID_PASSWORD_STATE' }),
    ]));
    const everything = [
      lines.join('\n'),
      JSON.stringify(cloud.docs.get('room-3')?.state.reported),
      ...cloud.received.filter((m) => m.deviceId === 'room-3').map((m) => m.payload.toString('latin1')),
      JSON.stringify(d.events),
    ].join('\n');
    for (const secret of [WIFI_PASSWORD, NEXT_WIFI_PASSWORD, wrong, secretOf('room-3')]) expect(everything).not.toContain(secret);
  });

  test('a reset of NETWORK_PROFILE makes a new key; an answer sealed to the old key is dropped and asked again', async () => {
    const d = await start('room-7');
    await cloud.setDesired('room-7', { networkProfile: NETWORK, profileVersion: 1 });
    await d.until(() => cloud.reported('room-7')?.profileVersion === 1, 'version 1 applied');
    const keys = (): string[] => cloud.bodies<{ publicKey: string }>('shadow/get', 'room-7').map((g) => g.publicKey);
    const oldKey = keys().at(-1)!;

    await cloud.queueJob('room-7', { jobId: 'reset-network', operation: 'reset', parameters: { Features: ['NETWORK_PROFILE'] } });
    await d.until(() => cloud.job('room-7', 'reset-network')?.status === 'SUCCEEDED' && keys().at(-1) !== oldKey, 'reset done, asked with a new key');
    expect(cloud.job('room-7', 'reset-network')?.statusDetails).toMatchObject({ resynced: 'NETWORK_PROFILE' });
    const newKey = keys().at(-1)!;

    // A stale answer (sealed to the old key) to the newest request: it does not open, so it is
    // dropped, and the device asks again, with its new key, and is still on its network.
    const asked = keys().length;
    const token = cloud.bodies<{ clientToken: string }>('shadow/get', 'room-7').at(-1)!.clientToken;
    const stale = getDeviceShadow(cloud.docs.get('room-7'), { now: Date.now(), clientToken: token, recipient: { deviceId: 'room-7', publicKey: oldKey } });
    expect(stale.ok && stale.accepted.secrets).toBeTruthy();
    await cloud.publish('shadow/get/accepted', 'room-7', stale.ok ? stale.accepted : undefined);
    await d.until(() => d.of('malformed').some((m) => m.kind === 'shadow/get/accepted'), 'the stale answer dropped');
    expect(d.of('malformed').find((m) => m.kind === 'shadow/get/accepted')?.message).toMatch(/cannot be opened/);
    await d.until(() => keys().length > asked, 'asked again');
    expect(keys().slice(asked)).toEqual(keys().slice(asked).map(() => newKey));
    expect(d.link.wifi.status()).toMatchObject({ Ssid: 'Office', State: 'CONNECTED', PasswordSynced: true });
    expect(d.of('profile-rejected')).toEqual([]);
  });

  test('converges after the broker restarts in the middle of an apply', async () => {
    let release: (() => void) | undefined;
    const inner = new SimulatedWifi();
    const gated = {
      applying: 0,
      apply: async (c: WifiCredentials): Promise<WifiStatus> => {
        gated.applying++;
        if (c.Ssid === 'Gated') await new Promise<void>((resolve) => (release = resolve));
        return inner.apply(c);
      },
      status: () => inner.status(),
      close: () => inner.close(),
    };
    const d = await start('room-4', { wifi: gated });
    await d.link.whenSynced();
    await cloud.setDesired('room-4', { roomProfile: ROOM, networkProfile: { ...NETWORK, Ssid: 'Gated' }, profileVersion: 5 });
    await d.until(() => release !== undefined, 'the device started applying');

    await broker.restart();
    await d.until(() => d.link.connectionState !== 'CONNECTED', 'the device saw the broker go');
    release?.();
    await d.until(() => cloud.reported('room-4')?.profileVersion === 5 && d.link.connected, 'converged on version 5', 300);
    expect(ReportedStateSchema.parse(cloud.reported('room-4'))).toMatchObject({ applied: { version: 5 }, network: { Ssid: 'Gated', State: 'CONNECTED' } });
    expect(d.of('profile-applied').map((p) => p.version)).toEqual([5]);
    expect(d.of('connection').filter((c) => c.to === 'CONNECTED').length).toBeGreaterThanOrEqual(2);
    expect(d.device.state).toBe('IDLE');
  });

  test('retries a report refused with 409 or 429, and drops malformed messages without harm', async () => {
    const d = await start('room-5');
    await d.link.whenSynced();
    cloud.updateFaults.push(409, 429);
    await cloud.setDesired('room-5', { roomProfile: ROOM, profileVersion: 11 });
    await d.until(() => cloud.reported('room-5')?.profileVersion === 11, 'reported after the conflict and the throttling');
    expect(cloud.updateFaults).toEqual([]);
    // A 400 is not retried (the same report would be refused again): it is an event, and the next
    // desired change is reported as usual.
    cloud.updateFaults.push(400);
    await cloud.setDesired('room-5', { roomProfile: { ...ROOM, MaxVolumeLimit: 5 }, profileVersion: 12 });
    await d.until(() => d.of('shadow-rejected').length === 1, 'the 400');
    expect(d.of('shadow-rejected')).toEqual([{ request: 'update', code: 400, message: 'injected fault' }]);
    expect(cloud.reported('room-5')?.profileVersion).toBe(11);
    await cloud.setDesired('room-5', { roomProfile: { ...ROOM, MaxVolumeLimit: 4 }, profileVersion: 13 });
    await d.until(() => cloud.reported('room-5')?.profileVersion === 13, 'version 13 reported');

    for (const [topicKind, body] of [
      ['shadow/update/delta', '{"state":'],
      ['shadow/get/accepted', '{"state":{},"version":"x"}'],
      ['jobs/notify', '{"jobs":[{"jobId":"x"}],"at":1}'],
    ] as const) {
      await cloud.publish(topicKind, 'room-5', body);
    }
    await cloud.publish('utterance/verdict', 'room-5', { id: 4, confirmed: false, score: 0.1, threshold: 0.5 }, { utteranceId: 5 });
    await d.until(() => d.of('malformed').length === 4, 'four malformed messages dropped');
    expect(d.of('malformed').map((m) => m.kind)).toEqual(['shadow/update/delta', 'shadow/get/accepted', 'jobs/notify', 'utterance/verdict']);
    expect(d.of('utterance-rejected')).toEqual([]);
    expect(d.link.connected).toBe(true);
    expect(d.device.speaker.maxVolume).toBe(4);
  });
});

describe('DeviceCloudLink without a broker', () => {
  test('the applied profile survives a restart: re-applied from flash at boot, before any cloud', async () => {
    let broker: TestBroker | undefined = await startTestBroker('embedded', USERS);
    const cloud = await ProtocolCloud.connect(broker.url);
    const first = await linkedDevice({ url: broker.url, deviceId: 'room-6' });
    const dataDir = first.dataDir;
    try {
      await cloud.setDesired('room-6', { roomProfile: { ...ROOM, MaxVolumeLimit: 3, Timezone: 'Asia/Tokyo' }, networkProfile: NETWORK, profileVersion: 21 });
      await first.until(() => cloud.reported('room-6')?.profileVersion === 21, 'version 21 applied');
      await first.stop();
      await cloud.close();
      await broker.stop();
      broker = undefined;

      const url = 'mqtt://127.0.0.1:1'; // nothing listens: the device never reaches a cloud
      const again = await linkedDevice({ url, deviceId: 'room-6', dataDir });
      try {
        expect(again.of('profile-applied')).toEqual([{ version: 21, at: expect.any(Number), boot: true }]);
        expect(again.device.speaker.maxVolume).toBe(3);
        expect(again.device.features.settings.get()).toMatchObject({ timeZone: 'Asia/Tokyo', earcons: { startOfRequest: true, endOfRequest: true } });
        expect(again.link.wifi.status()).toMatchObject({ State: 'CONNECTED', Ssid: 'Office', PasswordSynced: true });
        expect(again.link.appliedProfile).toMatchObject({ version: 21, desired: { networkProfile: { Ssid: 'Office' } } });
        expect(JSON.stringify(again.link.appliedProfile)).not.toContain(WIFI_PASSWORD);
        expect(again.of('connection').some((c) => c.to === 'CONNECTED')).toBe(false);
        expect(await setupModeRefused(again)).toBe(true);
        // close() takes back every listener the link put on the device.
        await again.link.close();
        expect(again.listenerCounts()).toEqual(again.baselineListeners);
      } finally {
        await again.stop();
      }
    } finally {
      if (broker) await broker.stop();
      removeDir(dataDir);
    }
  });
});

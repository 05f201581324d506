/**
 * A room profile's WakeWord through the device's link: the profile applier loads the word's head as
 * part of its all-or-nothing apply, the spotter switches (at once, or at the end of a request being
 * captured), the reported state says which word it runs, a head that cannot load refuses the profile
 * with the device unchanged, and the stored profile's word is back in force after a reboot.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MosquittoUser } from '../../../../cloud-link/broker/mosquitto-config.js';
import type { RoomProfile } from '../../../../cloud-link/protocol/room-profile.js';
import { ReportedStateSchema } from '../../../../cloud-link/protocol/shadow.js';
import { WakeWordRegistry } from '../../../../models/wakeword/registry.js';
import { startTestBroker, type TestBroker } from '../../../support/mosquitto.js';
import { COMPUTER_AS_JARVIS, makeHeadsDir } from '../../../support/test-heads.js';
import { disposeSharedModels } from '../../../firmware/device/harness.js';
import { linkedDevice, removeDir, secretOf, type LinkedDevice } from './linked-device.js';
import { CLOUD_PASSWORD, ProtocolCloud } from './protocol-cloud.js';

const DEVICES = ['word-1', 'word-2', 'word-3'];
const ROOM: RoomProfile = {
  ProfileName: 'Board room',
  Timezone: 'Europe/Berlin',
  Address: '1 Main Street, Springfield',
  DistanceUnit: 'METRIC',
  TemperatureUnit: 'CELSIUS',
  WakeWord: 'ALEXA',
  MaxVolumeLimit: 4,
};
const USERS: MosquittoUser[] = [
  ...DEVICES.map((id) => ({ username: id, password: secretOf(id), role: 'device' as const })),
  { username: 'echosim-cloud', password: CLOUD_PASSWORD, role: 'cloud' },
];

describe('a room profile switches the spotter', () => {
  const heads = makeHeadsDir([COMPUTER_AS_JARVIS, { word: 'echo', wakeWord: 'ECHO', from: 'hey_mycroft' }]);
  // The echo head's file no longer matches its description: loading it fails.
  writeFileSync(path.join(heads.dir, 'echo', 'echo.onnx'), 'damaged');
  const registry = WakeWordRegistry.load({ headsDir: heads.dir });
  let broker: TestBroker;
  let cloud: ProtocolCloud;
  const running: LinkedDevice[] = [];
  const start = async (deviceId: string): Promise<LinkedDevice> => {
    const d = await linkedDevice({ url: broker.url, deviceId, deviceOptions: { wakeWords: registry } });
    running.push(d);
    return d;
  };
  const reportedWord = (id: string): unknown => (cloud.reported(id)?.device as { WakeWord?: string } | undefined)?.WakeWord;

  beforeAll(async () => {
    broker = await startTestBroker('embedded', USERS);
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
    await disposeSharedModels();
    heads.remove();
  });

  test('COMPUTER: applied, switched at once, and reported; the device reports the word it runs', async () => {
    const d = await start('word-1');
    await d.link.whenSynced();
    expect(reportedWord('word-1')).toBe('ALEXA');
    await cloud.setDesired('word-1', { roomProfile: { ...ROOM, WakeWord: 'COMPUTER' }, profileVersion: 2 });
    await d.until(() => cloud.reported('word-1')?.profileVersion === 2, 'version 2 reported');
    const reported = ReportedStateSchema.parse(cloud.reported('word-1'));
    expect(reported.roomProfile?.WakeWord).toBe('COMPUTER');
    expect(reported.device?.WakeWord).toBe('COMPUTER');
    expect(d.td.of('wake-word')).toEqual([expect.objectContaining({ keywords: ['computer'], wakeWord: 'COMPUTER', previous: ['alexa'], deferred: false })]);
    expect(d.device.wakeWord?.keywords).toEqual(['computer']);
  });

  test('during a request the profile is applied but the switch waits for its end, then the word is reported again', async () => {
    const d = await start('word-2');
    await d.link.whenSynced();
    d.device.buttonEdge({ button: 'action', pressed: true }); // push-to-talk: LISTENING
    await d.clock.advance(100);
    d.device.buttonEdge({ button: 'action', pressed: false });
    await d.clock.advance(100);
    expect(d.device.state).toBe('LISTENING');

    await cloud.setDesired('word-2', { roomProfile: { ...ROOM, WakeWord: 'COMPUTER' }, profileVersion: 5 });
    await d.until(() => cloud.reported('word-2')?.profileVersion === 5, 'version 5 reported');
    expect(reportedWord('word-2')).toBe('ALEXA'); // still spotting alexa: the request is not over
    expect(d.device.wakeWord?.pendingKeyword).toBe('computer');
    expect(d.td.of('wake-word')).toEqual([]);

    d.device.buttonEdge({ button: 'action', pressed: true }); // cancels the request
    await d.clock.advance(100);
    d.device.buttonEdge({ button: 'action', pressed: false });
    await d.until(() => reportedWord('word-2') === 'COMPUTER', 'the switch reported');
    expect(d.td.of('wake-word')).toEqual([expect.objectContaining({ keywords: ['computer'], deferred: true })]);
  });

  test('a head that cannot load refuses the profile with its code and changes nothing; a reboot restores the stored word', async () => {
    // Its own broker, stopped before the reboot: the device comes back with no cloud to reach.
    let own: TestBroker | undefined = await startTestBroker('embedded', USERS);
    const ownCloud = await ProtocolCloud.connect(own.url);
    const d = await linkedDevice({ url: own.url, deviceId: 'word-3', deviceOptions: { wakeWords: registry } });
    const dataDir = d.dataDir;
    try {
      await ownCloud.setDesired('word-3', { roomProfile: { ...ROOM, WakeWord: 'COMPUTER' }, profileVersion: 7 });
      await d.until(() => ownCloud.reported('word-3')?.profileVersion === 7, 'version 7 reported');

      await ownCloud.setDesired('word-3', { roomProfile: { ...ROOM, WakeWord: 'ECHO', MaxVolumeLimit: 2 }, profileVersion: 8 });
      await d.until(() => (ownCloud.reported('word-3')?.rejected as { version?: number } | undefined)?.version === 8, 'the refusal reported');
      const reported = ReportedStateSchema.parse(ownCloud.reported('word-3'));
      expect(reported.rejected).toEqual({ version: 8, code: 'MODEL_CHECKSUM_MISMATCH', reason: expect.stringContaining('echo.onnx') });
      expect(reported.profileVersion).toBe(7);
      expect(reported.device?.WakeWord).toBe('COMPUTER');
      expect(d.device.speaker.maxVolume).toBe(ROOM.MaxVolumeLimit);
      await d.stop();
      await ownCloud.close();
      await own.stop();
      own = undefined;

      const again = await linkedDevice({ url: 'mqtt://127.0.0.1:1', deviceId: 'word-3', dataDir, deviceOptions: { wakeWords: registry } });
      try {
        expect(again.device.wakeWord?.keywords).toEqual(['computer']);
        expect(again.of('profile-applied')).toEqual([expect.objectContaining({ version: 7, boot: true })]);
        await again.until(() => again.of('connection').some((c) => c.to === 'BACKOFF'), 'its first attempt failed');
        expect(again.of('connection').some((c) => c.to === 'CONNECTED')).toBe(false);
      } finally {
        await again.stop();
      }
    } finally {
      await d.stop().catch(() => undefined);
      await own?.stop();
      removeDir(dataDir);
    }
  });
});

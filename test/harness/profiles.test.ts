/**
 * Example: flashing room profiles to simulated devices through the A4B operations, written only
 * against the public harness API. The devices' MQTT traffic is real; their clocks are virtual.
 */
import { startSimulation } from '../../tools/harness/index.js';
import { MEETING_ROOM, simulationPerTest } from './room-fixture.js';
import { makeHeadsDir } from '../support/test-heads.js';

const run = simulationPerTest();

test('a room profile reaches both devices of the room: reported profileVersion and the volume limit in force', async () => {
  const sim = run.sim = await startSimulation({ devices: 2 });
  const [a, b] = sim.devices;
  const before = a!.reported()?.profileVersion;

  await sim.cloud.roomWithProfile(MEETING_ROOM, { devices: [a!.id, b!.id] });
  const wanted = sim.cloud.desiredVersion(a!.id);
  expect(wanted).toBeGreaterThan(before ?? 0);

  for (const device of [a!, b!]) {
    const reported = await device.waitForSync();
    expect(reported.profileVersion).toBe(sim.cloud.desiredVersion(device.id));
    expect(reported.roomProfile).toMatchObject({ MaxVolumeLimit: 7, Timezone: 'Europe/Berlin', SetupModeDisabled: true });
    // ...and the firmware runs it: the speaker is capped at 7 of 10
    expect(device.snapshot()).toMatchObject({ maxVolume: 7, profileVersion: reported.profileVersion, linkConnected: true });
  }
  expect(sim.cloud.of('profile-applied').map((p) => p.deviceId).sort()).toEqual(expect.arrayContaining([a!.id, b!.id]));
});

test('an update is applied as a new version; the volume buttons stop at the new limit', async () => {
  const sim = run.sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  const { profileArn } = await sim.cloud.roomWithProfile(MEETING_ROOM, { devices: [echo!.id] });
  const first = (await echo!.waitForSync()).profileVersion!;

  await sim.cloud.call('UpdateProfile', { ProfileArn: profileArn, MaxVolumeLimit: 4 });
  const second = await echo!.waitForSync();
  expect(second.profileVersion).toBeGreaterThan(first);
  expect(second.roomProfile?.MaxVolumeLimit).toBe(4);

  for (let i = 0; i < 8; i++) await echo!.press('volume-up');
  const volumes = echo!.of('volume');
  expect(volumes.length).toBeGreaterThan(0);
  expect(Math.max(...volumes.map((v) => v.level))).toBe(4);
  expect(echo!.snapshot().volume).toBe(4);
});

test('a profile the device cannot run is refused with its code, and the device keeps its last good version', async () => {
  // A cloud newer than its device: its API offers COMPUTER, the device ships no head for it.
  const heads = makeHeadsDir([]);
  run.onStop = heads.remove;
  const sim = run.sim = await startSimulation({ devices: 1, headsDir: heads.dir, cloudWakeWords: ['ALEXA', 'COMPUTER'] });
  const [echo] = sim.devices;
  const { profileArn } = await sim.cloud.roomWithProfile(MEETING_ROOM, { devices: [echo!.id] });
  const good = (await echo!.waitForSync()).profileVersion;

  await sim.cloud.call('UpdateProfile', { ProfileArn: profileArn, WakeWord: 'COMPUTER' });
  await expect(echo!.waitForSync()).rejects.toMatchObject({ code: 'PROFILE_REJECTED', message: expect.stringContaining('WAKE_WORD_UNSUPPORTED') });
  expect(echo!.snapshot().profileVersion).toBe(good);
  expect(echo!.reported()?.profileVersion).toBe(good);
});

test('a mixed fleet: devices of different models, named by serial number, each on its own flash and clock', async () => {
  const sim = run.sim = await startSimulation({ devices: [{ id: 'kitchen', model: 'echo-2' }, { id: 'boardroom', model: 'trio-8800' }] });
  expect(sim.devices.map((d) => [d.id, d.model.id])).toEqual([
    ['kitchen', 'echo-2'],
    ['boardroom', 'trio-8800'],
  ]);
  await sim.cloud.roomWithProfile({ ...MEETING_ROOM, MaxVolumeLimit: 6 }, { devices: ['kitchen', 'boardroom'] });
  for (const d of sim.devices) expect((await d.waitForSync()).roomProfile?.MaxVolumeLimit).toBe(6);

  // The Trio's privacy key is `mute`; only that device goes quiet, and the cloud hears about it.
  const trio = sim.device('boardroom');
  await trio.press('mute');
  expect(trio.state).toBe('MIC_OFF');
  expect(sim.device('kitchen').state).toBe('IDLE');
  await sim.cloud.waitFor({ event: 'telemetry', after: 0, match: (t) => t.deviceId === 'boardroom' && t.message.to === 'MIC_OFF' });
  const info = await sim.cloud.call('GetDevice', { DeviceArn: sim.cloud.deviceArn('boardroom') });
  expect(info.Device).toMatchObject({ DeviceType: 'trio-8800', DeviceStatusInfo: { ConnectionStatus: 'ONLINE' } });
});

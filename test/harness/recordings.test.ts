/**
 * Example: what the cloud keeps of a confirmed utterance, listed by id and size only, depending on the
 * room's retention choice; written only against the public harness API.
 */
import { DEMO_WAV, disposeModels, startSimulation, type Simulation } from '../../tools/harness/index.js';

const ROOM = { Timezone: 'UTC', Address: '3 Example Street', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA' };

let sim: Simulation | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});
afterAll(async () => {
  await disposeModels();
});

test('a confirmed utterance in a room that opts in is kept: listed by id and size, one per request', async () => {
  sim = await startSimulation({ devices: 2 });
  const [keeper, other] = sim.devices;
  await sim.cloud.roomWithProfile({ ...ROOM, ProfileName: 'Keeps recordings', DataRetentionOptIn: true, DataRetention: 'DELETE_AFTER_3_MONTHS' }, { devices: [keeper!.id] });
  await sim.cloud.roomWithProfile({ ...ROOM, ProfileName: 'Keeps nothing', DataRetentionOptIn: false }, { devices: [other!.id] });
  await keeper!.waitForSync();
  await other!.waitForSync();

  await keeper!.play(DEMO_WAV);
  await other!.play(DEMO_WAV);
  for (const d of [keeper!, other!]) await sim.cloud.waitFor({ event: 'utterance', after: 0, match: (u) => u.deviceId === d.id });

  const kept = await sim.cloud.recordings(keeper!.id);
  expect(kept).toHaveLength(1);
  expect(Object.keys(kept[0]!).sort()).toEqual(['bytes', 'id']); // metadata only: never the audio
  // the utterance as streamed: 500 ms of pre-roll + speech up to the end of speech (16 kHz int16) plus the file's header
  const [utterance] = sim.cloud.of('utterance').filter((u) => u.deviceId === keeper!.id);
  expect(utterance!.recordingId).toBe(kept[0]!.id);
  expect(kept[0]!.bytes).toBeGreaterThan(utterance!.samples * 2);
  expect(kept[0]!.bytes).toBeLessThan(utterance!.samples * 2 + 4096);
  expect(await sim.cloud.recordings(other!.id)).toEqual([]);

  // The API lists the same, and deleting through it empties the list.
  const listed = await sim.cloud.call('ListDeviceRecordings', { DeviceArn: sim.cloud.deviceArn(keeper!.id) });
  expect((listed.Recordings as Array<{ RecordingId: string }>).map((r) => r.RecordingId)).toEqual([kept[0]!.id]);
  await keeper!.play(DEMO_WAV);
  await sim.cloud.waitFor(() => sim!.cloud.of('utterance').filter((u) => u.deviceId === keeper!.id).length === 2);
  const two = await sim.cloud.recordings(keeper!.id);
  expect(two).toHaveLength(2);
  expect(new Set(two.map((r) => r.id)).size).toBe(2);
});

test('text spoken through espeak-ng is heard like a recording (tools/setup.sh installs espeak-ng)', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  await sim.cloud.roomWithProfile({ ...ROOM, ProfileName: 'Spoken', DataRetentionOptIn: true, DataRetention: 'KEEP' }, { devices: [echo!.id] });
  await echo!.waitForSync();
  const result = await echo!.say('Alexa, turn on the lights');
  expect(result.state).toBe('IDLE');
  expect(echo!.transitions().map((t) => t.to).slice(-3)).toEqual(['LISTENING', 'THINKING', 'IDLE']);
  await sim.cloud.waitFor({ event: 'utterance', after: 0, match: (u) => u.deviceId === echo!.id });
  expect(await sim.cloud.recordings(echo!.id)).toHaveLength(1);
});

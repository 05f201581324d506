/**
 * Examples: a near-miss the device wakes on and the cloud rejects, the mic-off button, and waiting on
 * device timers in virtual time, written only against the public harness API.
 */
import path from 'node:path';
import { DEMO_WAV, disposeModels, frameHex, startSimulation, type Simulation } from '../../tools/harness/index.js';

/** "A lexicon of words": the on-device spotter fires on it, the cloud's stricter check does not. */
const NEAR_MISS = path.resolve('test/fixtures/wakeword/neg/n07-lexicon-flite-rms-clean.wav');
const RED = '#ff0000';

let sim: Simulation | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});
afterAll(async () => {
  await disposeModels();
});

test('a near-miss: the device wakes, the cloud rejects the wake word, capture stops at once and nothing is kept', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  // Everyone in the room opts in to recordings: still, a false wake is never kept.
  await sim.cloud.roomWithProfile({ ProfileName: 'Open plan', Timezone: 'UTC', Address: '2 Example Street', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA', DataRetentionOptIn: true, DataRetention: 'KEEP' }, { devices: [echo!.id] });
  await echo!.waitForSync();

  const result = await echo!.play(NEAR_MISS, { quietAfterMs: 3000 });
  expect(result.state).toBe('IDLE');
  const [start] = echo!.of('stream-start');
  const [falseWake] = echo!.of('false-wake');
  expect(falseWake).toMatchObject({ id: start!.id, reason: expect.stringContaining('below') });
  // the stream was cut where the rejection arrived, well before the speech ended
  const [end] = echo!.of('stream-end');
  expect(end).toMatchObject({ id: start!.id, reason: 'cancelled' });
  expect(end!.at).toBe(falseWake!.at);
  expect(echo!.transitions().filter((t) => t.input === 'FALSE_WAKE').map((t) => t.to)).toEqual(['IDLE']);
  expect(echo!.snapshot().falseWakes).toBe(1);

  const closed = await sim.cloud.waitFor({ event: 'utterance', after: 0, match: (u) => u.deviceId === echo!.id });
  expect(closed.confirmed).toBe(false);
  expect(closed.recordingId).toBeUndefined();
  expect(await sim.cloud.recordings(echo!.id)).toEqual([]);
  await sim.cloud.waitFor({ event: 'telemetry', after: 0, match: (t) => t.deviceId === echo!.id && t.kind === 'false-wake' });
});

test('mic-off: solid red, nothing is heard while off, only the button turns the microphones back on', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;

  await echo!.press('mic-off');
  expect(echo!.state).toBe('MIC_OFF');
  expect(frameHex(echo!.leds())).toEqual(Array(12).fill(RED));

  await echo!.play(DEMO_WAV);
  expect(echo!.of('detection')).toEqual([]);
  expect(echo!.of('stream-start')).toEqual([]);
  expect(echo!.state).toBe('MIC_OFF');

  await echo!.press('mic-off');
  expect(echo!.state).toBe('IDLE');
  expect(echo!.of('microphones').map((m) => [m.on, m.origin])).toEqual([
    [false, 'button'],
    [true, 'button'],
  ]);
  // heard again once the microphones are on
  await echo!.play(DEMO_WAV);
  expect(echo!.of('stream-start')).toHaveLength(1);
});

test('mic-off pressed in the middle of a request ends the stream at that sample', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  // the wake word is heard at 2.0 s; the button goes down at 3.0 s of this audio
  await echo!.play(DEMO_WAV, { buttons: '3.0:mic-off' });
  const [end] = echo!.of('stream-end');
  expect(end).toMatchObject({ reason: 'mic-off', at: 3000 });
  // nothing captured after the press (sample 48 000) was streamed; what came just before it was
  expect(end!.endIndex).toBeLessThanOrEqual(48_000);
  expect(end!.endIndex).toBeGreaterThan(47_000);
  expect(echo!.transitions().map((t) => t.to).slice(-2)).toEqual(['LISTENING', 'MIC_OFF']);
  expect(echo!.of('false-wake')).toEqual([]);
});

test('push-to-talk with nobody speaking: LISTENING gives up on its own (10 s of device time, far less real time)', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  await echo!.press('action');
  expect(echo!.state).toBe('LISTENING');
  const pressedAt = echo!.clock.now();

  await echo!.waitFor('IDLE', { timeoutMs: 20_000 });
  const back = echo!.transitions().at(-1)!;
  expect(back).toMatchObject({ from: 'LISTENING', to: 'IDLE' });
  expect(back.at - pressedAt).toBeGreaterThanOrEqual(9_000);
  expect(back.at - pressedAt).toBeLessThanOrEqual(10_500);
});

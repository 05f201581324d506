/**
 * Example: the bundled "Alexa, what's the weather like today?" through the whole pipeline of a linked
 * device (spotter, pre-roll, end-pointing, streaming, the cloud's verification and answer), written
 * only against the public harness API. Device time is audio time, so the times are exact.
 */
import { DEMO_WAV, disposeModels, frameHex, startSimulation, type Simulation } from '../../tools/harness/index.js';

let sim: Simulation | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});
afterAll(async () => {
  await disposeModels();
});

const BLUE = '#0000ff';
const CYAN = '#00ffff';

test('the demo goes LISTENING -> THINKING -> IDLE, with the blue ring and its cyan segment while listening', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;

  // Pause the audio the moment the device starts listening, and look at the ring.
  const paused = await echo!.play(DEMO_WAV, { until: 'LISTENING' });
  expect(paused).toMatchObject({ status: 'paused', state: 'LISTENING', at: 2000 });
  const frame = echo!.leds();
  expect(frame.label).toBe('listening');
  const hex = frameHex(frame);
  expect(hex).toHaveLength(12);
  // No talker direction from a mono recording: the segment faces the front (LED 0), the rest is solid blue.
  expect(hex[0]).toBe(CYAN);
  expect(hex.filter((c) => c === BLUE).length).toBeGreaterThanOrEqual(8);
  for (const led of frame.leds) {
    expect(led.r).toBe(0);
    expect(led.b).toBe(255);
  }

  const done = await paused.resume();
  expect(done).toMatchObject({ status: 'ended', state: 'IDLE' });
  const transitions = echo!.transitions().filter((t) => t.at > 0);
  expect(transitions.map((t) => [t.from, t.to, t.input, t.at])).toEqual([
    ['IDLE', 'LISTENING', 'WAKE_WORD', 2000],
    ['LISTENING', 'THINKING', 'STREAM_ENDED', 4400],
    ['THINKING', 'IDLE', 'NO_RESPONSE', 4400], // the cloud answered (with nothing to say) while THINKING
  ]);
  // The stream began exactly 500 ms before the wake word and the cloud confirmed it.
  const [start] = echo!.of('stream-start');
  expect(start).toMatchObject({ startIndex: 16000, wakeWordIndices: { startIndexInSamples: 8000 }, preRoll: { complete: true } });
  const verdict = await sim.cloud.waitFor({ event: 'verdict', after: 0, match: (v) => v.deviceId === echo!.id });
  expect(verdict.confirmed).toBe(true);
  expect(echo!.of('cloud-late')).toEqual([]);
  // The ring is dark again.
  expect(frameHex(echo!.leds()).every((c) => c === '#000000')).toBe(true);
});

test('from 120 degrees, the listening segment points at the talker (LED 4 of 12)', async () => {
  sim = await startSimulation({ devices: 1 });
  const [echo] = sim.devices;
  await echo!.play(DEMO_WAV, { fromDegrees: 120, until: { event: 'direction' } });
  expect(echo!.state).toBe('LISTENING');
  const [direction] = echo!.of('direction');
  expect(Math.abs(direction!.azimuthDeg - 120)).toBeLessThan(5);
  const frame = echo!.leds();
  const greenest = frame.leds.reduce((best, led, i, all) => (led.g > all[best]!.g ? i : best), 0);
  expect(greenest).toBe(4); // LED k of 12 faces 30k degrees
  expect(frame.leds[4]!.g).toBeGreaterThan(240); // (nearly) cyan where the talker is...
  expect(frameHex(frame)[10]).toBe(BLUE); // ...blue on the far side
});

test('without cloud verification every wake word is let through: the request still gets its answer', async () => {
  sim = await startSimulation({ devices: 1, verification: false });
  const [echo] = sim.devices;
  await echo!.play(DEMO_WAV);
  expect(echo!.transitions().slice(-3).map((t) => t.to)).toEqual(['LISTENING', 'THINKING', 'IDLE']);
  expect(echo!.transitions().at(-1)!.input).toBe('NO_RESPONSE');
  const closed = await sim.cloud.waitFor({ event: 'utterance', after: 0 });
  expect(closed.confirmed).toBeNull(); // nobody checked the wake word, so nothing would be kept
  expect(sim.cloud.of('verdict')).toEqual([]);
});

test('runs repeat exactly: the same audio gives the same events at the same device times', async () => {
  sim = await startSimulation({ devices: 2 });
  const runs: string[][] = [];
  for (const device of sim.devices) {
    await device.play(DEMO_WAV);
    runs.push(device.history().filter((e) => e.name !== 'leds' && e.at > 0).map((e) => `${e.at} ${String(e.name)}`));
  }
  expect(runs[0]!.length).toBeGreaterThan(5);
  expect(runs[1]).toEqual(runs[0]);
});

/**
 * Device-in-the-loop: the real spotter and VAD, the demo utterance played into a simulated microphone
 * array, buttons pressed by script, all on a virtual clock driven by the audio.
 */
import { nearestLed } from '../../../firmware/leds/ring-geometry.js';
import type { StreamAudio } from '../../../cloud-link/protocol/stream.js';
import { isEchosimError } from '../../../core/errors.js';
import { ArraySource, bootDevice, demoAudio, demoFrom, disposeSharedModels, withQuiet, type TestDevice } from './harness.js';

afterAll(disposeSharedModels);

const circular = (a: number, b: number): number => {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
};

describe('a request from wake word to idle', () => {
  let td: TestDevice;
  afterEach(async () => td.close());

  test.each([90, 210])('talker at %i°: LISTENING points the ring at them, then THINKING, then IDLE after 5 s', async (azimuth) => {
    td = await bootDevice();
    const summary = await td.run(demoFrom(td.model, azimuth));
    expect(td.states()).toEqual(['IDLE', 'LISTENING', 'THINKING', 'IDLE']);
    const [listening, thinking, idle] = td.of('state').slice(1);
    expect(listening).toMatchObject({ input: 'WAKE_WORD' });
    expect(thinking).toMatchObject({ input: 'STREAM_ENDED', detail: 'end-of-speech' });
    expect(idle).toMatchObject({ input: 'THINK_TIMEOUT' });
    expect(idle!.at - thinking!.at).toBe(5000);
    expect(summary.finalState).toBe('IDLE');

    const [start] = td.of('stream-start');
    expect(start).toMatchObject({ initiator: 'wakeword', keyword: 'alexa', preRoll: { complete: true, availableSamples: 8000 } });
    expect(start!.wakeWordIndices!.startIndexInSamples).toBe(8000);

    const [direction] = td.of('direction');
    expect(direction).toBeDefined();
    expect(circular(direction!.azimuthDeg, azimuth)).toBeLessThanOrEqual(15);
    // While listening, the brightest cyan LED is the one facing the talker; the far side is plain blue.
    const frame = td.leds.at(listening!.at + 300)!;
    const cyanness = frame.leds.map((c) => c.g);
    const brightest = cyanness.indexOf(Math.max(...cyanness));
    expect(circular(brightest * 30, azimuth)).toBeLessThanOrEqual(30);
    expect(brightest).toBe(nearestLed(direction!.azimuthDeg, 12));
    const far = frame.leds[(nearestLed(azimuth, 12) + 6) % 12]!;
    expect(far.b).toBeGreaterThan(100);
    expect(far.g).toBeLessThan(far.b / 4);
  });

  test('a single microphone gives no direction; the segment points to the front', async () => {
    td = await bootDevice();
    await td.run(new ArraySource(withQuiet(demoAudio(), 0, 0.5), 1));
    expect(td.states()).toEqual(['IDLE', 'LISTENING', 'THINKING', 'IDLE']);
    expect(td.of('direction')).toEqual([]);
  });
});

describe('mic-off has hardware semantics', () => {
  let td: TestDevice;
  afterEach(async () => td.close());

  test('mic-off during LISTENING ends the stream at once and no sample after the press reaches any reader', async () => {
    td = await bootDevice();
    const audio: StreamAudio[] = [];
    td.device.frontEnd.on('stream-audio', (a) => audio.push(a));
    const reader = td.device.frontEnd.ring.createReader(0);
    const scratch = new Int16Array(16_000);
    let lastRead = 0;
    td.device.frontEnd.on('scores', () => {
      while (reader.read(scratch) > 0) lastRead = reader.position;
    });
    const press = 3.0;
    const pressIndex = press * 16_000;
    await td.run(demoFrom(td.model, 0, 2), `${press}:mic-off`);

    expect(td.states()).toEqual(['IDLE', 'LISTENING', 'MIC_OFF']);
    const [end] = td.of('stream-end');
    expect(end).toMatchObject({ reason: 'mic-off', at: press * 1000 });
    expect(end!.endIndex).toBeLessThanOrEqual(pressIndex);
    for (const a of audio) expect(a.index + a.samples.length).toBeLessThanOrEqual(pressIndex);
    expect(lastRead).toBeLessThanOrEqual(pressIndex);
    expect(td.device.frontEnd.ring.writeIndex).toBe(pressIndex);
    expect(td.device.frontEnd.ring.oldestIndex).toBe(pressIndex); // no pre-roll survives
    expect(td.device.mic.droppedSamples).toBeGreaterThan(0);
    const red = td.leds.at(press * 1000 + 200)!;
    for (const led of red.leds) expect(led).toMatchObject({ g: 0, b: 0 });
    expect(red.leds.every((led) => led.r > 100)).toBe(true);
  });

  test('a wake word while muted gives no detection; software cannot unmute; the button can', async () => {
    td = await bootDevice();
    const source = demoFrom(td.model, 0, 1);
    td.device.on('microphones', (m) => {
      if (!m.on) {
        expect(() => td.device.requestMicrophones(true, 'cloud')).toThrow(expect.objectContaining({ code: 'MIC_OFF_HARDWARE_ONLY' }));
      }
    });
    await td.run(source, '0.5:mic-off,5.0:mic-off');
    expect(td.of('detection')).toEqual([]);
    expect(td.of('stream-start')).toEqual([]);
    expect(td.of('refused')).toEqual([expect.objectContaining({ code: 'MIC_OFF_HARDWARE_ONLY' })]);
    expect(td.states()).toEqual(['IDLE', 'MIC_OFF', 'IDLE']);
    expect(td.of('microphones').map((m) => [m.on, m.origin])).toEqual([
      [false, 'button'],
      [true, 'button'],
    ]);
  });

  test('push-to-talk is ignored while muted, and the mute survives a restart', async () => {
    td = await bootDevice();
    await td.run(new ArraySource(withQuiet(new Int16Array(0), 0, 2), 1), '0.2:mic-off,1.0:action');
    expect(td.of('button').filter((b) => b.button === 'action' && b.action === 'click')).toEqual([
      expect.objectContaining({ effect: expect.stringMatching(/^ignored: microphones are off/) }),
    ]);
    expect(td.of('stream-start')).toEqual([]);
    td = await td.restart();
    expect(td.device.state).toBe('MIC_OFF');
    expect(td.device.mic.on).toBe(false);
    try {
      td.device.requestMicrophones(true);
      throw new Error('expected a refusal');
    } catch (err) {
      expect(isEchosimError(err, 'MIC_OFF_HARDWARE_ONLY')).toBe(true);
    }
  });
});

describe('push-to-talk', () => {
  let td: TestDevice;
  afterEach(async () => td.close());

  test('the action button opens a stream from the press, with no pre-roll, and no speech ends it', async () => {
    td = await bootDevice();
    await td.run(new ArraySource(withQuiet(new Int16Array(0), 0, 6), 1), '1.0:action');
    const [start] = td.of('stream-start');
    expect(start).toMatchObject({ initiator: 'tap', preRoll: { requestedSamples: 0, availableSamples: 0 } });
    // A click acts on release (the press could still become a 7 s hold): 1.0 s + 0.1 s.
    expect(start!.startIndex).toBe(1.1 * 16_000);
    expect(td.states()).toEqual(['IDLE', 'LISTENING', 'IDLE']);
    expect(td.of('stream-end')).toEqual([expect.objectContaining({ reason: 'no-speech' })]);
  });
});

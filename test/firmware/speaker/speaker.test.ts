import { Speaker, type SpeakerEvents } from '../../../firmware/speaker/speaker.js';
import { VOLUME_STEP_DB, scalePcm, volumeGain, volumeGainDb } from '../../../firmware/speaker/volume.js';
import { VirtualClock } from '../../../core/clock.js';
import type { SpeakerDriver } from '../../../hal/speaker/types.js';
import { WavSinkDriver } from '../../../hal/speaker/wav-sink.js';
import { tempDir, thrown } from '../../hal/mic/helpers.js';

const tmp = tempDir('echosim-speaker-');
afterAll(() => tmp.cleanup());
let sinks = 0;

function setup(options: { volume?: number; maxVolume?: number; driver?: SpeakerDriver } = {}) {
  const clock = new VirtualClock();
  const sink = new WavSinkDriver(tmp.file(`s${sinks++}.wav`));
  const speaker = new Speaker({ clock, driver: options.driver ?? sink, ...options });
  const events: Array<[keyof SpeakerEvents, unknown]> = [];
  for (const name of ['volume', 'limit', 'play', 'played', 'failed'] as const) speaker.on(name, (e: unknown) => events.push([name, e]));
  return { clock, sink, speaker, events };
}

/** Resolves to true once `p` has settled, without waiting for it. */
function settled(p: Promise<unknown>): () => boolean {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

describe('volume curve', () => {
  test('0 dB at 10, 4 dB per step, silent at 0', () => {
    expect(volumeGainDb(10)).toBe(0);
    expect(volumeGainDb(5)).toBe(-20);
    expect(volumeGainDb(1)).toBe(-36);
    expect(volumeGainDb(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(volumeGain(10)).toBe(1);
    expect(volumeGain(5)).toBeCloseTo(0.1, 12);
    expect(volumeGain(0)).toBe(0);
    for (let l = 1; l < 10; l++) expect(20 * Math.log10(volumeGain(l + 1) / volumeGain(l))).toBeCloseTo(VOLUME_STEP_DB, 9);
    expect(thrown(() => volumeGain(11)).code).toBe('FEATURE_INPUT_INVALID');
  });

  test('scaling rounds and clips', () => {
    expect(Array.from(scalePcm(Int16Array.from([10000, -10000, 5, 32767]), 0.1))).toEqual([1000, -1000, 1, 3277]);
    expect(Array.from(scalePcm(Int16Array.from([20000, -20000]), 2))).toEqual([32767, -32768]);
    expect(Array.from(scalePcm(Int16Array.from([20000, -3]), 0))).toEqual([0, 0]);
  });
});

describe('Speaker volume', () => {
  test('defaults: level 5 under a maximum of 10', () => {
    const { speaker } = setup();
    expect([speaker.volume, speaker.maxVolume]).toEqual([5, 10]);
    expect(speaker.gain).toBeCloseTo(0.1, 12);
  });

  test('setVolume returns the level applied and reports the request; the maximum clamps it', () => {
    const { speaker, events } = setup({ maxVolume: 7 });
    expect(speaker.setVolume(3)).toBe(3);
    expect(speaker.setVolume(9)).toBe(7);
    expect(speaker.volume).toBe(7);
    expect(events).toEqual([
      ['volume', { level: 3, requested: 3, clamped: false }],
      ['volume', { level: 7, requested: 9, clamped: true }],
    ]);
  });

  test('lowering the maximum lowers a louder level at once; raising it leaves the level', () => {
    const { speaker, events } = setup({ volume: 9 });
    expect(speaker.setMaxVolume(6)).toBe(6);
    expect(speaker.volume).toBe(6);
    expect(speaker.setMaxVolume(10)).toBe(6);
    expect(speaker.setMaxVolume(8)).toBe(6);
    expect(events).toEqual([
      ['limit', { maxVolume: 6 }],
      ['volume', { level: 6, requested: 9, clamped: true }],
      ['limit', { maxVolume: 10 }],
      ['limit', { maxVolume: 8 }],
    ]);
  });

  test('a starting volume above the maximum starts at the maximum', () => {
    expect(setup({ volume: 9, maxVolume: 4 }).speaker.volume).toBe(4);
  });

  test('steps go one level at a time and stop at 0, 10 and the maximum', () => {
    const { speaker, events } = setup({ volume: 1, maxVolume: 3 });
    expect([speaker.stepVolume(-1), speaker.stepVolume(-1)]).toEqual([0, 0]);
    expect([speaker.stepVolume(1), speaker.stepVolume(1), speaker.stepVolume(1), speaker.stepVolume(1)]).toEqual([1, 2, 3, 3]);
    expect(events.at(-1)).toEqual(['volume', { level: 3, requested: 4, clamped: true }]);
    speaker.setMaxVolume(10);
    speaker.setVolume(10);
    expect(speaker.stepVolume(1)).toBe(10);
    expect(events.at(-1)).toEqual(['volume', { level: 10, requested: 10, clamped: false }]);
  });

  test.each([5.5, -1, 11, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number])('%p is FEATURE_INPUT_INVALID and changes nothing', (bad) => {
    const { speaker, events } = setup({ volume: 4, maxVolume: 8 });
    expect(thrown(() => speaker.setVolume(bad)).code).toBe('FEATURE_INPUT_INVALID');
    expect(thrown(() => speaker.setMaxVolume(bad)).code).toBe('FEATURE_INPUT_INVALID');
    expect([speaker.volume, speaker.maxVolume]).toEqual([4, 8]);
    expect(events).toEqual([]);
  });

  test('a step other than +1/-1, or a bad starting level, is FEATURE_INPUT_INVALID', () => {
    const { speaker } = setup();
    expect(thrown(() => speaker.stepVolume(2 as 1)).code).toBe('FEATURE_INPUT_INVALID');
    expect(speaker.volume).toBe(5);
    expect(thrown(() => setup({ volume: 12 })).code).toBe('FEATURE_INPUT_INVALID');
    expect(thrown(() => setup({ maxVolume: -1 })).code).toBe('FEATURE_INPUT_INVALID');
  });
});

describe('Speaker playback on the clock', () => {
  const tone = (n: number, v = 10000): Int16Array => new Int16Array(n).fill(v);

  test('play() resolves when the sound\'s duration has passed on the clock; the driver gets it scaled, at its start time', async () => {
    const { clock, sink, speaker, events } = setup({ volume: 10 });
    await clock.advance(250);
    const done = settled(speaker.play(tone(16000), 'answer'));
    expect(speaker.playing).toBe(true);
    expect(speaker.nowPlaying).toBe('answer');
    await clock.advance(999);
    expect(done()).toBe(false);
    await clock.advance(1);
    expect(done()).toBe(true);
    expect(speaker.playing).toBe(false);
    expect(events).toEqual([
      ['play', { label: 'answer', at: 250, durationMs: 1000 }],
      ['played', { label: 'answer', at: 250, durationMs: 1000, stopped: false }],
    ]);
    const t = sink.timeline();
    expect(t.length).toBe(4000 + 16000);
    expect(t.subarray(0, 4000).every((v) => v === 0)).toBe(true);
    expect(t.subarray(4000).every((v) => v === 10000)).toBe(true);
  });

  test('the volume in force when a sound starts scales it on the dB curve; 0 is silent but takes its time', async () => {
    const { clock, sink, speaker } = setup({ volume: 5 });
    void speaker.play(tone(1600), 'a');
    await clock.advance(100);
    speaker.setVolume(0);
    const done = settled(speaker.play(tone(1600), 'b'));
    await clock.advance(100);
    expect(done()).toBe(true);
    const t = sink.timeline();
    expect(t.subarray(0, 1600).every((v) => v === 1000)).toBe(true);
    expect(t.subarray(1600).every((v) => v === 0)).toBe(true);
  });

  test('a sound given while one plays waits its turn', async () => {
    const { clock, sink, speaker, events } = setup({ volume: 10 });
    const a = settled(speaker.play(tone(8000, 100), 'a'));
    const b = settled(speaker.play(tone(4000, 200), 'b'));
    await clock.advance(500);
    expect([a(), b()]).toEqual([true, false]);
    await clock.advance(250);
    expect(b()).toBe(true);
    expect(events.filter(([n]) => n === 'play')).toEqual([
      ['play', { label: 'a', at: 0, durationMs: 500 }],
      ['play', { label: 'b', at: 500, durationMs: 250 }],
    ]);
    const t = sink.timeline();
    expect([t.length, t[7999], t[8000], t[11999]]).toEqual([12000, 100, 200, 200]);
  });

  test('stop() cuts the sound playing now (its play() resolves); the next one starts at once', async () => {
    const { clock, sink, speaker, events } = setup({ volume: 10 });
    const a = settled(speaker.play(tone(16000, 100), 'alarm'));
    const b = settled(speaker.play(tone(1600, 200), 'tick'));
    await clock.advance(200);
    speaker.stop();
    await clock.advance(0);
    expect([a(), b()]).toEqual([true, false]);
    expect(events.filter(([n]) => n === 'played')[0]).toEqual(['played', { label: 'alarm', at: 0, durationMs: 200, stopped: true }]);
    await clock.advance(100);
    expect(b()).toBe(true);
    const t = sink.timeline();
    expect(t.length).toBe(3200 + 1600);
    expect(t.subarray(0, 3200).every((v) => v === 100)).toBe(true);
    expect(t.subarray(3200).every((v) => v === 200)).toBe(true);
    speaker.stop();
    expect(clock.pending).toBe(0);
  });

  test('stopAll() also drops the sounds waiting; every play() resolves and nothing more plays', async () => {
    const { clock, sink, speaker } = setup({ volume: 10 });
    const all = [speaker.play(tone(1600), 'a'), speaker.play(tone(1600), 'b'), speaker.play(tone(1600), 'c')].map(settled);
    await clock.advance(50);
    speaker.stopAll();
    await clock.advance(0);
    expect(all.map((done) => done())).toEqual([true, true, true]);
    expect(speaker.playing).toBe(false);
    expect(clock.pending).toBe(0);
    expect(sink.timeline().length).toBe(800);
  });

  test('a driver failure rejects that play() and is reported; the queue goes on', async () => {
    const failure = new Error('aplay: audio open error');
    const played: number[] = [];
    const driver: SpeakerDriver = {
      play: async (pcm) => {
        played.push(pcm.length);
        if (played.length === 1) throw failure;
      },
      close: async () => undefined,
    };
    const { clock, speaker, events } = setup({ driver });
    const first = speaker.play(tone(160), 'a');
    const second = settled(speaker.play(tone(320), 'b'));
    await expect(first).rejects.toBe(failure);
    expect(events.find(([n]) => n === 'failed')).toEqual(['failed', { label: 'a', at: 0, error: failure }]);
    await clock.advance(20);
    expect(second()).toBe(true);
    expect(played).toEqual([160, 320]);
  });

  test('a sound that is not an Int16Array is FEATURE_INPUT_INVALID', async () => {
    const { speaker } = setup();
    await expect(speaker.play([1, 2, 3] as unknown as Int16Array, 'x')).rejects.toMatchObject({ code: 'FEATURE_INPUT_INVALID' });
    expect(speaker.playing).toBe(false);
  });
});

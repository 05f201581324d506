import { Rng } from '../../../tools/bench/fuzz-rng.js';
import { applyCondition, type Condition } from '../../../tools/train/dsp/augment.js';
import { convolve } from '../../../tools/train/dsp/fft.js';
import { bandLimit, Biquad } from '../../../tools/train/dsp/filters.js';
import { rms, rmsDbfs, trimToSpeech } from '../../../tools/train/dsp/levels.js';
import { colouredNoise } from '../../../tools/train/dsp/noise.js';
import { roomImpulse } from '../../../tools/train/dsp/reverb.js';
import { changeSpeed, telephoneRoundTrip } from '../../../tools/train/dsp/speed.js';

const tone = (hz: number, seconds = 1, amplitude = 10000): Float32Array =>
  Float32Array.from({ length: Math.round(seconds * 16000) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 16000));
/** RMS of the middle half, away from filter start-up. */
const steady = (x: ArrayLike<number>): number => rms(x, Math.floor(x.length / 4), Math.floor((3 * x.length) / 4));
const db = (a: number, b: number): number => 20 * Math.log10(a / b);
/** Zero crossings per second: a tone's frequency, twice. */
const crossings = (x: Float32Array): number => {
  let n = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) n++;
  return n / (x.length / 16000) / 2;
};

describe('augmentation DSP', () => {
  test('low- and high-pass sections pass their band and cut the other by 12 dB an octave', () => {
    expect(db(steady(new Biquad('lowpass', 1000).process(tone(200))), steady(tone(200)))).toBeGreaterThan(-0.5);
    expect(db(steady(new Biquad('lowpass', 1000).process(tone(4000))), steady(tone(4000)))).toBeLessThan(-22);
    expect(db(steady(new Biquad('highpass', 1000).process(tone(250))), steady(tone(250)))).toBeLessThan(-22);
    expect(db(steady(new Biquad('lowpass', 1000).process(tone(1000))), steady(tone(1000)))).toBeCloseTo(-3, 0);
    expect(() => new Biquad('lowpass', 9000)).toThrow(RangeError);
  });

  test('a telephone keeps 300-3400 Hz and removes what lies above and below', () => {
    const phone = (x: Float32Array): Float32Array => bandLimit(telephoneRoundTrip(x), 300, 3400);
    expect(db(steady(phone(tone(1000))), steady(tone(1000)))).toBeGreaterThan(-1);
    expect(db(steady(phone(tone(6000))), steady(tone(6000)))).toBeLessThan(-60);
    expect(db(steady(phone(tone(80))), steady(tone(80)))).toBeLessThan(-30);
  });

  test('FFT convolution equals direct convolution', () => {
    const rng = new Rng(5);
    const x = Float32Array.from({ length: 3000 }, () => rng.next() - 0.5);
    const h = Float32Array.from({ length: 257 }, () => rng.next() - 0.5);
    const y = convolve(x, h);
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      let s = 0;
      for (let k = 0; k < h.length && k <= i; k++) s += x[i - k]! * h[k]!;
      worst = Math.max(worst, Math.abs(s - y[i]!));
    }
    expect(y).toHaveLength(x.length);
    expect(worst).toBeLessThan(1e-4);
  });

  test('a room keeps the direct sound first and sets the reverberant energy from the direct-to-reverberant ratio', () => {
    const h = roomImpulse({ rt60: 0.5, directToReverbDb: 6, seed: 1 }, new Rng(1));
    expect(h.length).toBe(Math.round(0.6 * 16000));
    let tail = 0;
    for (let i = 1; i < h.length; i++) tail += h[i]! ** 2;
    expect(10 * Math.log10(1 / tail)).toBeCloseTo(6, 0);
    const early = rms(h, 1, 1600);
    const late = rms(h, h.length - 1600, h.length);
    expect(db(early, late)).toBeGreaterThan(25); // about 60 dB per RT60
  });

  test('speed perturbation scales length and pitch together', () => {
    const x = tone(500, 2);
    const fast = changeSpeed(x, 1.1);
    expect(fast.length).toBeCloseTo(x.length / 1.1, -1);
    expect(crossings(fast)).toBeCloseTo(550, -1);
    expect(changeSpeed(x, 1)).toEqual(x);
    expect(() => changeSpeed(x, 3)).toThrow(RangeError);
  });

  test('a condition sets the speech level and the SNR, adds a floor, and repeats for its seed', () => {
    const speech = new Float32Array(32000);
    speech.set(tone(440, 1), 8000);
    const condition: Condition = { speechDbfs: -26, background: { kind: 'noise', colour: 'white', snrDb: 10 }, band: 'full', floorDbfs: -70, seed: 42 };
    const out = applyCondition(speech, [8000, 24000], condition);
    expect(rmsDbfs(out, 8000, 24000)).toBeCloseTo(-26 + 10 * Math.log10(1.1), 0);
    // The noise alone where the speech is not: 10 dB under the speech level.
    expect(rmsDbfs(out, 0, 8000)).toBeCloseTo(-36, 0);
    expect(applyCondition(speech, [8000, 24000], condition)).toEqual(out);
    expect(applyCondition(speech, [8000, 24000], { ...condition, seed: 43 })).not.toEqual(out);
    const quiet = applyCondition(new Float32Array(16000), [0, 16000], { ...condition, background: { kind: 'floor' } });
    expect(rmsDbfs(quiet)).toBeCloseTo(-70, 0);
    expect(quiet.filter((s) => s === 0).length).toBeLessThan(quiet.length / 2); // never digital silence
  });

  test('noise colours fall off with frequency as named; trimming keeps only the speech', () => {
    const rng = new Rng(9);
    const hf = (c: 'white' | 'pink' | 'brown'): number => {
      const n = colouredNoise(c, 32000, rng);
      return db(steady(new Biquad('highpass', 4000).process(n.slice())), steady(n));
    };
    expect(hf('white')).toBeGreaterThan(hf('pink'));
    expect(hf('pink')).toBeGreaterThan(hf('brown'));
    const clip = new Int16Array(8000);
    clip.fill(3000, 2000, 5000);
    expect(trimToSpeech(clip, 0.02, 100)).toHaveLength(3000 + 200);
    expect(trimToSpeech(new Int16Array(100))).toHaveLength(0);
  });
});

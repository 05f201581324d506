import { denoise } from '../../../../cloud-link/cloud/speech/denoise.js';
import { gaussian } from '../../../../hal/mic/synthetic-source.js';

const power = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s / a.length;
};
const errorDb = (got: Int16Array, want: Int16Array): number => 10 * Math.log10(power(got.map((v, i) => v - want[i]!)) / power(want));

/** 0.3 s of silence, 1 s of a 440 Hz tone at about -17 dBFS, 0.3 s of silence: a request with pauses. */
const tone = Int16Array.from({ length: 25_600 }, (_, i) => (i >= 4_800 && i < 20_800 ? Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)) : 0));

test('clean audio comes back unchanged (digital silence is no noise to remove), into a copy of the same length', () => {
  const before = Int16Array.from(tone);
  const out = denoise(tone);
  expect(tone).toEqual(before);
  expect(out).not.toBe(tone);
  expect(out.length).toBe(tone.length);
  for (let i = 0; i < tone.length; i++) expect(Math.abs(out[i]! - tone[i]!)).toBeLessThanOrEqual(1);
});

test('white noise 10 dB under the tone is mostly removed, and the tone kept', () => {
  const next = gaussian(7);
  const noisy = tone.map((v) => Math.round(v + 1000 * next()));
  const out = denoise(noisy);
  // The error against the clean tone falls by more than 8 dB (measured: about 13 dB).
  expect(errorDb(out, tone)).toBeLessThan(errorDb(noisy, tone) - 8);
  // In the pauses, the noise is attenuated by 10 dB at least.
  expect(10 * Math.log10(power(out.subarray(0, 4_000)) / power(noisy.subarray(0, 4_000)))).toBeLessThan(-10);
  // The tone keeps its level within 1.5 dB.
  expect(Math.abs(10 * Math.log10(power(out.subarray(6_000, 19_000)) / power(tone.subarray(6_000, 19_000))))).toBeLessThan(1.5);
});

test('short and odd lengths, silence and full-scale audio do not break it', () => {
  expect(denoise(new Int16Array(0))).toEqual(new Int16Array(0));
  expect(denoise(new Int16Array(100))).toEqual(new Int16Array(100));
  const loud = Int16Array.from({ length: 1_601 }, (_, i) => (i % 2 === 0 ? 32767 : -32768));
  const out = denoise(loud);
  expect(out.length).toBe(1_601);
  expect(Math.max(...out)).toBeLessThanOrEqual(32767);
  expect(Math.min(...out)).toBeGreaterThanOrEqual(-32768);
});

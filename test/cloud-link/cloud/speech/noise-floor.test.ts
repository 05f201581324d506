import { NOISE_FLOOR_DB, withNoiseFloor } from '../../../../cloud-link/cloud/speech/noise-floor.js';

const rms = (a: Int16Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);

/** A 440 Hz tone at about -20 dBFS, 1 s. */
const tone = Int16Array.from({ length: 16_000 }, (_, i) => Math.round(4600 * Math.sin((2 * Math.PI * 440 * i) / 16_000)));

test('adds white noise the given level below the request\'s RMS, into a copy', () => {
  const before = Int16Array.from(tone);
  const out = withNoiseFloor(tone);
  expect(tone).toEqual(before); // the input is not changed
  const noise = out.map((v, i) => v - tone[i]!);
  const db = 20 * Math.log10(rms(noise) / rms(tone));
  expect(db).toBeGreaterThan(-NOISE_FLOOR_DB - 0.5);
  expect(db).toBeLessThan(-NOISE_FLOOR_DB + 0.5);
  expect(20 * Math.log10(rms(withNoiseFloor(tone, 20).map((v, i) => v - tone[i]!)) / rms(tone))).toBeCloseTo(-20, 0);
});

test('the same request always gets the same floor (a decode is repeatable); silence stays silence', () => {
  expect(withNoiseFloor(tone)).toEqual(withNoiseFloor(tone));
  expect(withNoiseFloor(new Int16Array(800))).toEqual(new Int16Array(800));
});

test('loud samples are clipped to int16, not wrapped', () => {
  const loud = new Int16Array(1600).fill(32767);
  const out = withNoiseFloor(loud, 20);
  expect(Math.min(...out)).toBeGreaterThan(0);
  expect(Math.max(...out)).toBe(32767);
});

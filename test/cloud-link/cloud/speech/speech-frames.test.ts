import { speechFrames } from '../../../../cloud-link/cloud/speech/speech-frames.js';
import { gaussian } from '../../../../hal/mic/synthetic-source.js';

/** `seconds` of white noise at `rms`, with a 300 Hz tone at `toneRms` from `from` to `to` seconds. */
function clip(seconds: number, rms: number, toneRms: number, from: number, to: number): Int16Array {
  const g = gaussian(7);
  return Int16Array.from({ length: seconds * 16_000 }, (_, i) => {
    const t = i / 16_000;
    const tone = t >= from && t < to ? toneRms * Math.SQRT2 * Math.sin(2 * Math.PI * 300 * t) : 0;
    return Math.round(rms * g() + tone);
  });
}

test('counts the 10 ms frames that rise above the floor: a short word in a long quiet window', () => {
  expect(speechFrames(clip(3, 30, 3000, 1, 1.4))).toBeGreaterThanOrEqual(39);
  expect(speechFrames(clip(3, 30, 3000, 1, 1.4))).toBeLessThanOrEqual(41);
  expect(speechFrames(clip(1, 300, 3000, 0.2, 0.8))).toBeGreaterThanOrEqual(59); // the same in a noisy room
});

test('noise alone, silence and too little audio hold no speech', () => {
  expect(speechFrames(clip(2, 300, 0, 0, 0))).toBeLessThan(10);
  expect(speechFrames(new Int16Array(16_000))).toBe(0);
  expect(speechFrames(new Int16Array(100))).toBe(0);
});

import { Resampler } from '../../../hal/mic/resample.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';

/**
 * Plays `x` `factor` times faster (0.9 = 10 % slower and lower), as speed perturbation does: the
 * project's band-limited resampler reads it as if it had been recorded at `factor` x 16 kHz.
 */
export function changeSpeed(x: Float32Array, factor: number): Float32Array {
  if (!(factor > 0.5 && factor < 2)) throw new RangeError(`speed factor ${factor} is outside (0.5, 2)`);
  const inRate = Math.round(SAMPLE_RATE * factor);
  if (inRate === SAMPLE_RATE) return x.slice();
  const resampler = new Resampler(inRate, SAMPLE_RATE, 1);
  return concat(resampler.process(x).slice(), resampler.flush());
}

/** The telephone path: down to 8 kHz and back up, which removes everything above 4 kHz as a codec would. */
export function telephoneRoundTrip(x: Float32Array): Float32Array {
  const down = new Resampler(SAMPLE_RATE, 8000, 1);
  const narrow = concat(down.process(x).slice(), down.flush());
  const up = new Resampler(8000, SAMPLE_RATE, 1);
  return concat(up.process(narrow).slice(), up.flush()).subarray(0, x.length).slice();
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

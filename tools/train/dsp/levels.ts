/** Level helpers on int16-range samples (float arrays hold int16-scale values, not [-1, 1]). */

export const FULL_SCALE = 32768;

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** RMS of samples [from, to). */
export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

/** RMS in dB relative to int16 full scale (-Infinity for silence). */
export function rmsDbfs(x: ArrayLike<number>, from = 0, to = x.length): number {
  return 20 * Math.log10(rms(x, from, to) / FULL_SCALE);
}

export function peak(x: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]!));
  return p;
}

export function toFloat(x: Int16Array): Float32Array {
  return Float32Array.from(x);
}

/** Rounded and clipped to int16. */
export function toInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i]!)));
  return out;
}

export function scale(x: Float32Array, gain: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i]! *= gain;
  return x;
}

/**
 * The span from the first to the last sample at or above `fraction` of the peak, plus `margin`
 * samples each side: TTS output without its leading and trailing silence. Silence stays empty.
 */
export function trimToSpeech(x: Int16Array, fraction = 0.02, margin = 160): Int16Array {
  const limit = peak(x) * fraction;
  if (limit === 0) return new Int16Array(0);
  let first = 0;
  while (first < x.length && Math.abs(x[first]!) < limit) first++;
  let last = x.length - 1;
  while (last > first && Math.abs(x[last]!) < limit) last--;
  return x.slice(Math.max(0, first - margin), Math.min(x.length, last + 1 + margin));
}

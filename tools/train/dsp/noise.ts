import type { Rng } from '../../bench/fuzz-rng.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';

export type NoiseColour = 'white' | 'pink' | 'brown';

/** Standard normal samples (Box-Muller) from a seeded source. */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * `n` samples of coloured noise with unit RMS (approximately): white; pink (Paul Kellet's economy
 * filter, -3 dB per octave); brown (a leaky integrator, -6 dB per octave).
 */
export function colouredNoise(colour: NoiseColour, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let level = 0;
  for (let i = 0; i < n; i++) {
    const w = gaussian(rng);
    if (colour === 'white') out[i] = w;
    else if (colour === 'pink') {
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      out[i] = (b0 + b1 + b2 + w * 0.1848) * 0.31;
    } else {
      level = 0.995 * level + w;
      out[i] = level * 0.1;
    }
  }
  return out;
}

/**
 * Tones a device hears that are not speech: a beeping alarm, a chord of held notes, a rising sweep,
 * or mains hum with harmonics; unit-ish amplitude.
 */
export type ToneKind = 'beeps' | 'chord' | 'sweep' | 'hum';

export function tones(kind: ToneKind, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const t = (i: number): number => i / SAMPLE_RATE;
  if (kind === 'beeps') {
    const f = 500 + rng.int(2500);
    const period = 0.2 + rng.next() * 0.6;
    for (let i = 0; i < n; i++) out[i] = t(i) % period < period / 2 ? Math.sin(2 * Math.PI * f * t(i)) : 0;
  } else if (kind === 'chord') {
    const base = 110 * 2 ** (rng.int(24) / 12);
    const notes = [1, 2 ** (4 / 12), 2 ** (7 / 12)].map((r) => base * r);
    for (let i = 0; i < n; i++) out[i] = notes.reduce((s, f, k) => s + Math.sin(2 * Math.PI * f * t(i)) / (k + 1), 0) / 1.8;
  } else if (kind === 'sweep') {
    const f0 = 200 + rng.int(800);
    const f1 = 1000 + rng.int(5000);
    const span = n / SAMPLE_RATE;
    for (let i = 0; i < n; i++) out[i] = Math.sin(2 * Math.PI * (f0 * t(i) + ((f1 - f0) * t(i) * t(i)) / (2 * span)));
  } else {
    const mains = rng.chance(0.5) ? 50 : 60;
    for (let i = 0; i < n; i++) out[i] = [1, 2, 3, 5].reduce((s, h) => s + Math.sin(2 * Math.PI * mains * h * t(i)) / h, 0) / 1.5;
  }
  return out;
}

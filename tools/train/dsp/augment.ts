import { Rng } from '../../bench/fuzz-rng.js';
import { bandLimit } from './filters.js';
import { convolve } from './fft.js';
import { dbToGain, FULL_SCALE, peak, rms, scale, toInt16 } from './levels.js';
import { colouredNoise, gaussian, type NoiseColour } from './noise.js';
import { roomImpulse, type RoomSpec } from './reverb.js';
import { telephoneRoundTrip } from './speed.js';

export type Background =
  | { readonly kind: 'floor' }
  | { readonly kind: 'noise'; readonly colour: NoiseColour; readonly snrDb: number }
  | { readonly kind: 'babble'; readonly talkers: number; readonly snrDb: number };

/** Frequency response of the microphone path: full band, a cheap microphone (100-6000 Hz), or a telephone (300-3400 Hz, 8 kHz codec). */
export type Band = 'full' | 'cheap-mic' | 'phone';

/** Everything between the talker's mouth and the samples: level, room, background, microphone. */
export interface Condition {
  /** Speech RMS at the microphone, dBFS. */
  readonly speechDbfs: number;
  readonly room?: RoomSpec;
  readonly background: Background;
  readonly band: Band;
  /** The microphone's own noise floor, dBFS (real audio is never digitally silent). */
  readonly floorDbfs: number;
  /** Seed of the noise and babble offsets. */
  readonly seed: number;
}

/**
 * Puts a clip through a condition: `clip` holds dry sound placed in time (int16 scale), `loud` the
 * span whose level is the reference (the speech; the whole clip when it is not speech). Order as
 * sound travels: gain to the speech level, room, background at the SNR, microphone band, noise
 * floor. `babble` lends other talkers' audio (played backwards, so no word in it is intelligible).
 */
export function applyCondition(clip: Float32Array, loud: readonly [number, number], condition: Condition, babble: readonly Float32Array[] = []): Int16Array {
  const rng = new Rng(condition.seed);
  const x = clip.slice();
  const level = rms(x, loud[0], loud[1]);
  const target = FULL_SCALE * dbToGain(condition.speechDbfs);
  if (level > 0) scale(x, target / level);
  const wet = condition.room ? convolve(x, roomImpulse(condition.room, rng)) : x;
  const bg = condition.background;
  if (bg.kind !== 'floor' && level > 0) {
    const noise = bg.kind === 'noise' ? colouredNoise(bg.colour, wet.length, rng) : babbleOf(babble, bg.talkers, wet.length, rng);
    const noiseRms = rms(noise);
    if (noiseRms > 0) {
      const g = target / dbToGain(bg.snrDb) / noiseRms;
      for (let i = 0; i < wet.length; i++) wet[i] = wet[i]! + noise[i]! * g;
    }
  }
  let out = wet;
  if (condition.band === 'cheap-mic') bandLimit(out, 100, 6000);
  if (condition.band === 'phone') out = bandLimit(telephoneRoundTrip(out), 300, 3400);
  const sigma = FULL_SCALE * dbToGain(condition.floorDbfs);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + gaussian(rng) * sigma;
  const p = peak(out);
  if (p > 32000) scale(out, 32000 / p);
  return toInt16(out);
}

/** `talkers` sources, each reversed and looped from a random offset, summed. */
function babbleOf(sources: readonly Float32Array[], talkers: number, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  const usable = sources.filter((s) => s.length > 0);
  if (usable.length === 0) return colouredNoise('pink', n, rng);
  for (let t = 0; t < talkers; t++) {
    const src = rng.pick(usable);
    const level = rms(src) || 1;
    let at = rng.int(src.length);
    for (let i = 0; i < n; i++) {
      out[i] = out[i]! + src[src.length - 1 - at]! / level;
      at = (at + 1) % src.length;
    }
  }
  return out;
}

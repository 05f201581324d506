import os from 'node:os';
import path from 'node:path';
import type { HeadRecipe } from './model/train-head.js';

/** What `echosim train wakeword` is asked to do. */
export interface TrainOptions {
  readonly word: string;
  /** Where the heads, their description, model card and report go. */
  readonly out: string;
  readonly seed: number;
  /** The budget the run is sized for (synthetic clips and epochs scale with it); 30 is the full recipe. */
  readonly minutes: number;
  /** Feature cache (and fetched real speech). */
  readonly cache: string;
  readonly realNegatives: readonly string[];
  /** Fetch Debian's real speech (default true). */
  readonly debianSpeech: boolean;
  /** At most this many clips of each real source (a seeded sample; see capSource). */
  readonly maxRealClips: number;
  /** Concurrent TTS processes. */
  readonly jobs: number;
  readonly progress: boolean;
  /** The command line, for the report and the model card. */
  readonly command: string;
}

/**
 * Clips of each real-speech source a run uses by default: about 5-20 minutes of each Debian
 * source and all of the small ones, so the real speech (decoded once and cached for every word)
 * costs minutes, not the hour all 18,000 clips would.
 */
export const DEFAULT_MAX_REAL_CLIPS = 300;

/** The budget the base counts and epochs are written for. */
export const FULL_BUDGET_MINUTES = 30;

/** `$XDG_CACHE_HOME/echosim/train`, else `~/.cache/echosim/train`. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'echosim', 'train');
}

/** Share of the full recipe a budget buys (at most 1: a larger budget does not add data). */
export function budgetScale(minutes: number): number {
  return Math.min(1, minutes / FULL_BUDGET_MINUTES);
}

/**
 * The first stage: high recall. All positives each epoch, a fresh sample of each negative class,
 * the negatives' weight rising from 1 to 4.
 */
export function stage1Recipe(scale: number): HeadRecipe {
  return {
    ...schedule('stage1', scale),
    negativesPerEpoch: scaled({ 'near-miss': 14000, speech: 12000, sound: 4000, real: 30000 }, scale),
    classWeight: { positive: 1, 'near-miss': 1, speech: 1, sound: 1, real: 1 },
    negativeWeight: [1, 4],
  };
}

/**
 * The verifier: trained on what the first stage gets wrong (data/hard-negatives.ts): every hard
 * negative each epoch at twice the weight, a sample of the ordinary cloud-view negatives beside
 * them, against the positives the first stage finds; the negatives' weight rising only to 2, so
 * it does not learn "synthetic speech = the word" by rejecting everything it is unsure of.
 */
export function verifierRecipe(scale: number): HeadRecipe {
  return {
    ...schedule('verifier', scale),
    negativesPerEpoch: { hard: 200000, ...scaled({ 'near-miss': 6000, speech: 4000, sound: 1000, real: 8000 }, scale) },
    classWeight: { positive: 1, hard: 2, 'near-miss': 1, speech: 1, sound: 1, real: 1 },
    negativeWeight: [1, 2],
  };
}

/** Both heads: 10 epochs at the full budget (fewer, by the square root of the budget's share), batches of 256, Adam at 1e-3. */
function schedule(name: string, scale: number): Pick<HeadRecipe, 'name' | 'epochs' | 'batchSize' | 'learningRate'> {
  return { name, epochs: Math.max(2, Math.round(10 * Math.sqrt(scale))), batchSize: 256, learningRate: 1e-3 };
}

function scaled<K extends string>(counts: Record<K, number>, scale: number): Record<K, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Math.max(64, Math.round((v as number) * scale))])) as Record<K, number>;
}

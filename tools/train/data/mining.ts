import type { Rng } from '../../bench/fuzz-rng.js';
import type { DecisionRule } from '../eval/decisions.js';
import { clipFalseAccepts, recallAt, streamFalseAccepts, type ScoredClip, type ScoredStream } from '../eval/sweep.js';
import type { Example } from '../model/train-head.js';
import { sample } from '../shuffle.js';

/**
 * The rule the first stage's detections are mined at: below any default the chooser gives it
 * (the lowest threshold of the validation sweep, patience 1), so the verifier learns every window
 * the first stage may send it, whatever its shipped threshold.
 */
export const MINING_RULE: DecisionRule = { threshold: 0.01, patience: 1 };

/** Where the first stage fires on the training audio at a rule (the chunk of each detection). */
export interface Firings {
  /** Positive clips it finds: the chunk of its detection of the word, by clip index. */
  readonly positives: ReadonlyMap<number, number>;
  /** Its detections on negative clips: [clip index, chunk], in clip order. */
  readonly clips: readonly (readonly [number, number])[];
  /** Its detections on real streams: [stream index, chunk], outside the chunks that may hold the word. */
  readonly streams: readonly (readonly [number, number])[];
}

/**
 * Every detection the first stage makes at `rule` on scored training clips and streams, decided
 * exactly as validation decides them (the engine's decision: threshold, patience, refractory time).
 */
export function mineFirings(clips: readonly ScoredClip[], streams: readonly ScoredStream[], rule: DecisionRule = MINING_RULE): Firings {
  const positives = new Map([...recallAt(clips, rule).hitChunk].filter(([, t]) => t >= 0));
  const negatives = [...clipFalseAccepts(clips, rule).fired].flatMap(([i, chunks]) => chunks.map((t) => [i, t] as const));
  const real = streams.flatMap((s, k) => streamFalseAccepts(s, rule).fired.map((t) => [k, t] as const));
  return { positives, clips: negatives, streams: real };
}

/** At most `max` of `items`, a seeded sample kept in the items' order (all of them when there are fewer). */
export function capInOrder<T>(items: readonly T[], max: number, rng: Rng): T[] {
  if (items.length <= max) return [...items];
  const keep = new Set(sample([...items.keys()], max, rng));
  return items.filter((_, i) => keep.has(i));
}

/** Chunks either side of a high-scoring window that are hard negatives with it (the windows around it). */
export const AROUND = 2;

/**
 * The cloud-view negatives the first stage scores at or above `threshold` (and the AROUND windows
 * either side of each) relabelled `hard`; every other example is returned as it was. `scores` holds
 * the first stage's scores of each sequence the examples point into (undefined: not scored, kept).
 */
export function relabelHard(examples: readonly Example[], scores: ReadonlyMap<number, Float32Array>, threshold: number): Example[] {
  const hot = new Map<number, Set<number>>();
  for (const [seq, s] of scores) {
    const set = new Set<number>();
    s.forEach((v, t) => {
      if (v < threshold) return;
      for (let k = t - AROUND; k <= t + AROUND; k++) set.add(k);
    });
    if (set.size > 0) hot.set(seq, set);
  }
  return examples.map((e) => (e.cls !== 'positive' && hot.get(e.seq)?.has(e.t) ? { ...e, cls: 'hard' } : e));
}

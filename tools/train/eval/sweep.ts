import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { CHUNK_SAMPLES } from '../../../models/wakeword/oww-models.js';
import { fires, type DecisionRule } from './decisions.js';

/** A validation clip scored by a head (one stream from the clip's start). */
export interface ScoredClip {
  readonly index: number;
  readonly group: string;
  readonly positive: boolean;
  readonly scores: Float32Array;
  readonly samples: number;
  readonly wordStart?: number;
  readonly wordEnd?: number;
}

/** A validation source's continuous stream scored by a head, with the stretches that say the word. */
export interface ScoredStream {
  readonly name: string;
  readonly scores: Float32Array;
  /** Chunks whose window may hold the word (not counted as false accepts). */
  readonly banned: ReadonlySet<number>;
  /** Clips that say the word: [start, end) in samples (a real-speech recall check). */
  readonly wordSpans: readonly (readonly [number, number])[];
  readonly samples: number;
}

/** A detection counts for the word when it fires from the word's start to 1 s after its end. */
export const HIT_AFTER_END = SAMPLE_RATE;

export interface Rate {
  readonly count: number;
  readonly hours: number;
  readonly perHour: number;
}

export interface Recall {
  readonly found: number;
  readonly total: number;
  readonly recall: number;
}

/** Hits and misses of the positives at a rule, by group and overall; `hitChunk` per clip index (or -1). */
export function recallAt(clips: readonly ScoredClip[], rule: DecisionRule): { all: Recall; byGroup: Record<string, Recall>; hitChunk: Map<number, number> } {
  const byGroup: Record<string, { found: number; total: number }> = {};
  const hitChunk = new Map<number, number>();
  let found = 0;
  let total = 0;
  for (const c of clips) {
    if (!c.positive) continue;
    const hit = fires(c.scores, rule).find((t) => (t + 1) * CHUNK_SAMPLES >= c.wordStart! && (t + 1) * CHUNK_SAMPLES <= c.wordEnd! + HIT_AFTER_END);
    const g = (byGroup[c.group] ??= { found: 0, total: 0 });
    g.total++;
    total++;
    if (hit !== undefined) {
      g.found++;
      found++;
    }
    hitChunk.set(c.index, hit ?? -1);
  }
  const asRecall = (r: { found: number; total: number }): Recall => ({ ...r, recall: r.total > 0 ? r.found / r.total : 0 });
  return { all: asRecall({ found, total }), byGroup: Object.fromEntries(Object.entries(byGroup).map(([k, v]) => [k, asRecall(v)])), hitChunk };
}

/** False accepts on negative clips (each scored from its start): the chunks that fired, per clip index. */
export function clipFalseAccepts(clips: readonly ScoredClip[], rule: DecisionRule): { rate: Rate; fired: Map<number, number[]> } {
  const fired = new Map<number, number[]>();
  let count = 0;
  let samples = 0;
  for (const c of clips) {
    if (c.positive) continue;
    samples += c.samples;
    const f = fires(c.scores, rule);
    if (f.length > 0) fired.set(c.index, f);
    count += f.length;
  }
  return { rate: rate(count, samples), fired };
}

/** False accepts on a stream (outside its banned chunks) and the real-speech recall check on its word spans. */
export function streamFalseAccepts(stream: ScoredStream, rule: DecisionRule): { rate: Rate; fired: number[]; wordHits: number } {
  const all = fires(stream.scores, rule);
  const fired = all.filter((t) => !stream.banned.has(t));
  const wordHits = stream.wordSpans.filter(([a, b]) => all.some((t) => (t + 1) * CHUNK_SAMPLES >= a && (t + 1) * CHUNK_SAMPLES <= b + HIT_AFTER_END)).length;
  return { rate: rate(fired.length, stream.samples - stream.banned.size * CHUNK_SAMPLES), fired, wordHits };
}

export function rate(count: number, samples: number): Rate {
  const hours = Math.max(samples, 0) / SAMPLE_RATE / 3600;
  return { count, hours, perHour: hours > 0 ? count / hours : 0 };
}

/** Thresholds of a sweep: coarse in the middle, fine near 1 where trained heads separate. */
export const SWEEP_THRESHOLDS: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999];

/** One point of a DET curve. */
export interface CurvePoint {
  readonly threshold: number;
  readonly patience: number;
  readonly recall: number;
  readonly nearMissPerHour: number;
  readonly realPerHour: number;
  readonly realBySource: Record<string, number>;
}

/** Recall against false accepts per hour across thresholds, for one patience. */
export function sweep(clips: readonly ScoredClip[], streams: readonly ScoredStream[], patience: number): CurvePoint[] {
  return SWEEP_THRESHOLDS.map((threshold) => {
    const rule = { threshold, patience };
    const realBySource: Record<string, number> = {};
    let count = 0;
    let hours = 0;
    for (const s of streams) {
      const r = streamFalseAccepts(s, rule).rate;
      realBySource[s.name] = round(r.perHour);
      count += r.count;
      hours += r.hours;
    }
    return {
      threshold,
      patience,
      recall: round(recallAt(clips, rule).all.recall),
      nearMissPerHour: round(clipFalseAccepts(clips, rule).rate.perHour),
      realPerHour: round(hours > 0 ? count / hours : 0),
      realBySource,
    };
  });
}

export const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

import path from 'node:path';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { CHUNK_SAMPLES, type OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { ProgressBar } from '../progress.js';
import { fires } from '../train/eval/decisions.js';
import { HeadRunner } from '../train/eval/head-runner.js';
import { SWEEP_THRESHOLDS } from '../train/eval/sweep.js';
import { FeatureExtractor } from '../train/features/extractor.js';
import type { Corpus } from './corpus.js';
import { MATCH_WINDOW_AFTER_END_S, type ReadMono } from './wakeword-bench.js';

/** A keyword head to sweep: its ONNX bytes, a name for the plot, its default threshold and its own patience. */
export interface SweepHead {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly defaultThreshold: number;
  /** Consecutive chunks its description asks for (default: the sweep's `patience`). */
  readonly patience?: number;
}

/** One point of a DET curve: the spotter's figures at one threshold. */
export interface SweepPoint {
  readonly threshold: number;
  readonly recall: number;
  readonly detected: number;
  readonly false_accepts: number;
  readonly fa_per_hour: number;
}

export interface SweepCurve {
  readonly model: string;
  readonly default_threshold: number;
  readonly patience: number;
  /** The point at the head's default threshold (not always one of `points`). */
  readonly at_default: SweepPoint;
  readonly points: SweepPoint[];
}

/** `bench wakeword --sweep --json`: recall against false accepts per hour across thresholds, per head. */
export interface SweepResult {
  readonly positives: number;
  readonly negatives: number;
  readonly neg_hours: number;
  readonly patience: number;
  readonly refractory_ms: number;
  readonly thresholds: readonly number[];
  readonly models: SweepCurve[];
}

export interface SweepOptions {
  readonly patience: number;
  readonly refractoryMs: number;
  readonly thresholds?: readonly number[];
  readonly showProgress?: boolean;
}

/** Files whose features are computed together (one batch of streams through the engine's BatchScorer). */
const FILES_PER_BATCH = 8;

/**
 * Every head over every file of a corpus, each file one stream from a reset (as `bench wakeword`
 * plays it), with the engine's own feature path (BatchScorer, digital-silence guard) computed once
 * per file and shared by the heads, each head run by onnxruntime-node as the engine runs it. A
 * head's scores are kept, so the whole threshold sweep costs one pass: at each threshold the
 * engine's decision (patience, refractory time) is replayed over them. A positive counts as found
 * when a detection falls from its label's start to 2 s after its end (the first detection when it
 * has no label); every detection in a negative file is a false accept.
 */
export async function runWakewordSweep(corpus: Corpus, heads: readonly SweepHead[], models: OpenWakeWordModels, readMono: ReadMono, options: SweepOptions): Promise<SweepResult> {
  const thresholds = [...(options.thresholds ?? SWEEP_THRESHOLDS)].sort((a, b) => a - b);
  const refractorySamples = Math.round((options.refractoryMs / 1000) * SAMPLE_RATE);
  const runners: HeadRunner[] = [];
  try {
    for (const h of heads) runners.push(await HeadRunner.load(h.bytes, h.name));
    const extractor = new FeatureExtractor(models, FILES_PER_BATCH);
    const files = [...corpus.positives.map((f) => ({ file: f, positive: true })), ...corpus.negatives.map((f) => ({ file: f, positive: false }))];
    const progress = new ProgressBar(files.length, 'bench wakeword --sweep', process.stderr, options.showProgress ?? true);
    const every = [...new Set([...thresholds, ...heads.map((h) => h.defaultThreshold)])];
    // Per head and threshold: detected positives and false accepts.
    const tally = heads.map(() => new Map(every.map((t) => [t, { detected: 0, falseAccepts: 0 }])));
    let negSamples = 0;
    for (let at = 0; at < files.length; at += FILES_PER_BATCH) {
      const batch = files.slice(at, at + FILES_PER_BATCH);
      const audio = await Promise.all(batch.map((f) => readMono(f.file)));
      const embedded = await extractor.embed(audio.map((a) => [a]));
      for (const [k, f] of batch.entries()) {
        if (!f.positive) negSamples += audio[k]!.length;
        const label = corpus.labels.get(f.file);
        for (const [h, runner] of runners.entries()) {
          const scores = await runner.scoreSequence(models.seedFeatures, embedded[k]!);
          for (const t of every) {
            const fired = fires(scores, { threshold: t, patience: heads[h]!.patience ?? options.patience }, refractorySamples);
            const entry = tally[h]!.get(t)!;
            if (f.positive) {
              const hit = label
                ? fired.some((c) => (c + 1) * CHUNK_SAMPLES >= label.startS * SAMPLE_RATE && (c + 1) * CHUNK_SAMPLES <= (label.endS + MATCH_WINDOW_AFTER_END_S) * SAMPLE_RATE)
                : fired.length > 0;
              if (hit) entry.detected++;
            } else entry.falseAccepts += fired.length;
          }
        }
        progress.tick();
      }
    }
    const negHours = negSamples / SAMPLE_RATE / 3600;
    const point = (h: number, threshold: number): SweepPoint => {
      const { detected, falseAccepts } = tally[h]!.get(threshold)!;
      return {
        threshold,
        recall: corpus.positives.length > 0 ? detected / corpus.positives.length : 0,
        detected,
        false_accepts: falseAccepts,
        fa_per_hour: negHours > 0 ? falseAccepts / negHours : 0,
      };
    };
    return {
      positives: corpus.positives.length,
      negatives: corpus.negatives.length,
      neg_hours: negHours,
      patience: options.patience,
      refractory_ms: options.refractoryMs,
      thresholds,
      models: heads.map((head, h) => ({ model: head.name, default_threshold: head.defaultThreshold, patience: head.patience ?? options.patience, at_default: point(h, head.defaultThreshold), points: thresholds.map((t) => point(h, t)) })),
    };
  } finally {
    for (const r of runners) await r.dispose();
  }
}

/** A head's name for the plot: the file's name without .onnx. */
export function headName(file: string): string {
  return path.basename(file).replace(/\.onnx$/i, '');
}

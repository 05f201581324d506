import type { FeatureCache } from '../features/cache.js';
import type { FeatureExtractor } from '../features/extractor.js';
import { chunkCount } from '../features/windows.js';
import { wordChunks, wordPieces } from '../data/examples.js';
import type { ClipRecipe } from '../data/recipes.js';
import type { ClipFeatures } from '../data/synthetic.js';
import type { RealStream } from '../real/real-features.js';
import type { PronouncingDictionary } from '../text/cmudict.js';
import { accepts, chooseCascade, type CascadePoint, type CascadeTotals, type FireRecord } from './cascade.js';
import type { DecisionRule } from './decisions.js';
import { fireRecords } from './fire-records.js';
import { HeadRunner } from './head-runner.js';
import { clipFalseAccepts, rate, recallAt, round, streamFalseAccepts, sweep, type CurvePoint, type Rate, type Recall, type ScoredClip, type ScoredStream } from './sweep.js';

/** A head's figures at one rule on the validation sets. */
export interface HeadMetrics {
  readonly rule: DecisionRule;
  readonly recall: Recall;
  readonly recallByVoice: Record<string, Recall>;
  readonly nearMiss: Rate;
  readonly realBySource: Record<string, Rate & { readonly wordClips: number; readonly wordHits: number }>;
  readonly realPerHour: number;
}

export interface ValidationResult {
  readonly stage1: { readonly chosen: HeadMetrics; readonly curve: CurvePoint[] };
  readonly verifierAlone: { readonly atHigh: HeadMetrics; readonly curve: CurvePoint[] };
  readonly cascade: {
    readonly chosen: CascadePoint;
    readonly targetsMet: boolean;
    readonly recallByVoice: Record<string, Recall>;
    readonly front: CascadePoint[];
    readonly keyphraseChecked: boolean;
    /** The keyphrase thresholds tried (a point's `kws` indexes it). */
    readonly ladder: readonly number[];
  };
  readonly bundled?: { readonly atDefault: HeadMetrics; readonly curve: CurvePoint[] };
  readonly detectionsJudged: number;
}

export interface ValidationInput {
  readonly word: string;
  readonly keyphrase?: string;
  readonly ladder: readonly number[];
  readonly seedFeatures: Float32Array;
  readonly recipes: readonly ClipRecipe[];
  readonly clips: readonly ClipFeatures[];
  readonly clipKeys: readonly string[];
  readonly cache: FeatureCache;
  readonly real: readonly RealStream[];
  readonly stage1: Uint8Array;
  readonly verifier: Uint8Array;
  readonly verifierPatience: number;
  /** A head to compare with (the bundled alexa), at its default threshold. */
  readonly compareWith?: { readonly bytes: Uint8Array; readonly threshold: number };
  readonly extractor: FeatureExtractor;
  readonly dict: PronouncingDictionary;
  readonly seed: number;
  /** Stage 1 keeps at least this recall on the held-out voices (the cascade needs its detections). */
  readonly stage1Recall: number;
  readonly targets: { readonly nearMissPerHour: number; readonly realPerHour: number };
}

/**
 * Everything measured on the validation split: each stage alone and the cascade, on held-out voices
 * (recall), near-miss prose (false accepts per hour, clip by clip from a quiet start) and each real
 * validation source as one continuous stream (false accepts per hour, and the real recordings that
 * say the word as a recall check). Chooses the first stage's threshold and patience, then the
 * second stage's thresholds by grid search.
 */
export async function validate(input: ValidationInput): Promise<ValidationResult> {
  const score = async (bytes: Uint8Array, label: string): Promise<{ clips: ScoredClip[]; streams: ScoredStream[] }> => {
    const runner = await HeadRunner.load(bytes, label);
    try {
      const clips: ScoredClip[] = [];
      for (const [i, r] of input.recipes.entries()) {
        if (r.split !== 'val') continue;
        const c = input.clips[i]!;
        clips.push({ index: i, group: r.kind === 'positive' ? r.group : r.kind, positive: r.kind === 'positive', scores: await runner.scoreSequence(input.seedFeatures, c.embeddings), samples: c.samples, ...(c.wordStart === undefined ? {} : { wordStart: c.wordStart, wordEnd: c.wordEnd }) });
      }
      const streams: ScoredStream[] = [];
      for (const s of input.real) {
        streams.push({
          name: s.source.name,
          scores: await runner.scoreSequence(input.seedFeatures, s.embeddings),
          banned: wordChunks(s, input.word),
          wordSpans: wordPieces(s, input.word).map((p) => [p.start, p.end] as const),
          samples: Math.min(s.samples, chunkCount(s.embeddings) * 1280),
        });
      }
      return { clips, streams };
    } finally {
      await runner.dispose();
    }
  };
  const first = await score(input.stage1, 'stage-1 head');
  const curve1 = [...sweep(first.clips, first.streams, 1), ...sweep(first.clips, first.streams, 2)];
  const eligible = curve1.filter((p) => p.recall >= input.stage1Recall);
  const best = eligible.length > 0 ? eligible.sort((a, b) => a.realPerHour + a.nearMissPerHour - (b.realPerHour + b.nearMissPerHour) || b.threshold - a.threshold)[0]! : [...curve1].sort((a, b) => b.recall - a.recall)[0]!;
  const rule1: DecisionRule = { threshold: best.threshold, patience: best.patience };

  const verifierRunner = await HeadRunner.load(input.verifier, 'verifier head');
  const records = await fireRecords({
    clips: first.clips,
    clipAudio: (i) => input.cache.getAudio(input.clipKeys[i]!) ?? new Int16Array(0),
    streams: first.streams,
    real: input.real,
    rule: rule1,
    extractor: input.extractor,
    verifier: verifierRunner,
    verifierPatience: input.verifierPatience,
    seedFeatures: input.seedFeatures,
    ...(input.keyphrase ? { keyphrase: input.keyphrase } : {}),
    ladder: input.ladder,
    dict: input.dict,
    seed: input.seed,
  }).finally(() => verifierRunner.dispose());
  const totals: CascadeTotals = {
    positives: first.clips.filter((c) => c.positive).length,
    nearMissHours: rate(0, first.clips.filter((c) => !c.positive).reduce((n, c) => n + c.samples, 0)).hours,
    realHours: Object.fromEntries(first.streams.map((s) => [s.name, streamFalseAccepts(s, rule1).rate.hours])),
    realWordClips: first.streams.reduce((n, s) => n + s.wordSpans.length, 0),
  };
  const keyphraseChecked = records.some((r) => r.keyphrase.length > 0);
  const { chosen, front, met } = chooseCascade(records, totals, keyphraseChecked ? input.ladder.length : 0, input.targets);

  const second = await score(input.verifier, 'verifier head');
  const curve2 = [...sweep(second.clips, second.streams, 1), ...sweep(second.clips, second.streams, 2)];
  const compared = input.compareWith ? await score(input.compareWith.bytes, 'bundled head') : undefined;
  return {
    stage1: { chosen: metricsAt(first.clips, first.streams, rule1), curve: curve1 },
    verifierAlone: { atHigh: metricsAt(second.clips, second.streams, { threshold: Math.min(0.999, chosen.high), patience: input.verifierPatience }), curve: curve2 },
    cascade: { chosen, targetsMet: met, recallByVoice: cascadeByVoice(records, first.clips, chosen), front, keyphraseChecked, ladder: input.ladder },
    ...(compared && input.compareWith
      ? { bundled: { atDefault: metricsAt(compared.clips, compared.streams, { threshold: input.compareWith.threshold, patience: 1 }), curve: sweep(compared.clips, compared.streams, 1) } }
      : {}),
    detectionsJudged: records.length,
  };
}

function metricsAt(clips: readonly ScoredClip[], streams: readonly ScoredStream[], rule: DecisionRule): HeadMetrics {
  const r = recallAt(clips, rule);
  const realBySource: HeadMetrics['realBySource'] = {};
  let count = 0;
  let hours = 0;
  for (const s of streams) {
    const fa = streamFalseAccepts(s, rule);
    realBySource[s.name] = { ...fa.rate, perHour: round(fa.rate.perHour), wordClips: s.wordSpans.length, wordHits: fa.wordHits };
    count += fa.rate.count;
    hours += fa.rate.hours;
  }
  return { rule, recall: r.all, recallByVoice: r.byGroup, nearMiss: clipFalseAccepts(clips, rule).rate, realBySource, realPerHour: round(hours > 0 ? count / hours : 0) };
}

function cascadeByVoice(records: readonly FireRecord[], clips: readonly ScoredClip[], rule: CascadePoint): Record<string, Recall> {
  const out: Record<string, Recall> = {};
  const totals = new Map<string, number>();
  for (const c of clips) if (c.positive) totals.set(c.group, (totals.get(c.group) ?? 0) + 1);
  for (const [group, total] of totals) {
    const found = records.filter((r) => r.where === 'positive' && r.label === group && accepts(r, rule)).length;
    out[group] = { found, total, recall: round(found / total) };
  }
  return out;
}

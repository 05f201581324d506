import { CHUNK_SAMPLES } from '../../../models/wakeword/oww-models.js';
import { Rng } from '../../bench/fuzz-rng.js';
import { cloudWindow, verdictChunks, type CloudWindow } from '../eval/cloud-check.js';
import { realWindow } from '../eval/fire-records.js';
import { HeadRunner } from '../eval/head-runner.js';
import type { ScoredClip, ScoredStream } from '../eval/sweep.js';
import type { FeatureCache } from '../features/cache.js';
import type { FeatureExtractor } from '../features/extractor.js';
import { chunkCount, SKIPPED_CHUNKS } from '../features/windows.js';
import { deriveSeed, hashOf, sha256 } from '../hash.js';
import type { Example, TrainSet } from '../model/train-head.js';
import type { RealStream } from '../real/real-features.js';
import type { Synthesizer } from '../tts/synthesizer.js';
import { CLOUD_POSITIVE_AFTER_END, wordChunks, type TrainSets } from './examples.js';
import { capInOrder, MINING_RULE, mineFirings, relabelHard } from './mining.js';
import type { Plan } from './plan.js';
import { concat, renderClip } from './render.js';
import { babbleBanks, speak, type ClipFeatures } from './synthetic.js';

/** Detections on synthetic negative clips whose cloud windows are rebuilt at most (a seeded sample beyond). */
export const MAX_CLIP_FIRES = 2000;
/** Detections per real training source whose cloud windows are rebuilt at most. */
export const MAX_STREAM_FIRES = 300;
/** Positives the first stage finds whose exact cloud window (the device's own boundary estimate) is rebuilt. */
export const EXACT_POSITIVES = 500;
/**
 * Weight of a positive window from an exact cloud window: the cached cloud views of the positives
 * start 350-600 ms before the word, but the device's own boundary estimate often starts the window
 * later (in noise, a third of the time by more than 100 ms), and the verifier missed exactly
 * those; the exact windows teach it that case.
 */
export const EXACT_POSITIVE_WEIGHT = 4;
/** Clips rendered again per group (the TTS engines speak the next group meanwhile). */
const GROUP = 200;

export interface MiningInput {
  readonly word: string;
  /** The first stage's ONNX bytes. */
  readonly stage1: Uint8Array;
  readonly plan: Plan;
  readonly clips: readonly ClipFeatures[];
  readonly clipKeys: readonly string[];
  /** The real training streams (and their cloud views' sequences in `sets.cloud`). */
  readonly real: readonly RealStream[];
  readonly sets: TrainSets;
  readonly extractor: FeatureExtractor;
  readonly synthesizer: Synthesizer;
  readonly cache: FeatureCache;
  readonly featureIdentity: string;
  readonly seed: number;
}

export interface MiningSummary {
  readonly rule: { readonly threshold: number; readonly patience: number };
  /** `allKept`: the first stage found too few, so the verifier learns every training positive's cloud view. */
  readonly positives: { readonly train: number; readonly found: number; readonly allKept: boolean; readonly exactWindows: number };
  readonly syntheticFires: { readonly found: number; readonly rebuilt: number };
  readonly realFires: Readonly<Record<string, { readonly found: number; readonly rebuilt: number }>>;
  /** Cloud-view negatives the first stage scores at or above the mining threshold (with the windows around them). */
  readonly hotCloudWindows: number;
  readonly hardWindows: number;
  /** Clips left out because rendering them again did not give the same audio length. */
  readonly skippedClips: number;
}

interface Mined {
  readonly sequences: Float32Array[];
  readonly examples: Example[];
  /** Clips whose rendering came out another length than the first time (a TTS engine that is not deterministic): left out. */
  skipped: number;
}

/**
 * The verifier's training set, mined from what the first stage gets wrong. The first stage (its
 * ONNX file, as the engine runs it) scores every training clip and real stream as the device hears
 * them; where it fires on a negative at MINING_RULE, the cloud window the device would stream is
 * rebuilt (the clip rendered again from its recipe, the real stream cut again from its files) and
 * every window the cloud's verdict takes there is a hard negative. The cloud views the first stage
 * scores high are hard negatives too. Positives are the cloud views of the training positives the
 * first stage finds, plus the exact cloud windows of a sample of them. The ordinary cloud-view
 * negatives stay, as their own classes. Deterministic for a seed; the rebuilt windows' features are
 * cached under the first stage's hash.
 */
export async function mineVerifierSet(input: MiningInput, onProgress: (done: number, total: number) => void = () => undefined): Promise<{ set: TrainSet; summary: MiningSummary }> {
  const { plan, sets } = input;
  const runner = await HeadRunner.load(input.stage1, 'stage-1 head');
  const seedFeatures = sets.stage1.seedFeatures;
  let firings;
  const cloudScores = new Map<number, Float32Array>();
  try {
    const scored: ScoredClip[] = [];
    for (const [i, r] of plan.recipes.entries()) {
      if (r.split !== 'train') continue;
      const c = input.clips[i]!;
      scored.push({ index: i, group: r.group, positive: r.kind === 'positive', scores: await runner.scoreSequence(seedFeatures, c.embeddings), samples: c.samples, ...(c.wordStart === undefined ? {} : { wordStart: c.wordStart, wordEnd: c.wordEnd }) });
    }
    const streams: ScoredStream[] = [];
    for (const s of input.real) streams.push({ name: s.source.name, scores: await runner.scoreSequence(seedFeatures, s.embeddings), banned: wordChunks(s, input.word), wordSpans: [], samples: s.samples });
    firings = mineFirings(scored, streams, MINING_RULE);
    for (const seq of new Set(sets.cloud.examples.filter((e) => e.cls !== 'positive').map((e) => e.seq))) cloudScores.set(seq, await runner.scoreSequence(seedFeatures, sets.cloud.sequences[seq]!));
  } finally {
    await runner.dispose();
  }

  const clipFires = capInOrder(firings.clips, MAX_CLIP_FIRES, new Rng(deriveSeed(input.seed, 'mine', 'clips')));
  const exact = capInOrder([...firings.positives], EXACT_POSITIVES, new Rng(deriveSeed(input.seed, 'mine', 'positives')));
  const streamFires = input.real.map((_, k) => firings.streams.filter(([s]) => s === k));
  const realFires = streamFires.map((f, k) => capInOrder(f, MAX_STREAM_FIRES, new Rng(deriveSeed(input.seed, 'mine', 'real', k))));
  const key = hashOf({ kind: 'verifier-mining', version: 1, stage1: sha256(input.stage1), rule: MINING_RULE, features: input.featureIdentity, clips: sha256(input.clipKeys.join('\n')), real: input.real.map((s) => s.source.fingerprint), clipFires, exact, realFires });
  const mined = fromCache(input.cache, key) ?? (await rebuild(input, clipFires, exact, realFires, key, onProgress));

  const sequences = [...sets.cloud.sequences];
  const trainPositives = plan.recipes.filter((r) => r.split === 'train' && r.kind === 'positive').length;
  // A first stage that finds fewer than half the training positives (a tiny budget's) leaves the verifier all of them.
  const foundCloud = new Set([...firings.positives.keys()].map((i) => sets.cloudSeqOfClip.get(i)));
  const keepAll = firings.positives.size < trainPositives / 2;
  const base = relabelHard(sets.cloud.examples, cloudScores, MINING_RULE.threshold).filter((e) => e.cls !== 'positive' || keepAll || foundCloud.has(e.seq));
  const offset = sequences.length;
  sequences.push(...mined.sequences);
  const examples = [...base, ...mined.examples.map((e) => ({ ...e, seq: e.seq + offset, ...(e.cls === 'positive' ? { weight: EXACT_POSITIVE_WEIGHT } : {}) }))];
  const summary: MiningSummary = {
    rule: MINING_RULE,
    positives: { train: trainPositives, found: firings.positives.size, allKept: keepAll, exactWindows: mined.examples.filter((e) => e.cls === 'positive').length },
    syntheticFires: { found: firings.clips.length, rebuilt: clipFires.length },
    realFires: Object.fromEntries(input.real.map((s, k) => [s.source.name, { found: streamFires[k]!.length, rebuilt: realFires[k]!.length }])),
    hotCloudWindows: base.filter((e) => e.cls === 'hard').length,
    hardWindows: examples.filter((e) => e.cls === 'hard').length,
    skippedClips: mined.skipped,
  };
  return { set: { seedFeatures, sequences, examples }, summary };
}

/** The rebuilt cloud windows' features and examples: synthetic clips rendered again in groups, then real windows. */
async function rebuild(
  input: MiningInput,
  clipFires: readonly (readonly [number, number])[],
  exact: readonly (readonly [number, number])[],
  realFires: readonly (readonly (readonly [number, number])[])[],
  key: string,
  onProgress: (done: number, total: number) => void,
): Promise<Mined> {
  const total = clipFires.length + exact.length + realFires.reduce((n, f) => n + f.length, 0);
  let done = 0;
  const out: Mined = { sequences: [], examples: [], skipped: 0 };
  const add = async (windows: readonly { window: CloudWindow; wordEnd?: number }[]): Promise<void> => {
    const embedded = await input.extractor.embed(windows.map((w) => [w.window.audio]));
    windows.forEach(({ window, wordEnd }, k) => {
      const seq = out.sequences.push(embedded[k]!) - 1;
      out.examples.push(...windowExamples(window, chunkCount(embedded[k]!), seq, wordEnd));
    });
    done += windows.length;
    onProgress(done, total);
  };
  // Each clip is rendered once for all its detections.
  const wanted = new Map<number, { chunks: number[]; positive: boolean }>();
  for (const [i, t] of [...clipFires, ...exact]) {
    const w = wanted.get(i) ?? { chunks: [], positive: input.plan.recipes[i]!.kind === 'positive' };
    w.chunks.push(t);
    wanted.set(i, w);
  }
  const order = [...wanted.keys()];
  const groups: number[][] = [];
  for (let at = 0; at < order.length; at += GROUP) groups.push(order.slice(at, at + GROUP));
  const bank = await babbleBanks(input.plan, input.synthesizer, order.some((i) => input.plan.recipes[i]!.babble.length > 0));
  let speaking = groups.length > 0 ? speak(groups[0]!, input.plan, input.synthesizer) : undefined;
  for (const [g, group] of groups.entries()) {
    const speech = await speaking!;
    if (g + 1 < groups.length) {
      speaking = speak(groups[g + 1]!, input.plan, input.synthesizer);
      speaking.catch(() => undefined);
    }
    const windows: { window: CloudWindow; wordEnd?: number }[] = [];
    for (const i of group) {
      const clip = renderClip(input.plan.recipes[i]!, speech, bank.train);
      if (clip.audio.length !== input.clips[i]!.samples) {
        out.skipped++;
        done += wanted.get(i)!.chunks.length;
        continue;
      }
      for (const t of wanted.get(i)!.chunks) windows.push({ window: cloudWindow(clip.audio, t), ...(clip.wordEnd === undefined ? {} : { wordEnd: clip.wordEnd }) });
    }
    await add(windows);
  }
  for (const [k, fires] of realFires.entries()) {
    const windows: { window: CloudWindow }[] = [];
    for (const [, t] of fires) windows.push({ window: await realWindow(input.real[k]!, t) });
    if (windows.length > 0) await add(windows);
  }
  input.cache.put(key, concat(out.sequences));
  input.cache.putJson(key, { lengths: out.sequences.map((s) => s.length), examples: out.examples, skipped: out.skipped });
  return out;
}

/**
 * The training windows of one rebuilt cloud window: every chunk the verdict takes (past the
 * engine's first five) is a hard negative, or, for a positive (`wordEnd` in the window's stream),
 * a positive when it ends in CLOUD_POSITIVE_AFTER_END of the word's end (the rest of a positive's
 * window is left out: it neither holds the whole word nor is a negative).
 */
export function windowExamples(window: CloudWindow, chunks: number, seq: number, wordEnd?: number): Example[] {
  const { first, last } = verdictChunks(window);
  const out: Example[] = [];
  for (let t = Math.max(first, SKIPPED_CHUNKS); t <= Math.min(last, chunks - 1); t++) {
    if (wordEnd === undefined) out.push({ seq, t, cls: 'hard' });
    else {
      const after = window.start + (t + 1) * CHUNK_SAMPLES - wordEnd;
      if (after >= CLOUD_POSITIVE_AFTER_END[0] && after <= CLOUD_POSITIVE_AFTER_END[1]) out.push({ seq, t, cls: 'positive' });
    }
  }
  return out;
}

function fromCache(cache: FeatureCache, key: string): Mined | undefined {
  const meta = cache.getJson<{ lengths: number[]; examples: Example[]; skipped: number }>(key);
  const all = meta ? cache.get(key) : undefined;
  if (!meta || !all) return undefined;
  const sequences: Float32Array[] = [];
  let at = 0;
  for (const n of meta.lengths) {
    sequences.push(all.subarray(at, at + n));
    at += n;
  }
  return { sequences, examples: meta.examples, skipped: meta.skipped };
}

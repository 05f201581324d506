import { CHUNK_SAMPLES } from '../../../models/wakeword/oww-models.js';
import { Rng } from '../../bench/fuzz-rng.js';
import type { FeatureExtractor } from '../features/extractor.js';
import type { RealStream } from '../real/real-features.js';
import { streamSegment } from '../real/stream.js';
import type { PronouncingDictionary } from '../text/cmudict.js';
import { sample } from '../shuffle.js';
import type { FireRecord } from './cascade.js';
import { cloudWindow, ENVELOPE_HISTORY, verifierStats, type CloudWindow } from './cloud-check.js';
import type { DecisionRule } from './decisions.js';
import type { HeadRunner } from './head-runner.js';
import { pocketsphinxAvailable, spotKeyphrase } from './pocketsphinx.js';
import { clipFalseAccepts, recallAt, streamFalseAccepts, type ScoredClip, type ScoredStream } from './sweep.js';

/**
 * Detections judged per real source at most; beyond it a seeded sample stands for all (weighted).
 * Each costs a decode of its window and a keyphrase search per ladder step, the dearest part of
 * validation.
 */
export const MAX_REAL_FIRES = 100;

interface Pending {
  readonly where: FireRecord['where'];
  readonly label: string;
  readonly weight: number;
  readonly window: CloudWindow;
}

export interface FireRecordInput {
  readonly clips: readonly ScoredClip[];
  /** A validation clip's audio by its index. */
  readonly clipAudio: (index: number) => Int16Array;
  readonly streams: readonly ScoredStream[];
  readonly real: readonly RealStream[];
  readonly rule: DecisionRule;
  readonly extractor: FeatureExtractor;
  readonly verifier: HeadRunner;
  readonly verifierPatience: number;
  readonly seedFeatures: Float32Array;
  readonly keyphrase?: string;
  readonly ladder: readonly number[];
  readonly dict: PronouncingDictionary;
  readonly seed: number;
}

/**
 * Every detection the first stage makes on the validation audio at `rule`, judged as the cloud
 * would: the window the device streams (from its own boundary estimate), the verifier head's
 * statistic on it, and the keyphrase check at each ladder threshold.
 */
export async function fireRecords(input: FireRecordInput): Promise<FireRecord[]> {
  const pending: Pending[] = [];
  const { hitChunk } = recallAt(input.clips, input.rule);
  for (const c of input.clips) {
    const hit = hitChunk.get(c.index);
    if (c.positive && hit !== undefined && hit >= 0) pending.push({ where: 'positive', label: c.group, weight: 1, window: cloudWindow(input.clipAudio(c.index), hit) });
  }
  for (const [index, chunks] of clipFalseAccepts(input.clips, input.rule).fired) {
    const audio = input.clipAudio(index);
    for (const t of chunks) pending.push({ where: 'near-miss', label: input.clips.find((c) => c.index === index)!.group, weight: 1, window: cloudWindow(audio, t) });
  }
  const rng = new Rng(input.seed);
  for (const [k, stream] of input.streams.entries()) {
    const real = input.real[k]!;
    const { fired } = streamFalseAccepts(stream, input.rule);
    const chosen = fired.length > MAX_REAL_FIRES ? sample(fired, MAX_REAL_FIRES, rng).sort((a, b) => a - b) : fired;
    const weight = fired.length / Math.max(1, chosen.length);
    for (const t of chosen) pending.push({ where: 'real', label: stream.name, weight, window: await realWindow(real, t) });
    const all = streamFalseAccepts({ ...stream, banned: new Set() }, input.rule).fired;
    for (const [a, b] of stream.wordSpans) {
      const t = all.find((x) => (x + 1) * CHUNK_SAMPLES >= a && (x + 1) * CHUNK_SAMPLES <= b + 16000);
      if (t !== undefined) pending.push({ where: 'real-word', label: stream.name, weight: 1, window: await realWindow(real, t) });
    }
  }
  const windows = pending.map((p) => p.window);
  const stats = await verifierStats(windows, input.extractor, input.verifier, input.seedFeatures, input.verifierPatience);
  const spotted = input.keyphrase && pocketsphinxAvailable() && windows.length > 0 ? await spotKeyphrase(windows.map((w) => w.audio), input.keyphrase, input.ladder, input.dict) : windows.map(() => []);
  return pending.map((p, i) => ({ where: p.where, label: p.label, weight: p.weight, verifier: stats[i]!, keyphrase: spotted[i]! }));
}

/** The cloud window of a detection at chunk `t` of a real stream, rebuilt from the source's files. */
export async function realWindow(real: RealStream, t: number): Promise<CloudWindow> {
  const crossEnd = (t + 1) * CHUNK_SAMPLES;
  const from = crossEnd - ENVELOPE_HISTORY;
  const segment = await streamSegment(real.source, real.pieces, from, crossEnd + 16000);
  // The segment starts a whole number of chunks before the detection, so chunk indices carry over.
  return cloudWindow(segment, Math.round(ENVELOPE_HISTORY / CHUNK_SAMPLES) - 1);
}

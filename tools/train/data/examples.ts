import { CHUNK_SAMPLES } from '../../../models/wakeword/oww-models.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { chunkCount, SKIPPED_CHUNKS } from '../features/windows.js';
import type { Example, ExampleClass, TrainSet } from '../model/train-head.js';
import type { RealStream } from '../real/real-features.js';
import { transcriptContains } from '../text/word-match.js';
import type { ClipRecipe } from './recipes.js';
import { CLOUD_PRE_ROLL, type ClipFeatures } from './synthetic.js';

/** Positive windows (device view): those whose chunk ends from the word's end to 400 ms after it. */
export const POSITIVE_AFTER_END: readonly [number, number] = [0, Math.round(0.4 * SAMPLE_RATE)];
/** Positive windows (cloud view): the verification window, from just before the end to 300 ms after. */
export const CLOUD_POSITIVE_AFTER_END: readonly [number, number] = [-640, Math.round(0.3 * SAMPLE_RATE)];
/** A window still holds a word for this long after it ended (16 embeddings plus the embedding's own reach). */
export const WINDOW_REACH = Math.round(2.1 * SAMPLE_RATE);
/** The cloud judges windows completing after its 500 ms pre-roll. */
const CLOUD_FIRST_CHUNK = Math.ceil(CLOUD_PRE_ROLL / CHUNK_SAMPLES) - 1;

const NEGATIVE_CLASS: Readonly<Record<Exclude<ClipRecipe['kind'], 'positive'>, ExampleClass>> = {
  'near-miss': 'near-miss',
  prose: 'speech',
  command: 'speech',
  noise: 'sound',
  tone: 'sound',
  silence: 'sound',
};

export interface TrainSets {
  /** The first stage: device-view windows only. */
  readonly stage1: TrainSet;
  /** The cloud's view of the training clips and of real speech (same sequences): the verifier's ordinary windows. */
  readonly cloud: TrainSet;
  /** The sequence of each training clip's cloud view, by recipe index. */
  readonly cloudSeqOfClip: ReadonlyMap<number, number>;
}

/**
 * The training windows of a run. Sequences hold every training clip's device and cloud views, the
 * training sources' streams and their cloud views; examples point into them. Real clips whose
 * transcript contains the word are left out (the window reach after them too).
 */
export function buildTrainSets(
  word: string,
  seedFeatures: Float32Array,
  recipes: readonly ClipRecipe[],
  clips: readonly ClipFeatures[],
  real: readonly RealStream[],
  realCloud: readonly (readonly Float32Array[])[],
): TrainSets {
  const sequences: Float32Array[] = [];
  const device: Example[] = [];
  const cloud: Example[] = [];
  const cloudSeqOfClip = new Map<number, number>();
  recipes.forEach((r, i) => {
    if (r.split !== 'train') return;
    const c = clips[i]!;
    const seq = sequences.push(c.embeddings) - 1;
    const cseq = sequences.push(c.cloud) - 1;
    cloudSeqOfClip.set(i, cseq);
    const n = chunkCount(c.embeddings);
    const m = chunkCount(c.cloud);
    if (r.kind === 'positive') {
      for (let t = 0; t < n; t++) {
        const end = (t + 1) * CHUNK_SAMPLES - c.wordEnd!;
        if (end >= POSITIVE_AFTER_END[0] && end <= POSITIVE_AFTER_END[1]) device.push({ seq, t, cls: 'positive' });
      }
      for (let t = 0; t < m; t++) {
        const end = c.cloudStart + (t + 1) * CHUNK_SAMPLES - c.wordEnd!;
        if (end >= CLOUD_POSITIVE_AFTER_END[0] && end <= CLOUD_POSITIVE_AFTER_END[1]) cloud.push({ seq: cseq, t, cls: 'positive' });
      }
      return;
    }
    const cls = NEGATIVE_CLASS[r.kind];
    for (let t = SKIPPED_CHUNKS; t < n; t++) device.push({ seq, t, cls });
    for (let t = CLOUD_FIRST_CHUNK; t < m; t++) cloud.push({ seq: cseq, t, cls });
  });
  real.forEach((stream, k) => {
    const seq = sequences.push(stream.embeddings) - 1;
    const banned = wordChunks(stream, word);
    const n = chunkCount(stream.embeddings);
    for (let t = SKIPPED_CHUNKS; t < n; t++) if (!banned.has(t)) device.push({ seq, t, cls: 'real' });
    for (const view of realCloud[k] ?? []) {
      const vseq = sequences.push(view) - 1;
      for (let t = CLOUD_FIRST_CHUNK; t < chunkCount(view); t++) cloud.push({ seq: vseq, t, cls: 'real' });
    }
  });
  return { stage1: { seedFeatures, sequences, examples: device }, cloud: { seedFeatures, sequences, examples: cloud }, cloudSeqOfClip };
}

/**
 * Chunks of a stream whose window may hold the word: from the start of every clip whose transcript
 * contains it to WINDOW_REACH after its end.
 */
export function wordChunks(stream: RealStream, word: string): Set<number> {
  const out = new Set<number>();
  for (const p of wordPieces(stream, word)) {
    for (let t = Math.floor(p.start / CHUNK_SAMPLES); t <= Math.ceil((p.end + WINDOW_REACH) / CHUNK_SAMPLES); t++) out.add(t);
  }
  return out;
}

/** The clips of a stream whose transcript contains the word. */
export function wordPieces(stream: RealStream, word: string): RealStream['pieces'] {
  return stream.pieces.filter((p) => p.clip !== undefined && transcriptContains(stream.source.clips[p.clip]!.transcript, word));
}

/** Windows per class, for the report. */
export function countByClass(examples: readonly Example[]): Record<ExampleClass, number> {
  const out: Record<ExampleClass, number> = { positive: 0, 'near-miss': 0, speech: 0, sound: 0, real: 0, hard: 0 };
  for (const e of examples) out[e.cls]++;
  return out;
}

import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { CHUNK_SAMPLES } from '../../../models/wakeword/oww-models.js';
import { DEFAULT_BOUNDARY_OPTIONS, EnergyEnvelope } from '../../../models/wakeword/word-boundaries.js';
import type { FeatureExtractor } from '../features/extractor.js';
import { bestRun } from './decisions.js';
import type { HeadRunner } from './head-runner.js';

/** The AVS pre-roll the device streams before the wake word, and how long after its end the cloud waits. */
export const PRE_ROLL = 8000;
export const AFTER_END = Math.round(0.3 * SAMPLE_RATE);
/** Audio before a detection the device's boundary estimate looks at (its envelope holds 4 s). */
export const ENVELOPE_HISTORY = 4 * SAMPLE_RATE;

/**
 * What the device tells the cloud about one detection, and what the cloud then has: the wake word's
 * estimated [begin, end) (the engine's energy-envelope estimate) and the streamed audio from
 * 500 ms before `begin` to 300 ms after `end`, the window the verifier head and the keyphrase check
 * judge. Positions are relative to `audio`'s first sample.
 */
export interface CloudWindow {
  /** Where the window starts in the stream it was cut from (begin - 500 ms; negative before the stream's start). */
  readonly start: number;
  readonly begin: number;
  readonly end: number;
  /** Stream audio from begin - 500 ms to end + 300 ms (zeros where the stream had not started). */
  readonly audio: Int16Array;
}

/**
 * The device's view of a detection at chunk `fireChunk` of `audio` (a stream that started at its
 * first sample): its boundary estimate as the engine makes it, then the window the cloud receives.
 */
export function cloudWindow(audio: Int16Array, fireChunk: number): CloudWindow {
  const crossEnd = (fireChunk + 1) * CHUNK_SAMPLES;
  const envelope = new EnergyEnvelope();
  const from = Math.max(0, crossEnd - ENVELOPE_HISTORY);
  envelope.push(audio.subarray(from, crossEnd), from);
  const { begin, end } = envelope.estimate(crossEnd, DEFAULT_BOUNDARY_OPTIONS);
  const start = begin - PRE_ROLL;
  const stop = end + AFTER_END;
  const window = new Int16Array(stop - start);
  const a = Math.max(0, start);
  window.set(audio.subarray(a, Math.min(stop, audio.length)), a - start);
  return { start, begin: begin - start, end: end - start, audio: window };
}

/**
 * The verifier head's verdict statistic on cloud windows, as the cloud computes it: a fresh stream
 * from the window's start (500 ms before the claimed begin), the best run of `patience` chunks whose
 * last chunk ends inside [begin, end + 300 ms]. All windows are featurised in one batch.
 */
export async function verifierStats(windows: readonly CloudWindow[], extractor: FeatureExtractor, verifier: HeadRunner, seedFeatures: Float32Array, patience: number): Promise<number[]> {
  const embedded = await extractor.embed(windows.map((w) => [w.audio]));
  const out: number[] = [];
  for (const [i, w] of windows.entries()) {
    const scores = await verifier.scoreSequence(seedFeatures, embedded[i]!);
    const { first, last } = verdictChunks(w);
    out.push(bestRun(scores, patience, first, last));
  }
  return out;
}

/** The chunks of a cloud window whose scores the verdict takes: those ending inside [begin, end + 300 ms]. */
export function verdictChunks(w: Pick<CloudWindow, 'begin' | 'end'>): { first: number; last: number } {
  return { first: Math.max(0, Math.ceil(w.begin / CHUNK_SAMPLES) - 1), last: Math.floor((w.end + AFTER_END) / CHUNK_SAMPLES) - 1 };
}

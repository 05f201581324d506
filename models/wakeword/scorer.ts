import type { BatchRequest } from '../batch-queue.js';
import type { HeadSpec } from './registry.js';

/** What a keyword head is, as far as the decision around it needs to know. */
export interface HeadInfo {
  readonly keyword: string;
  /** Embeddings the head looks at. */
  readonly window: number;
  readonly defaultThreshold: number;
  /** The head's own patience, when its description gives one. */
  readonly defaultPatience?: number;
}

/** One stream's next chunk and the heads to score it with (by keyword, each loaded). */
export interface ScoreInput {
  readonly chunk: Int16Array;
  readonly heads: readonly string[];
}

/**
 * The model half of one stream's spotter: raw keyword-head scores, one 80 ms chunk at a time. It may
 * run in this thread or in a worker; the engine around it (chunking, decisions, word boundaries)
 * does not care which. The stream's feature history does not depend on the heads, so the heads may
 * change from one chunk to the next (a device switching its wake word) without losing it.
 */
export interface ChunkScorer {
  /**
   * The scores of the next 1280-sample chunk, one per keyword in `heads`, in that order. The chunk is
   * read before the promise settles, so the caller may reuse its buffer afterwards.
   */
  score(chunk: Int16Array, heads: readonly string[]): Promise<Float32Array>;
  /** Forget the stream's history: the next chunk starts afresh (ones window, seed embeddings). */
  reset(): void;
  /** Frees the stream's state. */
  close(): void;
}

/** Something that can open scorers for streams: the loaded models in this thread, or a worker pool. */
export interface ScorerSource {
  /** The heads loaded so far. */
  readonly heads: readonly HeadInfo[];
  readonly keywords: string[];
  /** The heads it started with: what an engine runs unless told otherwise. */
  readonly defaultKeywords: readonly string[];
  openScorer(): ChunkScorer;
  /** Loads the heads not loaded yet (each warmed up once); resolves to every one's info, in order. */
  ensureHeads(specs: readonly HeadSpec[]): Promise<HeadInfo[]>;
}

/** One 1280-sample chunk of one stream, as batched by a BatchQueue. */
export type ScoreRequest = BatchRequest<ScoreInput>;

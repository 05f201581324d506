import type { BatchRequest } from '../batch-queue.js';

/** What a keyword head is, as far as the decision around it needs to know. */
export interface HeadInfo {
  readonly keyword: string;
  /** Embeddings the head looks at. */
  readonly window: number;
  readonly defaultThreshold: number;
}

/**
 * The model half of one stream's spotter: raw keyword-head scores, one 80 ms chunk at a time. It may
 * run in this thread or in a worker; the engine around it (chunking, decisions, word boundaries)
 * does not care which.
 */
export interface ChunkScorer {
  /**
   * The scores of the next 1280-sample chunk, one per head in `heads` order. The chunk is read before
   * the promise settles, so the caller may reuse its buffer afterwards.
   */
  score(chunk: Int16Array): Promise<Float32Array>;
  /** Forget the stream's history: the next chunk starts afresh (ones window, seed embeddings). */
  reset(): void;
  /** Frees the stream's state. */
  close(): void;
}

/** Something that can open scorers for streams: the loaded models in this thread, or a worker pool. */
export interface ScorerSource {
  readonly heads: readonly HeadInfo[];
  readonly keywords: string[];
  openScorer(): ChunkScorer;
}

/** One 1280-sample chunk of one stream, as batched by a BatchQueue. */
export type ScoreRequest = BatchRequest<Int16Array>;

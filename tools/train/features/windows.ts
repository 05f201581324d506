import { EMBEDDING_DIM } from '../../../models/wakeword/oww-models.js';

/** Embeddings a head sees (1.28 s). */
export const HEAD_WINDOW = 16;
export const WINDOW_VALUES = HEAD_WINDOW * EMBEDDING_DIM;
/** The engine forces a head's first five scores after a reset to zero (its buffers are filling). */
export const SKIPPED_CHUNKS = 5;

/** Chunks in an embedding sequence. */
export function chunkCount(embeddings: Float32Array): number {
  return embeddings.length / EMBEDDING_DIM;
}

/**
 * Writes into `out` at `offset` the head's input after chunk `t` (0-based) of a stream: the last 16
 * embeddings of the seed features followed by the stream's embeddings 0..t, as the BatchScorer's
 * feature buffer holds them at that moment.
 */
export function writeWindow(seed: Float32Array, embeddings: Float32Array, t: number, out: Float32Array, offset = 0): void {
  const seedRows = seed.length / EMBEDDING_DIM;
  for (let r = 0; r < HEAD_WINDOW; r++) {
    const row = t - (HEAD_WINDOW - 1) + r;
    const src = row >= 0 ? embeddings.subarray(row * EMBEDDING_DIM, (row + 1) * EMBEDDING_DIM) : seed.subarray((seedRows + row) * EMBEDDING_DIM, (seedRows + row + 1) * EMBEDDING_DIM);
    out.set(src, offset + r * EMBEDDING_DIM);
  }
}

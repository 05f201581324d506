import { BatchScorer } from '../../../models/wakeword/batch-scorer.js';
import { DigitalSilenceGuard } from '../../../models/wakeword/digital-silence.js';
import { CHUNK_SAMPLES, EMBEDDING_DIM, type OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';

/** Audio of one stream, in pieces of any length (a clip is one piece). */
export type AudioStream = AsyncIterable<Int16Array> | Iterable<Int16Array>;

/**
 * The runtime's features for training: each stream goes through the engine's own BatchScorer (the
 * streaming melspectrogram and embedding the device runs, batched across `batch` streams as a fleet
 * batches devices) from a fresh state, with the engine's digital-silence guard in front. Each
 * stream yields one 96-value embedding per whole 80 ms chunk; a trailing partial chunk is dropped,
 * as the engine would still be waiting for the rest of it.
 */
export class FeatureExtractor {
  constructor(
    readonly models: OpenWakeWordModels,
    private readonly batch = 8,
  ) {}

  /**
   * The embeddings of every stream (n chunks x 96, row-major). `onChunks` is told how many chunks
   * each model call advanced, for progress; `onDone` gets each stream's result as soon as it ends.
   */
  async embed(
    streams: readonly AudioStream[],
    onChunks: (n: number) => void = () => undefined,
    onDone: (index: number, embeddings: Float32Array) => void | Promise<void> = () => undefined,
  ): Promise<Float32Array[]> {
    const scorer = new BatchScorer(this.models);
    const results: Float32Array[] = new Array<Float32Array>(streams.length);
    let next = 0;
    const slots: (Slot | undefined)[] = [];
    const open = (slot: number): Slot | undefined => {
      if (next >= streams.length) return undefined;
      const index = next++;
      const s = streams[index]!;
      const iterator = Symbol.asyncIterator in s ? s[Symbol.asyncIterator]() : toAsync(s[Symbol.iterator]());
      return { index, stream: slot, iterator, pending: new Int16Array(CHUNK_SAMPLES), filled: 0, rows: new Rows(), guard: new DigitalSilenceGuard(), fresh: true };
    };
    for (let k = 0; k < this.batch; k++) slots.push(open(k));
    while (slots.some((s) => s !== undefined)) {
      const chunks = await Promise.all(slots.map((s) => (s ? nextChunk(s) : Promise.resolve(undefined))));
      const members = slots.flatMap((s, k) => (s && chunks[k] ? [{ s, chunk: chunks[k] }] : []));
      if (members.length > 0) {
        const rows = await scorer.embeddings(members.map(({ s, chunk }) => ({ stream: s.stream, input: { chunk, heads: [] }, reset: s.fresh })));
        members.forEach(({ s }, m) => {
          s.fresh = false;
          s.rows.push(rows[m]!);
        });
        onChunks(members.length);
      }
      for (const [k, s] of slots.entries()) {
        if (!s || chunks[k]) continue;
        results[s.index] = s.rows.take();
        await onDone(s.index, results[s.index]!);
        scorer.close(s.stream);
        slots[k] = open(k);
      }
    }
    return results;
  }
}

interface Slot {
  readonly index: number;
  readonly stream: number;
  readonly iterator: AsyncIterator<Int16Array>;
  readonly pending: Int16Array;
  filled: number;
  /** Audio left over from the last piece, not yet in a chunk. */
  rest?: Int16Array;
  readonly rows: Rows;
  readonly guard: DigitalSilenceGuard;
  fresh: boolean;
}

/** The stream's next whole chunk (guarded), or undefined at its end. */
async function nextChunk(s: Slot): Promise<Int16Array | undefined> {
  while (s.filled < CHUNK_SAMPLES) {
    let piece = s.rest;
    s.rest = undefined;
    if (!piece) {
      const r = await s.iterator.next();
      if (r.done) return undefined;
      piece = r.value;
    }
    const take = Math.min(CHUNK_SAMPLES - s.filled, piece.length);
    s.pending.set(piece.subarray(0, take), s.filled);
    s.filled += take;
    if (take < piece.length) s.rest = piece.subarray(take);
  }
  s.filled = 0;
  const chunk = s.pending.slice();
  s.guard.apply(chunk);
  return chunk;
}

async function* toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}

/** A growing n x 96 matrix. */
class Rows {
  private data = new Float32Array(64 * EMBEDDING_DIM);
  private n = 0;

  push(row: Float32Array): void {
    if ((this.n + 1) * EMBEDDING_DIM > this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data.set(row, this.n * EMBEDDING_DIM);
    this.n++;
  }

  take(): Float32Array {
    return this.data.slice(0, this.n * EMBEDDING_DIM);
  }
}

import type { BatchRequest } from './batch-queue.js';

/**
 * A batch of stream inputs as a few flat typed arrays, for postMessage to a worker with their
 * buffers transferred: structured cloning a batch of 150 requests (an object, a typed array and a
 * string array each) cost the main thread more than copying their samples once into one array.
 * Each request's samples are `samples[offsets[i], offsets[i + 1])`; its head list is
 * `headLists[headList[i]]` (a fleet's streams mostly ask for the same heads).
 */
export interface PackedBatch {
  readonly streams: Int32Array;
  readonly resets: Uint8Array;
  readonly offsets: Int32Array;
  readonly samples: Int16Array;
  readonly headLists: string[][];
  readonly headList: Uint16Array;
}

/** Packs requests whose input is samples (and, for the wake word, the heads to score them with). */
export function packBatch<I>(requests: readonly BatchRequest<I>[], samplesOf: (input: I) => Int16Array, headsOf?: (input: I) => readonly string[]): PackedBatch {
  const n = requests.length;
  const offsets = new Int32Array(n + 1);
  requests.forEach((r, i) => (offsets[i + 1] = offsets[i]! + samplesOf(r.input).length));
  const samples = new Int16Array(offsets[n]!);
  const streams = new Int32Array(n);
  const resets = new Uint8Array(n);
  const headLists: string[][] = [];
  const known = new Map<string, number>();
  const headList = new Uint16Array(n);
  requests.forEach((r, i) => {
    streams[i] = r.stream;
    resets[i] = r.reset ? 1 : 0;
    samples.set(samplesOf(r.input), offsets[i]!);
    if (!headsOf) return;
    const heads = headsOf(r.input);
    const key = heads.join('\n');
    let at = known.get(key);
    if (at === undefined) {
      at = headLists.push([...heads]) - 1;
      known.set(key, at);
    }
    headList[i] = at;
  });
  return { streams, resets, offsets, samples, headLists, headList };
}

/** The requests of a packed batch; each input's samples are a view into the batch's one array. */
export function unpackBatch<I>(p: PackedBatch, inputOf: (samples: Int16Array, heads: readonly string[]) => I): BatchRequest<I>[] {
  return Array.from(p.streams, (stream, i) => ({
    stream,
    reset: p.resets[i] === 1,
    input: inputOf(p.samples.subarray(p.offsets[i]!, p.offsets[i + 1]!), p.headLists[p.headList[i]!] ?? []),
  }));
}

/** One result array per request, flat: result i is `values[offsets[i], offsets[i + 1])`. */
export interface PackedResults {
  readonly offsets: Int32Array;
  readonly values: Float32Array;
}

export function packResults(results: readonly Float32Array[]): PackedResults {
  const offsets = new Int32Array(results.length + 1);
  results.forEach((r, i) => (offsets[i + 1] = offsets[i]! + r.length));
  const values = new Float32Array(offsets[results.length]!);
  results.forEach((r, i) => values.set(r, offsets[i]!));
  return { offsets, values };
}

/** Each request's results, as views into the one array. */
export function unpackResults(p: PackedResults): Float32Array[] {
  return Array.from({ length: p.offsets.length - 1 }, (_, i) => p.values.subarray(p.offsets[i]!, p.offsets[i + 1]!));
}

/** The typed arrays of a packed batch or packed results (each owns its buffer). */
export function arraysOf(p: PackedBatch | PackedResults): ArrayBufferView[] {
  return 'values' in p ? [p.offsets, p.values] : [p.streams, p.resets, p.offsets, p.samples, p.headList];
}

/** The buffers to transfer with a packed batch or packed results. */
export function buffersOf(p: PackedBatch | PackedResults): ArrayBuffer[] {
  return arraysOf(p).map((a) => a.buffer as ArrayBuffer);
}

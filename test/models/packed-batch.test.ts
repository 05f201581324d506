import { buffersOf, packBatch, packResults, unpackBatch, unpackResults } from '../../models/packed-batch.js';

/** A batch packed for a worker comes back as the same requests, and its buffers can be transferred. */
describe('packed batches', () => {
  test('requests of different lengths and head lists survive packing, a transfer and unpacking', () => {
    const requests = [
      { stream: 4, reset: true, input: { chunk: Int16Array.from([1, -2, 3]), heads: ['alexa'] } },
      { stream: 9, reset: false, input: { chunk: Int16Array.from([32767, -32768]), heads: ['alexa', 'computer'] } },
      { stream: 2, reset: false, input: { chunk: new Int16Array(0), heads: ['alexa'] } },
    ];
    const packed = packBatch(requests, (r) => r.chunk, (r) => r.heads);
    expect(packed.headLists).toEqual([['alexa'], ['alexa', 'computer']]);
    // Through a real structured clone with the buffers transferred, as postMessage sends it.
    const moved = structuredClone(packed, { transfer: buffersOf(packed) });
    expect(packed.samples.length).toBe(0); // transferred: the sender's copy is detached
    const back = unpackBatch(moved, (chunk, heads) => ({ chunk, heads }));
    expect(back.map((r) => ({ stream: r.stream, reset: r.reset, chunk: Array.from(r.input.chunk), heads: r.input.heads }))).toEqual(
      requests.map((r) => ({ stream: r.stream, reset: r.reset, chunk: Array.from(r.input.chunk), heads: r.input.heads })),
    );
  });

  test('results of different lengths come back per request', () => {
    const results = [Float32Array.from([0.5]), new Float32Array(0), Float32Array.from([0.25, 0.125, 1])];
    const packed = packResults(results);
    const moved = structuredClone(packed, { transfer: buffersOf(packed) });
    expect(unpackResults(moved).map((r) => Array.from(r))).toEqual(results.map((r) => Array.from(r)));
  });

  test('samples without heads (the VAD) pack with empty head lists', () => {
    const packed = packBatch([{ stream: 1, reset: false, input: Int16Array.from([5, 6]) }], (r) => r);
    expect(unpackBatch(packed, (samples, heads) => ({ samples: Array.from(samples), heads }))[0]!.input).toEqual({ samples: [5, 6], heads: [] });
  });
});

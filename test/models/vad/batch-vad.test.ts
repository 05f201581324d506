import { BatchVad } from '../../../models/vad/batch-vad.js';
import { SileroVad, SileroVadModel, VAD_WINDOW } from '../../../models/vad/silero-vad.js';
import { SpotterPool } from '../../../models/wakeword/spotter-pool.js';
import { loadFixtures } from '../wakeword/fixtures.js';

/**
 * Batched VAD (several streams per model run, several windows per request) and the worker pool's VAD
 * must give each stream the probabilities the plain streaming SileroVad gives it alone.
 */
describe('batched Silero VAD', () => {
  let model: SileroVadModel;
  beforeAll(async () => {
    model = await SileroVadModel.load();
  });
  afterAll(async () => model.dispose());

  const clips = (): Int16Array[] => [...loadFixtures('pos').slice(0, 2), ...loadFixtures('neg').slice(0, 1)].map((f) => f.samples);

  async function alone(samples: Int16Array): Promise<number[]> {
    const vad = new SileroVad(model);
    const probs: number[] = [];
    for (let at = 0; at < samples.length; at += 1280) probs.push(...(await vad.push(samples.subarray(at, at + 1280))));
    return probs;
  }

  test('streams batched together, with uneven numbers of windows per request, score as they do alone', async () => {
    const streams = clips();
    const expected = await Promise.all(streams.map(alone));
    const batch = new BatchVad(model);
    const got: number[][] = streams.map(() => []);
    // Requests of 2 or 3 whole windows per stream, the streams in one batch each time.
    const offsets = streams.map(() => 0);
    for (let round = 0; offsets.some((o, i) => o + VAD_WINDOW <= streams[i]!.length); round++) {
      const requests = streams.flatMap((s, i) => {
        const windows = Math.min(2 + ((round + i) % 2), Math.floor((s.length - offsets[i]!) / VAD_WINDOW));
        if (windows <= 0) return [];
        const input = s.subarray(offsets[i]!, offsets[i]! + windows * VAD_WINDOW);
        offsets[i]! += windows * VAD_WINDOW;
        return [{ stream: i, input, reset: round === 0 }];
      });
      const results = await batch.run(requests);
      requests.forEach((r, k) => got[r.stream]!.push(...results[k]!));
    }
    streams.forEach((_, i) => {
      expect(got[i]).toHaveLength(expected[i]!.length);
      got[i]!.forEach((p, k) => expect(Math.abs(p - expected[i]![k]!)).toBeLessThan(1e-5));
    });
    // the clips contain speech: the comparison covers high probabilities, not only silence
    expect(Math.max(...expected.flat())).toBeGreaterThan(0.5);
  });

  test('batches that grow from one stream to several reuse their feed buffers without mixing streams', async () => {
    const streams = clips();
    const expected = await Promise.all(streams.map(alone));
    const batch = new BatchVad(model);
    const got: number[][] = streams.map(() => []);
    // Round r carries the first min(r + 1, 3) streams, two windows each: the batch grows twice.
    const windows = Math.min(...streams.map((s) => Math.floor(s.length / VAD_WINDOW / 2))) - 2;
    for (let round = 0; round < windows; round++) {
      const requests = streams.slice(0, Math.min(round + 1, streams.length)).map((s, i) => {
        const start = (round - i) * 2 * VAD_WINDOW;
        return { stream: i, input: s.subarray(start, start + 2 * VAD_WINDOW), reset: round === i };
      });
      const results = await batch.run(requests);
      requests.forEach((r, k) => got[r.stream]!.push(...results[k]!));
    }
    streams.forEach((_, i) => {
      expect(got[i]!.length).toBeGreaterThan(10);
      got[i]!.forEach((p, k) => expect(Math.abs(p - expected[i]![k]!)).toBeLessThan(1e-5));
    });
  });

  test('runs one batch at a time: a second batch given while one runs is refused, the first is unharmed', async () => {
    const [first, second] = clips();
    const batch = new BatchVad(model);
    const running = batch.run([{ stream: 0, input: first!.subarray(0, 3 * VAD_WINDOW), reset: true }]);
    await expect(batch.run([{ stream: 1, input: second!.subarray(0, VAD_WINDOW), reset: true }])).rejects.toMatchObject({ code: 'MODEL_INFERENCE_FAILED' });
    const probs = Array.from((await running)[0]!);
    expect(probs).toEqual((await alone(first!.subarray(0, 3 * VAD_WINDOW))).slice(0, 3));
  });

  test('the worker pool runs the VAD for concurrent streams as SileroVad does alone, and refuses it when not loaded', async () => {
    const pool = await SpotterPool.start({ workers: 1, vad: true });
    const bare = await SpotterPool.start({ workers: 1 });
    try {
      const streams = clips();
      const expected = await Promise.all(streams.map(alone));
      const got = await Promise.all(
        streams.map(async (s) => {
          const vad = pool.openVad();
          const probs: number[] = [];
          // 80 ms frames: a partial window carries over to the next push
          for (let at = 0; at < s.length; at += 1280) probs.push(...(await vad.push(s.subarray(at, at + 1280))));
          vad.close?.();
          return probs;
        }),
      );
      streams.forEach((_, i) => {
        expect(got[i]).toHaveLength(expected[i]!.length);
        got[i]!.forEach((p, k) => expect(Math.abs(p - expected[i]![k]!)).toBeLessThan(1e-5));
      });
      expect(pool.load).toEqual([0]);
      expect(() => bare.openVad()).toThrow(expect.objectContaining({ code: 'MODEL_LOAD_FAILED' }));
    } finally {
      await Promise.all([pool.close(), bare.close()]);
    }
  });
});

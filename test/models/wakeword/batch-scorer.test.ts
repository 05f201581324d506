import { BatchScorer } from '../../../models/wakeword/batch-scorer.js';
import { CHUNK_SAMPLES, OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { loadFixtures } from './fixtures.js';

/**
 * A stream's scores must not depend on which other streams share its batches: a fleet's quiet
 * device must score as it would alone next to a loud one (the melspectrogram model clamps relative
 * to the loudest value of its input, so batching it across streams would break this).
 */
describe('BatchScorer', () => {
  let models: OpenWakeWordModels;
  beforeAll(async () => {
    models = await OpenWakeWordModels.load();
  });
  afterAll(async () => models.dispose());

  test('a stream scores the same alone and batched with louder and quieter streams', async () => {
    const [speech, other] = loadFixtures('pos');
    const loud = Int16Array.from(other!.samples, (x) => Math.max(-32768, Math.min(32767, x * 8)));
    const quiet = Int16Array.from(speech!.samples, (x) => Math.round(x / 20));
    const alone = new BatchScorer(models);
    const shared = new BatchScorer(models);
    const chunks = Math.floor(Math.min(quiet.length, loud.length) / CHUNK_SAMPLES);
    let worst = 0;
    let peak = 0;
    for (let k = 0; k < chunks; k++) {
      const at = (x: Int16Array): { chunk: Int16Array; heads: string[] } => ({ chunk: x.slice(k * CHUNK_SAMPLES, (k + 1) * CHUNK_SAMPLES), heads: ['alexa'] });
      const reset = k === 0;
      const [own] = await alone.score([{ stream: 0, input: at(quiet), reset }]);
      const [batched, , third] = await shared.score([
        { stream: 0, input: at(quiet), reset },
        { stream: 1, input: at(loud), reset },
        { stream: 2, input: at(speech!.samples), reset },
      ]);
      worst = Math.max(worst, Math.abs(own![0]! - batched![0]!));
      peak = Math.max(peak, third![0]!);
    }
    expect(chunks).toBeGreaterThan(20);
    expect(peak).toBeGreaterThan(0.5);
    expect(worst).toBeLessThan(1e-5);
    expect(shared.streams).toBe(3);
    shared.close(1);
    expect(shared.streams).toBe(2);
  });

  test('what a batch returns stays readable after later batches, whose model outputs are freed at their end', async () => {
    const [speech] = loadFixtures('pos');
    const scorer = new BatchScorer(models);
    const reference = new BatchScorer(models);
    const chunk = (k: number): Int16Array => speech!.samples.slice(k * CHUNK_SAMPLES, (k + 1) * CHUNK_SAMPLES);
    const kept: Float32Array[] = [];
    const embeddings: Float32Array[] = [];
    for (let k = 0; k < 12; k++) {
      // Stream 0 alone for some chunks (a batch of one keeps its own copy of the caches), then beside stream 1.
      const requests = [{ stream: 0, input: { chunk: chunk(k), heads: ['alexa'] }, reset: k === 0 }];
      if (k >= 6) requests.push({ stream: 1, input: { chunk: chunk(k + 20), heads: ['alexa'] }, reset: k === 6 });
      const [own] = await scorer.score(requests);
      kept.push(own!);
      const [ref] = await reference.score([{ stream: 0, input: { chunk: chunk(k), heads: ['alexa'] }, reset: k === 0 }]);
      expect(Array.from(own!)).toEqual(Array.from(ref!));
    }
    for (let k = 0; k < 3; k++) embeddings.push(...(await scorer.embeddings([{ stream: 0, input: { chunk: chunk(12 + k), heads: [] }, reset: false }])));
    expect(kept.every((r) => r.length === 1 && Number.isFinite(r[0]))).toBe(true);
    expect(embeddings.every((e) => e.length === 96 && e.every(Number.isFinite))).toBe(true);
    expect(new Set(embeddings.map((e) => e[0])).size).toBe(3);
  });

  test('runs one batch at a time: a second batch given while one runs is refused, the first is unharmed', async () => {
    const [speech] = loadFixtures('pos');
    const scorer = new BatchScorer(models);
    const request = (stream: number) => ({ stream, input: { chunk: speech!.samples.slice(0, CHUNK_SAMPLES), heads: ['alexa'] }, reset: true });
    const first = scorer.score([request(0), request(1)]);
    await expect(scorer.score([request(2)])).rejects.toMatchObject({ code: 'MODEL_INFERENCE_FAILED' });
    expect(await first).toHaveLength(2);
    expect(await scorer.score([request(2)])).toHaveLength(1);
  });
});

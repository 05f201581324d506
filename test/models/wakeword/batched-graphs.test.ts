import { keywordEntryFor, loadManifest, readVerifiedModel, resolveModelDir } from '../../../models/manifest.js';
import { createSession, ort, outputData } from '../../../models/onnx.js';
import { batchedHead, rowwiseMelspectrogram } from '../../../models/wakeword/batched-graphs.js';
import { CHUNK_SAMPLES, EMBEDDING_DIM, MEL_CONTEXT_SAMPLES } from '../../../models/wakeword/oww-models.js';
import { loadFixtures } from './fixtures.js';

/**
 * The batch forms of the per-stream models (issue 18): every row of a batched call must be exactly
 * (bitwise) what the model gives that row alone, whatever else shares the call.
 */
const manifest = loadManifest();
const dir = resolveModelDir(manifest);
const WIDTH = CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES;

/** Rows of speech at very different levels: a loud stream, ordinary ones, a near-silent one. */
function rows(): Float32Array[] {
  const clips = loadFixtures('pos').slice(0, 3);
  const gains = [8, 1, 1 / 40, 1 / 2000];
  return gains.flatMap((gain, g) =>
    clips.map((c, k) => Float32Array.from(c.samples.subarray((g + k) * CHUNK_SAMPLES, (g + k) * CHUNK_SAMPLES + WIDTH), (x) => Math.max(-32768, Math.min(32767, Math.round(x * gain))))),
  );
}

const stacked = (parts: readonly Float32Array[]): Float32Array => Float32Array.from(parts.flatMap((p) => Array.from(p)));

describe('batch forms of the per-stream models', () => {
  test('the row-wise melspectrogram gives each row its own frames, where the model batched would not', async () => {
    const bytes = await readVerifiedModel(dir, manifest.features.melspectrogram);
    const derived = rowwiseMelspectrogram(bytes);
    expect(derived).toBeDefined();
    const [alone, batch] = await Promise.all([createSession(bytes, 'melspectrogram'), createSession(derived!, 'rows')]);
    try {
      const inputs = rows();
      const own = await Promise.all(inputs.map(async (x) => outputData(await alone.run({ input: new ort.Tensor('float32', x, [1, WIDTH]) }), 'output')));
      const feeds = { input: new ort.Tensor('float32', stacked(inputs), [inputs.length, WIDTH]) };
      const out = outputData(await batch.run(feeds), 'output');
      const size = out.length / inputs.length;
      expect(size).toBe(own[0]!.length);
      inputs.forEach((_, b) => expect(Array.from(out.subarray(b * size, (b + 1) * size))).toEqual(Array.from(own[b]!)));
      // The unmodified model over the same batch floors every row at the loudest row's level: the
      // quiet rows change (what the derived graph exists to avoid).
      const shared = outputData(await alone.run(feeds), 'output');
      const changed = inputs.filter((_, b) => shared.subarray(b * size, (b + 1) * size).some((v, j) => v !== own[b]![j]));
      expect(changed.length).toBeGreaterThan(0);
    } finally {
      await Promise.all([alone.release(), batch.release()]);
    }
  });

  test('the batched head scores each row exactly as the head alone', async () => {
    const entry = keywordEntryFor(manifest, 'alexa');
    const bytes = await readVerifiedModel(dir, entry);
    const derived = batchedHead(bytes);
    expect(derived).toBeDefined();
    const [alone, batch] = await Promise.all([createSession(bytes, 'alexa'), createSession(derived!, 'alexa batch')]);
    try {
      const input = alone.inputNames[0]!;
      const output = alone.outputNames[0]!;
      let seed = 7;
      const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 0.5;
      const features = Array.from({ length: 40 }, () => Float32Array.from({ length: 16 * EMBEDDING_DIM }, random));
      const own = await Promise.all(features.map(async (f) => outputData(await alone.run({ [input]: new ort.Tensor('float32', f, [1, 16, EMBEDDING_DIM]) }), output)[0]));
      const out = outputData(await batch.run({ [input]: new ort.Tensor('float32', stacked(features), [features.length, 16, EMBEDDING_DIM]) }), output);
      expect(Array.from(out)).toEqual(own);
      expect(new Set(own).size).toBeGreaterThan(20);
    } finally {
      await Promise.all([alone.release(), batch.release()]);
    }
  });

  test('graphs of another shape get no batch form', async () => {
    const embedding = await readVerifiedModel(dir, manifest.features.embedding);
    const melspectrogram = await readVerifiedModel(dir, manifest.features.melspectrogram);
    expect(batchedHead(embedding)).toBeUndefined();
    expect(batchedHead(melspectrogram)).toBeUndefined();
    expect(rowwiseMelspectrogram(embedding)).toBeUndefined();
  });
});

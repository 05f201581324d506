import { refusal } from '../../support/refusal.js';
import { keywordEntryFor, loadManifest, readVerifiedModel, resolveModelDir } from '../../../models/manifest.js';
import { createSession, ort, outputData } from '../../../models/onnx.js';
import { decodeOnnxModel, encodeOnnxModel } from '../../../models/onnx-proto.js';
import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { EMBEDDING_STEP, EMBEDDING_WINDOW, MEL_BINS, OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { buildStreamingEmbedding, loadStreamingEmbedding } from '../../../models/wakeword/streaming-embedding.js';
import { loadFixtures } from './fixtures.js';

/**
 * The streaming form of the embedding model must give the embeddings of the full model, window by
 * window, and the engine built on it the same scores as the engine running the full model.
 */
const manifest = loadManifest();
const dir = resolveModelDir(manifest);
const embeddingBytes = (): Promise<Uint8Array> => readVerifiedModel(dir, manifest.features.embedding);


describe('streaming embedding', () => {
  test('a step over 8 new mel frames gives the full model\'s embedding of the moved window', async () => {
    const bytes = await embeddingBytes();
    const graphs = buildStreamingEmbedding(bytes, EMBEDDING_STEP);
    // one cache per time convolution of the model: 11, two rows each
    expect(graphs.caches).toHaveLength(11);
    expect(graphs.caches.every((c) => c.rows === 2)).toBe(true);
    const [full, window, step] = await Promise.all([
      createSession(bytes, 'full'),
      createSession(graphs.window, 'window'),
      createSession(graphs.step, 'step'),
    ]);
    try {
      // 60 windows over a mel sequence with structure in time and frequency
      const frames = EMBEDDING_WINDOW + EMBEDDING_STEP * 60;
      const mel = Float32Array.from({ length: frames * MEL_BINS }, (_, i) => 2 + Math.sin(i * 0.37) * Math.cos(i * 0.0041) * 1.5);
      const windowAt = (k: number) =>
        new ort.Tensor('float32', mel.slice(k * EMBEDDING_STEP * MEL_BINS, (k * EMBEDDING_STEP + EMBEDDING_WINDOW) * MEL_BINS), [1, EMBEDDING_WINDOW, MEL_BINS, 1]);
      const cachesOf = (out: ort.InferenceSession.OnnxValueMapType) => Object.fromEntries(graphs.caches.map((c) => [c.input, out[c.output] as ort.Tensor]));
      let caches = cachesOf(await window.run({ [graphs.inputName]: windowAt(0) }));
      let worst = 0;
      let largest = 0;
      for (let k = 1; k <= 60; k++) {
        const start = (k * EMBEDDING_STEP + EMBEDDING_WINDOW - EMBEDDING_STEP) * MEL_BINS;
        const fresh = new ort.Tensor('float32', mel.slice(start, start + EMBEDDING_STEP * MEL_BINS), [1, EMBEDDING_STEP, MEL_BINS, 1]);
        const out = await step.run({ [graphs.inputName]: fresh, ...caches });
        caches = cachesOf(out);
        const got = outputData(out, graphs.outputName);
        const want = outputData(await full.run({ [graphs.inputName]: windowAt(k) }), graphs.outputName);
        expect(got).toHaveLength(96);
        want.forEach((w, i) => {
          worst = Math.max(worst, Math.abs(w - got[i]!));
          largest = Math.max(largest, Math.abs(w));
        });
      }
      expect(largest).toBeGreaterThan(1);
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await Promise.all([full.release(), window.release(), step.release()]);
    }
  });

  test('the engine scores every fixture the same with and without it, across a reset', async () => {
    const [streaming, plain] = await Promise.all([OpenWakeWordModels.load(), OpenWakeWordModels.load({ streamingEmbedding: false })]);
    try {
      expect(streaming.streaming).toBeDefined();
      expect(plain.streaming).toBeUndefined();
      const clips = [...loadFixtures('pos').slice(0, 3), ...loadFixtures('neg').slice(0, 2)];
      const engines = [new OpenWakeWordEngine(streaming), new OpenWakeWordEngine(plain)];
      let index = 0;
      let detected = 0;
      for (const clip of clips) {
        // Odd frame sizes, and a gap before each clip so the engines reset between clips.
        index += 5000;
        const results = [];
        for (const engine of engines) {
          const scores: number[] = [];
          const detections: number[] = [];
          for (let at = 0; at < clip.samples.length; at += 999) {
            const r = await engine.process({ index: index + at, samples: clip.samples.subarray(at, at + 999) });
            scores.push(...r.scores.map((s) => s.scores.alexa!));
            detections.push(...r.detections.map((d) => d.detectedIndex));
          }
          results.push({ scores, detections });
        }
        const [a, b] = results;
        expect(a!.detections).toEqual(b!.detections);
        expect(a!.scores.length).toBe(b!.scores.length);
        a!.scores.forEach((s, i) => expect(Math.abs(s - b!.scores[i]!)).toBeLessThan(1e-5));
        detected += a!.detections.length;
        index += clip.samples.length;
      }
      // the comparison covers detections, not only quiet scores
      expect(detected).toBeGreaterThan(0);
    } finally {
      await Promise.all([streaming.dispose(), plain.dispose()]);
    }
  });

  test('the loaded models hold the embedding model once; the unmodified file is loaded only when asked, and agrees', async () => {
    const [models, plain] = await Promise.all([OpenWakeWordModels.load(), OpenWakeWordModels.load({ streamingEmbedding: false })]);
    try {
      // The window graph is the whole-window embedding: no second copy of the model in a device or worker.
      expect(models.embedding).toBe(models.streaming!.window);
      expect(models.embedding.outputNames[0]).toBe(models.streaming!.graphs.outputName);
      const unmodified = await models.unmodifiedEmbedding();
      expect(unmodified).not.toBe(models.embedding);
      expect(unmodified.outputNames).toEqual([models.streaming!.graphs.outputName]);
      await expect(models.unmodifiedEmbedding()).resolves.toBe(unmodified);
      // Without the streaming form the model file is the embedding, and nothing else is loaded.
      await expect(plain.unmodifiedEmbedding()).resolves.toBe(plain.embedding);

      const mel = Float32Array.from({ length: EMBEDDING_WINDOW * MEL_BINS }, (_, i) => 2 + Math.sin(i * 0.11) * 1.2);
      const feed = { [models.streaming!.graphs.inputName]: new ort.Tensor('float32', mel, [1, EMBEDDING_WINDOW, MEL_BINS, 1]) };
      const name = models.streaming!.graphs.outputName;
      const [a, b] = [outputData(await models.embedding.run(feed), name), outputData(await unmodified.run(feed), name)];
      expect(a).toHaveLength(96);
      a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThan(1e-5));
      // Both ways of loading prime the history with the same seed embeddings.
      models.seedFeatures.forEach((x, i) => expect(Math.abs(x - plain.seedFeatures[i]!)).toBeLessThan(1e-5));
    } finally {
      await Promise.all([models.dispose(), plain.dispose()]);
    }
  });

  test('refuses a graph it cannot stream with MODEL_NOT_STREAMABLE, and loading then falls back to none', async () => {
    const head = await readVerifiedModel(dir, keywordEntryFor(manifest, 'alexa'));
    expect(refusal(() => buildStreamingEmbedding(head, EMBEDDING_STEP)).code).toBe('MODEL_NOT_STREAMABLE');
    await expect(loadStreamingEmbedding(head, EMBEDDING_STEP)).resolves.toBeUndefined();

    // The embedding model with one convolution padded along time: rows would no longer line up.
    const model = decodeOnnxModel(await embeddingBytes(), 'embedding');
    const conv = model.graph.node.find((n) => n.opType === 'Conv' && n.attribute?.some((a) => a.name === 'kernel_shape' && a.ints?.[0] === 3));
    conv!.attribute = [...(conv!.attribute ?? []).filter((a) => a.name !== 'pads'), { name: 'pads', ints: [1, 0, 1, 0], type: 7 }];
    const padded = refusal(() => buildStreamingEmbedding(encodeOnnxModel(model), EMBEDDING_STEP));
    expect(padded.code).toBe('MODEL_NOT_STREAMABLE');
    expect(padded.message).toMatch(/pads along time/);

    // A step the pools' strides do not divide cannot line up either.
    const original = await embeddingBytes();
    expect(refusal(() => buildStreamingEmbedding(original, 6)).message).toMatch(/align/);
    // Not an ONNX model at all: a load error, not a silent fallback.
    expect(refusal(() => buildStreamingEmbedding(new Uint8Array([0xff, 0xff, 0xff]), EMBEDDING_STEP)).code).toBe('MODEL_LOAD_FAILED');
  });
});

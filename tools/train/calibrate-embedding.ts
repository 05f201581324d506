import { writeFileSync } from 'node:fs';
import { EchosimError } from '../../core/errors.js';
import { createSession, ort, outputData, runSession } from '../../models/onnx.js';
import { decodeOnnxModel, encodeOnnxModel } from '../../models/onnx-proto.js';
import { loadManifest, readVerifiedModel, resolveModelDir } from '../../models/manifest.js';
import { serializeEmbeddingRanges, type EmbeddingRanges } from '../../models/wakeword/embedding-ranges.js';
import { clipMelWindows, EMBEDDING_STEP, EMBEDDING_WINDOW, MEL_BINS } from '../../models/wakeword/oww-models.js';
import { buildStreamingEmbedding } from '../../models/wakeword/streaming-embedding.js';
import { decodeAudio } from './real/decode.js';
import { directorySources } from './real/sources.js';

/** Float convolutions of the int8 step: the first two read the mel features, the last writes the embedding. */
export const FLOAT_CONVOLUTIONS = [0, 1, -1];

export interface CalibrateOptions {
  /** Folders of real speech; only their training-split sources are used (tools/train/real/sources.ts). */
  readonly audio: readonly string[];
  /** At most this many clips, spread evenly over the training sources' clips. */
  readonly maxClips: number;
  readonly out: string;
  readonly recipe: string;
  readonly modelDir?: string;
  readonly progress?: (done: number, total: number) => void;
}

export interface CalibrateResult {
  readonly ranges: EmbeddingRanges;
  readonly clips: number;
  readonly sources: readonly string[];
}

/**
 * The int8 embedding's calibration (models/wakeword/quantized-embedding.ts): every convolution's input
 * and output range over real speech, read from the full-window model with each convolution's input and
 * output added as graph outputs. The activations a streaming step sees are rows of these windows, so
 * the window graph's ranges hold for the step. Only the training split of the given folders is read:
 * the validation split stays unseen by everything a measurement depends on.
 */
export async function calibrateEmbedding(options: CalibrateOptions): Promise<CalibrateResult> {
  const manifest = loadManifest();
  const dir = resolveModelDir(manifest, options.modelDir);
  const bytes = await readVerifiedModel(dir, manifest.features.embedding);
  const melspec = await createSession(await readVerifiedModel(dir, manifest.features.melspectrogram), 'melspectrogram');
  const graphs = buildStreamingEmbedding(bytes, EMBEDDING_STEP);
  const model = decodeOnnxModel(graphs.window, 'embedding (window)');
  const convs = model.graph.node.filter((n) => n.opType === 'Conv');
  const probes = [...new Set(convs.flatMap((c) => [c.input[0] ?? '', c.output[0] ?? '']))];
  model.graph.output.push(...probes.filter((p) => !model.graph.output.some((o) => o.name === p)).map((name) => ({ name })));
  const window = await createSession(encodeOnnxModel(model), 'embedding (calibration)');

  const sources = directorySources(options.audio).filter((s) => s.split === 'train');
  const all = sources.flatMap((s) => s.clips.map((c) => c.file));
  if (all.length === 0) {
    throw new EchosimError('TRAIN_INPUT_INVALID', 'no training-split real speech to calibrate on', {
      hint: 'give at least two folders (or a folder with two subfolders) of real speech: sources alternate between validation and training',
    });
  }
  const every = Math.max(1, Math.ceil(all.length / options.maxClips));
  const files = all.filter((_, i) => i % every === 0);
  const seen = new Map<string, [number, number]>();
  let windows = 0;
  try {
    for (const [i, file] of files.entries()) {
      const samples = await decodeAudio(file);
      if (samples && samples.length >= (EMBEDDING_WINDOW + 3) * 160) windows += await observe(samples, melspec, window, probes, seen);
      options.progress?.(i + 1, files.length);
    }
  } finally {
    await Promise.all([melspec.release(), window.release()]);
  }
  const convolutions: EmbeddingRanges['convolutions'] = {};
  for (const c of convs) {
    const input = seen.get(c.input[0] ?? '');
    const output = seen.get(c.output[0] ?? '');
    if (input && output && c.input[1]) convolutions[c.input[1]] = { input, output };
  }
  const ranges: EmbeddingRanges = {
    model: manifest.features.embedding,
    recipe: options.recipe,
    windows,
    floatConvolutions: FLOAT_CONVOLUTIONS,
    convolutions,
  };
  writeFileSync(options.out, serializeEmbeddingRanges(ranges));
  return { ranges, clips: files.length, sources: sources.map((s) => s.name) };
}

/** Runs every 8-frame-apart window of one clip through the probed model; returns the windows seen. */
async function observe(
  samples: Int16Array,
  melspec: ort.InferenceSession,
  window: ort.InferenceSession,
  probes: readonly string[],
  seen: Map<string, [number, number]>,
): Promise<number> {
  const { mel, starts } = await clipMelWindows(melspec, samples);
  const batch = new Float32Array(starts.length * EMBEDDING_WINDOW * MEL_BINS);
  starts.forEach((s, k) => batch.set(mel.subarray(s * MEL_BINS, (s + EMBEDDING_WINDOW) * MEL_BINS), k * EMBEDDING_WINDOW * MEL_BINS));
  const out = await runSession(window, { [window.inputNames[0] ?? 'input_1']: new ort.Tensor('float32', batch, [starts.length, EMBEDDING_WINDOW, MEL_BINS, 1]) }, 'embedding (calibration)');
  for (const name of probes) {
    const data = outputData(out, name);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const r = seen.get(name);
    seen.set(name, r ? [Math.min(r[0], lo), Math.max(r[1], hi)] : [lo, hi]);
  }
  return starts.length;
}

import { EchosimError } from '../../core/errors.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { ort } from '../../models/onnx.js';
import {
  CHUNK_SAMPLES,
  EMBEDDING_DIM,
  EMBEDDING_WINDOW,
  MEL_BINS,
  MEL_CONTEXT_SAMPLES,
  type KeywordHead,
  type OpenWakeWordModels,
} from '../../models/wakeword/oww-models.js';
import { mulberry32 } from '../../models/wakeword/seed-noise.js';
import { quantile } from './stats.js';

/**
 * The cost measurements behind `echosim bench compute|stream|owwjs` (BENCHMARKS.md):
 * - the bare onnxruntime-node compute of the three models per 80 ms chunk, the floor any
 *   onnxruntime-node pipeline pays;
 * - one stream through the full OpenWakeWordEngine, steady state;
 * - openwakeword-js (npm openwakeword-wasm-browser, onnxruntime-web WASM) driven in this process on
 *   the same audio.
 * Times are wall clock of one thread (performance.now), model loading and warm-up excluded.
 */

const CHUNK_MS = (CHUNK_SAMPLES / SAMPLE_RATE) * 1000;
/** Distinct fixed inputs cycled through, so no run sees the very same tensor twice in a row. */
const POOL = 16;

export interface ModelCost {
  model: string;
  shape: number[];
  ms_per_chunk: number;
}

export interface BareComputeResult {
  chunks: number;
  warmup_chunks: number;
  models: ModelCost[];
  total_ms_per_chunk: number;
  total_ms_p50: number;
  total_ms_p99: number;
  /** total_ms_per_chunk / 80 ms. */
  rtf: number;
}

export interface BareComputeOptions {
  chunks?: number;
  warmupChunks?: number;
  /** Which head to time (default the first loaded, normally alexa). */
  keyword?: string;
  seed?: number;
  /**
   * The embedding call to time: the streaming step the pipeline makes per chunk (default, when the
   * models have it), or the full model over the 76-frame window (the reference's work per chunk).
   */
  embedding?: 'step' | 'window';
}

/**
 * Runs exactly the three session.run calls the pipeline makes per chunk (melspectrogram on
 * [1,1760], embedding on [1,76,32,1], the keyword head on [1,16,96]) and nothing else, on the
 * sessions `OpenWakeWordModels.load()` made (same files, same options as models/onnx.ts). Inputs
 * are realistic and fixed: seeded noise for the melspectrogram, its own x/10+2 frames for the
 * embedding, and those embeddings for the head, prepared before timing.
 */
export async function measureBareCompute(models: OpenWakeWordModels, options: BareComputeOptions = {}): Promise<BareComputeResult> {
  const head = pickHead(models, options.keyword);
  const inputs = await prepareComputeInputs(models, options.keyword, options.seed);
  const tensor = (data: Float32Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('float32', data, dims);
  const melFeed = inputs.mel.map((d) => ({ [models.melspec.inputNames[0] ?? 'input']: tensor(d, inputs.melShape) }));
  const embFeed = inputs.emb.map((d) => ({ [models.embedding.inputNames[0] ?? 'input_1']: tensor(d, inputs.embShape) }));
  const headFeed = inputs.head.map((d) => ({ [head.inputName]: tensor(d, inputs.headShape) }));
  const streaming = options.embedding === 'window' ? undefined : models.streaming;
  let embed: Runner;
  let timed = inputs;
  if (!streaming) {
    // The model file as it is, not the streaming window graph with its extra cache outputs.
    const fullModel = await models.unmodifiedEmbedding();
    embed = (k) => fullModel.run(embFeed[k]!);
  } else {
    // Each step input: the caches of window k (from the window graph) and 8 further frames of the clip.
    const { inputName, caches, stepFrames } = streaming.graphs;
    const stepFeeds = await Promise.all(
      embFeed.map(async (feed, k) => {
        const out = await streaming.window.run(feed);
        const next = inputs.emb[(k + 1) % POOL]!;
        const stepFeed: Record<string, ort.Tensor> = { [inputName]: tensor(next.slice(next.length - stepFrames * MEL_BINS), [1, stepFrames, MEL_BINS, 1]) };
        for (const c of caches) stepFeed[c.input] = out[c.output] as ort.Tensor;
        return stepFeed;
      }),
    );
    embed = (k) => streaming.step.run(stepFeeds[k]!);
    timed = { ...inputs, embLabel: 'embedding step', embShape: [1, stepFrames, MEL_BINS, 1] };
  }
  return timeThreeModels(timed, [(k) => models.melspec.run(melFeed[k]!), embed, (k) => head.session.run(headFeed[k]!)], options);
}

export type Runner = (k: number) => Promise<unknown>;

/** The timing loop of the bare compute, for any runtime's three sessions. */
export async function timeThreeModels(
  inputs: ComputeInputs,
  [mel, emb, head]: readonly [Runner, Runner, Runner],
  options: BareComputeOptions,
): Promise<BareComputeResult> {
  const chunks = options.chunks ?? 2000;
  const warmup = options.warmupChunks ?? 100;
  let melMs = 0;
  let embMs = 0;
  let headMs = 0;
  const totals = new Float64Array(chunks);
  for (let i = 0; i < warmup + chunks; i++) {
    const k = i % POOL;
    const t0 = performance.now();
    await mel(k);
    const t1 = performance.now();
    await emb(k);
    const t2 = performance.now();
    await head(k);
    const t3 = performance.now();
    if (i >= warmup) {
      melMs += t1 - t0;
      embMs += t2 - t1;
      headMs += t3 - t2;
      totals[i - warmup] = t3 - t0;
    }
  }
  const total = (melMs + embMs + headMs) / chunks;
  totals.sort();
  return {
    chunks,
    warmup_chunks: warmup,
    models: [
      { model: 'melspectrogram', shape: [...inputs.melShape], ms_per_chunk: melMs / chunks },
      { model: inputs.embLabel ?? 'embedding', shape: [...inputs.embShape], ms_per_chunk: embMs / chunks },
      { model: `${inputs.keyword} head`, shape: [...inputs.headShape], ms_per_chunk: headMs / chunks },
    ],
    total_ms_per_chunk: total,
    total_ms_p50: quantile(totals, 0.5),
    total_ms_p99: quantile(totals, 0.99),
    rtf: total / CHUNK_MS,
  };
}

function pickHead(models: OpenWakeWordModels, keyword: string | undefined): KeywordHead {
  const head = keyword ? models.heads.find((h) => h.keyword === keyword) : models.heads[0];
  if (!head) throw new EchosimError('CLI_ARGUMENT_INVALID', `no ${keyword ?? ''} keyword model is loaded`);
  return head;
}

/** POOL fixed inputs per model, as plain arrays so any runtime can wrap them. */
export interface ComputeInputs {
  keyword: string;
  mel: Float32Array[];
  melShape: readonly number[];
  emb: Float32Array[];
  embShape: readonly number[];
  /** What the embedding runner times, when not the full model. */
  embLabel?: string;
  head: Float32Array[];
  headShape: readonly number[];
}

export async function prepareComputeInputs(models: OpenWakeWordModels, keyword?: string, seed = 7): Promise<ComputeInputs> {
  const head = pickHead(models, keyword);
  const rand = mulberry32(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  // Speech-level noise (about -20 dBFS) with a slow amplitude wobble, int16 values as float32.
  const noise = (n: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(Math.max(-32768, Math.min(32767, gaussian() * 3000 * (1 + 0.5 * Math.sin(i / 900)))));
    return out;
  };
  const melLen = CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES;
  const mel = Array.from({ length: POOL }, () => noise(melLen));

  // Embedding inputs: 76-frame windows of the real melspectrogram (x/10 + 2) of a longer clip.
  const clipSamples = (EMBEDDING_WINDOW + POOL) * 160 + MEL_CONTEXT_SAMPLES;
  const clip = noise(clipSamples);
  const melOut = (await models.melspec.run({ [models.melspec.inputNames[0] ?? 'input']: new ort.Tensor('float32', clip, [1, clipSamples]) }))[
    models.melspec.outputNames[0] ?? 'output'
  ];
  const frames = Float32Array.from(melOut!.data as Float32Array, (x) => x / 10 + 2);
  const nFrames = frames.length / MEL_BINS;
  const emb = Array.from({ length: POOL }, (_, k) => {
    const start = Math.min(k, nFrames - EMBEDDING_WINDOW);
    return frames.slice(start * MEL_BINS, (start + EMBEDDING_WINDOW) * MEL_BINS);
  });

  // Head inputs: the embeddings of those windows, `window` of them per input, rotated.
  const embeddings: Float32Array[] = [];
  for (const w of emb) {
    const feed = { [models.embedding.inputNames[0] ?? 'input_1']: new ort.Tensor('float32', w, [1, EMBEDDING_WINDOW, MEL_BINS, 1]) };
    const out = (await models.embedding.run(feed))[models.embedding.outputNames[0] ?? 'conv2d_19'];
    embeddings.push(Float32Array.from((out!.data as Float32Array).subarray(0, EMBEDDING_DIM)));
  }
  const headInputs = Array.from({ length: POOL }, (_, k) => {
    const data = new Float32Array(head.window * EMBEDDING_DIM);
    for (let j = 0; j < head.window; j++) data.set(embeddings[(k + j) % POOL]!, j * EMBEDDING_DIM);
    return data;
  });
  return {
    keyword: head.keyword,
    mel,
    melShape: [1, melLen],
    emb,
    embShape: [1, EMBEDDING_WINDOW, MEL_BINS, 1],
    head: headInputs,
    headShape: [1, head.window, EMBEDDING_DIM],
  };
}

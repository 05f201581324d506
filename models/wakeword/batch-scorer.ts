import { ort, outputData, runSession } from '../onnx.js';
import {
  CHUNK_SAMPLES,
  EMBEDDING_DIM,
  EMBEDDING_WINDOW,
  MEL_BINS,
  MEL_CONTEXT_SAMPLES,
  type OpenWakeWordModels,
} from './oww-models.js';
import { BatchQueue, type QueuedStream } from '../batch-queue.js';
import { EchosimError } from '../../core/errors.js';
import { SpentBuffers } from '../spent-buffers.js';
import type { ChunkScorer, ScoreInput, ScoreRequest } from './scorer.js';

/** One stream's features: openWakeWord's AudioFeatures state (docs/wake-word.md#the-three-models). */
interface StreamState {
  /** The last 480 samples of context, then the newest chunk (int16 values as float32). */
  readonly melInput: Float32Array;
  /** The last 76 mel frames (x/10 + 2); starts as ones. */
  readonly melWindow: Float32Array;
  /** The newest `featureWindow` embeddings, oldest first; starts as the seed embeddings. */
  readonly features: Float32Array;
  /** The streaming embedding's caches for the current window; none until a full window has run. */
  caches: Float32Array[] | undefined;
  chunks: number;
}

/**
 * openWakeWord's streaming feature pipeline for many streams at once: the melspectrogram of each
 * stream's chunk (one call for all through its per-row batch form), then the embedding model once per
 * batch over every stream (the step on [B, 8, 32, 1] plus caches, or the whole window on
 * [B, 76, 32, 1]), then the keyword heads each stream asked for on its newest embeddings, one call per
 * head (a stream's heads may change between chunks; its features do not depend on them). Per stream the arithmetic is the reference's, so a batch of one is the plain
 * streaming pipeline (test/models/wakeword/parity.test.ts holds it to the reference).
 */
export class BatchScorer {
  private readonly states = new Map<number, StreamState>();
  private readonly melIn: string;
  private readonly melOut: string;
  private readonly embIn: string;
  private readonly embOut: string;
  private readonly scratch = new FeedScratch();
  /** The model outputs of the running batch, freed when it ends (models/spent-buffers.ts): everything read from them has been copied by then. */
  private readonly spent = new SpentBuffers();
  /** A batch is running: the feed buffers are in use. */
  private running = false;

  constructor(readonly models: OpenWakeWordModels) {
    this.melIn = models.melspec.inputNames[0] ?? 'input';
    this.melOut = models.melspec.outputNames[0] ?? 'output';
    this.embIn = models.embedding.inputNames[0] ?? 'input_1';
    this.embOut = models.embedding.outputNames[0] ?? 'conv2d_19';
  }

  /** Streams with state. */
  get streams(): number {
    return this.states.size;
  }

  close(stream: number): void {
    this.states.delete(stream);
  }

  /** Scores one chunk of each request's stream (each stream at most once); one array of head scores per request. */
  async score(requests: readonly ScoreRequest[]): Promise<Float32Array[]> {
    return this.exclusive(async () => {
      const states = requests.map((r) => this.stateOf(r.stream, r.reset));
      const added = await this.melspectrogram(requests, states);
      await this.embed(states, added);
      return this.heads(requests, states);
    });
  }

  /**
   * Advances each request's stream by one chunk as `score` does, without the heads, and returns a
   * copy of each stream's newest embedding (EMBEDDING_DIM values). A head's input after the chunk is
   * the last `window` embeddings: the seed features followed by every embedding returned since the
   * stream's reset. Training reads its features here, so they are the runtime features (tools/train).
   */
  async embeddings(requests: readonly ScoreRequest[]): Promise<Float32Array[]> {
    return this.exclusive(async () => {
      const states = requests.map((r) => this.stateOf(r.stream, r.reset));
      const added = await this.melspectrogram(requests, states);
      await this.embed(states, added);
      return states.map((s) => s.features.slice(s.features.length - EMBEDDING_DIM));
    });
  }

  /** One batch at a time (its callers queue them: a BatchQueue, the worker, training's extractor). */
  private async exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.running) {
      throw new EchosimError('MODEL_INFERENCE_FAILED', 'a batch scorer was given a batch while another was running', { hint: 'Queue batches (BatchQueue) instead of running them at once.' });
    }
    this.running = true;
    try {
      return await run();
    } finally {
      this.spent.release();
      this.running = false;
    }
  }

  private stateOf(stream: number, reset: boolean): StreamState {
    let state = this.states.get(stream);
    if (!state) {
      state = {
        melInput: new Float32Array(CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES),
        melWindow: new Float32Array(EMBEDDING_WINDOW * MEL_BINS),
        features: new Float32Array(this.models.featureWindow * EMBEDDING_DIM),
        caches: undefined,
        chunks: 0,
      };
      this.states.set(stream, state);
      reset = true;
    }
    if (reset) {
      state.chunks = 0;
      state.caches = undefined;
      state.melInput.fill(0);
      state.melWindow.fill(1);
      state.features.set(this.models.seedFeatures);
    }
    return state;
  }

  /**
   * Appends each stream's new mel frames to its window; returns how many values each added. The
   * model clamps to 80 dB below the maximum of its whole input, so a loud stream in the same call
   * would change a quiet stream's frames: streams share a call only through the batch form that
   * takes that floor per row (batched-graphs.ts), else each runs alone.
   */
  private async melspectrogram(requests: readonly ScoreRequest[], states: readonly StreamState[]): Promise<number[]> {
    const inputs = requests.map((r, i) => {
      const s = states[i]!;
      s.melInput.copyWithin(0, CHUNK_SAMPLES);
      s.melInput.set(r.input.chunk, MEL_CONTEXT_SAMPLES);
      // The reference's raw buffer starts empty, so a stream's first melspectrogram sees only its chunk.
      const input = s.chunks === 0 ? Float32Array.from(r.input.chunk) : s.melInput;
      s.chunks++;
      return input;
    });
    const mels: Float32Array[] = new Array(inputs.length);
    const steady = inputs.flatMap((input, i) => (input === states[i]!.melInput ? [i] : []));
    const rows = steady.length > 1 ? await this.models.batchForms.melspectrogram() : undefined;
    if (rows) {
      const width = CHUNK_SAMPLES + MEL_CONTEXT_SAMPLES;
      const feeds = { [this.melIn]: this.scratch.stack('melspectrogram', steady, (i) => inputs[i]!, [width]) };
      const out = this.output(await runSession(rows, feeds, 'melspectrogram (rows)'), this.melOut);
      const size = out.length / steady.length;
      steady.forEach((i, b) => (mels[i] = out.subarray(b * size, (b + 1) * size)));
    }
    for (const [i, input] of inputs.entries()) {
      if (mels[i]) continue;
      const feeds = { [this.melIn]: new ort.Tensor('float32', input, [1, input.length]) };
      mels[i] = this.output(await runSession(this.models.melspec, feeds, 'melspectrogram'), this.melOut);
    }
    return mels.map((mel, i) => {
      const window = states[i]!.melWindow;
      window.copyWithin(0, mel.length);
      const base = window.length - mel.length;
      for (let j = 0; j < mel.length; j++) window[base + j] = mel[j]! / 10 + 2;
      return mel.length;
    });
  }

  /**
   * One embedding per stream. With the streaming form, a window that moved by exactly one step since
   * the last costs only the new rows; any other move (a stream's first chunk adds 5 frames) runs the
   * whole window once, which also fills the caches.
   */
  private async embed(states: readonly StreamState[], added: readonly number[]): Promise<void> {
    const streaming = this.models.streaming;
    const stepValues = (streaming?.graphs.stepFrames ?? 0) * MEL_BINS;
    const stepping: number[] = [];
    const whole: number[] = [];
    states.forEach((s, i) => (streaming && s.caches && added[i] === stepValues ? stepping : whole).push(i));
    if (stepping.length > 0 && streaming) {
      const { graphs } = streaming;
      const feeds: Record<string, ort.Tensor> = {
        [graphs.inputName]: this.scratch.stack('step', stepping, (i) => states[i]!.melWindow.subarray(EMBEDDING_WINDOW * MEL_BINS - stepValues), [graphs.stepFrames, MEL_BINS, 1]),
      };
      graphs.caches.forEach((c, k) => {
        feeds[c.input] = this.scratch.stack(c.input, stepping, (i) => states[i]!.caches![k]!, [c.channels, c.rows, c.width]);
      });
      this.take(stepping, states, await runSession(streaming.step, feeds, 'embedding (step)'));
    }
    if (whole.length > 0) {
      const feeds = { [this.embIn]: this.scratch.stack('window', whole, (i) => states[i]!.melWindow, [EMBEDDING_WINDOW, MEL_BINS, 1]) };
      this.take(whole, states, await runSession(this.models.embedding, feeds, 'embedding'));
    }
  }

  /** Appends each member's embedding to its features and keeps its new caches. */
  private take(members: readonly number[], states: readonly StreamState[], out: ort.InferenceSession.OnnxValueMapType): void {
    const emb = this.output(out, this.embOut); // the step graph names its embedding as the model does
    const caches = this.models.streaming?.graphs.caches.map((c) => this.output(out, c.output)) ?? [];
    members.forEach((i, b) => {
      const s = states[i]!;
      s.features.copyWithin(0, EMBEDDING_DIM);
      s.features.set(emb.subarray(b * EMBEDDING_DIM, (b + 1) * EMBEDDING_DIM), s.features.length - EMBEDDING_DIM);
      if (caches.length === 0) return;
      // Copied even for a batch of one: the outputs are freed when the batch ends.
      const own = (s.caches ??= caches.map((data) => new Float32Array(data.length / members.length)));
      caches.forEach((data, k) => {
        const target = own[k]!;
        target.set(data.subarray(b * target.length, (b + 1) * target.length));
      });
    });
  }

  /** A named output's data, to be freed when the batch ends (read or copy it before). */
  private output(result: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
    const data = outputData(result, name);
    this.spent.add(data);
    return data;
  }

  /**
   * The heads each stream asked for, on its newest embeddings: per head, one call for every stream
   * that asked for it through the head's batch form, else one call per stream.
   */
  private async heads(requests: readonly ScoreRequest[], states: readonly StreamState[]): Promise<Float32Array[]> {
    const results = requests.map((r) => new Float32Array(r.input.heads.length));
    const askers = new Map<string, Array<{ i: number; k: number }>>();
    requests.forEach((r, i) => r.input.heads.forEach((keyword, k) => (askers.get(keyword) ?? askers.set(keyword, []).get(keyword)!).push({ i, k })));
    for (const [keyword, asked] of askers) {
      const head = this.models.head(keyword);
      if (!head) {
        throw new EchosimError('MODEL_UNKNOWN', `the ${keyword} head is not loaded`, { hint: 'Load it first (ensureHeads) before scoring with it.' });
      }
      const view = (i: number): Float32Array => states[i]!.features.subarray((this.models.featureWindow - head.window) * EMBEDDING_DIM);
      const batch = asked.length > 1 ? await this.models.batchForms.head(head.spec) : undefined;
      if (batch) {
        const feeds = { [head.inputName]: this.scratch.stack('head', asked.map((a) => a.i), view, [head.window, EMBEDDING_DIM]) };
        const scores = this.output(await runSession(batch, feeds, `${head.keyword} keyword (batch)`), head.outputName);
        asked.forEach(({ i, k }, b) => (results[i]![k] = scores[b]!));
        continue;
      }
      for (const { i, k } of asked) {
        const feeds = { [head.inputName]: new ort.Tensor('float32', view(i), [1, head.window, EMBEDDING_DIM]) };
        results[i]![k] = this.output(await runSession(head.session, feeds, `${head.keyword} keyword`), head.outputName)[0]!;
      }
    }
    return results;
  }
}

/**
 * Feed buffers reused from batch to batch, one per input, grown as batches grow: a fleet worker's
 * step batch stacks about 37 KB of cached activations per stream, and allocating that afresh for
 * every batch kept its garbage collector busy. A batch's tensors are read by onnxruntime during its
 * run, which the scorer awaits before it stacks the next one.
 */
class FeedScratch {
  private readonly buffers = new Map<string, Float32Array>();

  /**
   * The members' rows stacked into one [B, ...shape] tensor over the buffer named `name` (a lone
   * member's row is used as it is).
   */
  stack(name: string, members: readonly number[], row: (i: number) => Float32Array, shape: readonly number[]): ort.Tensor {
    if (members.length === 1) return new ort.Tensor('float32', row(members[0]!), [1, ...shape]);
    const size = shape.reduce((a, b) => a * b, 1);
    const need = members.length * size;
    let buffer = this.buffers.get(name);
    if (!buffer || buffer.length < need) {
      buffer = new Float32Array(Math.max(need, 2 * (buffer?.length ?? 0)));
      this.buffers.set(name, buffer);
    }
    const data = buffer.subarray(0, need);
    members.forEach((i, b) => data.set(row(i), b * size));
    return new ort.Tensor('float32', data, [members.length, ...shape]);
  }
}

const local = new WeakMap<OpenWakeWordModels, BatchQueue<ScoreInput, Float32Array>>();

/**
 * A scorer running in this thread over shared models. Every stream of the process that uses the same
 * models shares one batch scorer, so streams fed in the same turn of the event loop share model calls.
 */
export function inProcessScorer(models: OpenWakeWordModels): ChunkScorer {
  let queue = local.get(models);
  if (!queue) {
    const scorer = new BatchScorer(models);
    queue = new BatchQueue((batch) => scorer.score(batch), (stream) => scorer.close(stream));
    local.set(models, queue);
  }
  return scorerOf(queue.open());
}

/** A queued stream as the engine's ChunkScorer. */
export function scorerOf(stream: QueuedStream<ScoreInput, Float32Array>): ChunkScorer {
  return { score: (chunk, heads) => stream.submit({ chunk, heads }), reset: () => stream.reset(), close: () => stream.close() };
}

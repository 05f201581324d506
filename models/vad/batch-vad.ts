import type { BatchRequest, QueuedStream } from '../batch-queue.js';
import { ort, outputData, runSession } from '../onnx.js';
import { VAD_WINDOW, type SileroVadModel } from './silero-vad.js';
import type { VoiceActivityDetector } from './types.js';
import { SpentBuffers } from '../spent-buffers.js';
import { EchosimError } from '../../core/errors.js';

/** Silero's recurrent state per stream: h and c, each [2, 64]. */
const STATE = 128;

interface VadState {
  readonly h: Float32Array;
  readonly c: Float32Array;
}

/**
 * Silero VAD for many streams at once: one run over every stream's next 512-sample window ([B, 512],
 * the states stacked to [2, B, 64]), each stream keeping its own recurrent state. A request may hold
 * several consecutive windows of its stream (a whole 80 ms frame's worth); they run in successive
 * rounds. A batch of one is the plain streaming VAD (test/models/vad/batch-vad.test.ts holds batches
 * to it).
 */
export class BatchVad {
  private readonly states = new Map<number, VadState>();
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  /** The model's outputs of the running batch, freed when it ends (models/spent-buffers.ts). */
  private readonly spent = new SpentBuffers();
  /** Feed buffers reused from round to round (onnxruntime reads a round's feeds before its run resolves). */
  private feeds = { input: new Float32Array(0), h: new Float32Array(0), c: new Float32Array(0) };
  /** A batch is running: the feed buffers and outputs are in use. */
  private running = false;

  constructor(private readonly model: SileroVadModel) {}

  get streams(): number {
    return this.states.size;
  }

  close(stream: number): void {
    this.states.delete(stream);
  }

  /** Whole windows of each stream's int16 samples in; each request's speech probabilities, one per window, out. */
  async run(requests: readonly BatchRequest<Int16Array>[]): Promise<Float32Array[]> {
    if (this.running) {
      throw new EchosimError('MODEL_INFERENCE_FAILED', 'a batch VAD was given a batch while another was running', { hint: 'Queue batches (BatchQueue) instead of running them at once.' });
    }
    this.running = true;
    const results = requests.map((r) => new Float32Array(Math.floor(r.input.length / VAD_WINDOW)));
    const rounds = Math.max(0, ...results.map((r) => r.length));
    try {
      for (let round = 0; round < rounds; round++) {
        const members = requests.flatMap((r, i) => (round < results[i]!.length ? [i] : []));
        const probs = await this.runRound(
          members.map((i) => {
            const r = requests[i]!;
            return { stream: r.stream, input: r.input.subarray(round * VAD_WINDOW, (round + 1) * VAD_WINDOW), reset: r.reset && round === 0 };
          }),
        );
        members.forEach((i, k) => (results[i]![round] = probs[k]!));
      }
    } finally {
      this.spent.release();
      this.running = false;
    }
    return results;
  }

  /** The round's feed buffers for `b` streams, grown as batches grow. */
  private feedBuffers(b: number): { input: Float32Array; h: Float32Array; c: Float32Array } {
    if (this.feeds.input.length < b * VAD_WINDOW) {
      const n = Math.max(b, 2 * (this.feeds.input.length / VAD_WINDOW));
      this.feeds = { input: new Float32Array(n * VAD_WINDOW), h: new Float32Array(n * STATE), c: new Float32Array(n * STATE) };
    }
    return { input: this.feeds.input.subarray(0, b * VAD_WINDOW), h: this.feeds.h.subarray(0, b * STATE), c: this.feeds.c.subarray(0, b * STATE) };
  }

  /** One window per request. */
  private async runRound(requests: readonly BatchRequest<Int16Array>[]): Promise<number[]> {
    const b = requests.length;
    const { input, h, c } = this.feedBuffers(b);
    const states = requests.map((r, k) => {
      let state = this.states.get(r.stream);
      if (!state || r.reset) {
        state = { h: new Float32Array(STATE), c: new Float32Array(STATE) };
        this.states.set(r.stream, state);
      }
      for (let i = 0; i < VAD_WINDOW; i++) input[k * VAD_WINDOW + i] = (r.input[i] ?? 0) / 32768;
      // [2, 64] per stream into [2, B, 64]
      for (let layer = 0; layer < 2; layer++) {
        h.set(state.h.subarray(layer * 64, layer * 64 + 64), (layer * b + k) * 64);
        c.set(state.c.subarray(layer * 64, layer * 64 + 64), (layer * b + k) * 64);
      }
      return state;
    });
    const feeds = {
      input: new ort.Tensor('float32', input, [b, VAD_WINDOW]),
      sr: this.sr,
      h: new ort.Tensor('float32', h, [2, b, 64]),
      c: new ort.Tensor('float32', c, [2, b, 64]),
    };
    const out = await runSession(this.model.session, feeds, 'silero VAD');
    const hn = outputData(out, 'hn');
    const cn = outputData(out, 'cn');
    const prob = outputData(out, 'output');
    this.spent.add(hn, cn, prob);
    states.forEach((state, k) => {
      for (let layer = 0; layer < 2; layer++) {
        state.h.set(hn.subarray((layer * b + k) * 64, (layer * b + k) * 64 + 64), layer * 64);
        state.c.set(cn.subarray((layer * b + k) * 64, (layer * b + k) * 64 + 64), layer * 64);
      }
    });
    return states.map((_, k) => prob[k]!);
  }
}

/**
 * A VoiceActivityDetector whose windows run through a queue (a SpotterPool's workers): it cuts the
 * samples into 512-sample windows here and submits all the whole windows of a push as one request
 * (one round trip per push, not per window); a partial window waits for the next push.
 */
export class QueuedVad implements VoiceActivityDetector {
  private carry = new Int16Array(0);

  constructor(private readonly stream: QueuedStream<Int16Array, Float32Array>) {}

  reset(): void {
    this.carry = new Int16Array(0);
    this.stream.reset();
  }

  close(): void {
    this.stream.close();
  }

  async push(samples: Int16Array): Promise<number[]> {
    const all = new Int16Array(this.carry.length + samples.length);
    all.set(this.carry);
    all.set(samples, this.carry.length);
    const whole = Math.floor(all.length / VAD_WINDOW) * VAD_WINDOW;
    this.carry = all.slice(whole);
    if (whole === 0) return [];
    return Array.from(await this.stream.submit(all.subarray(0, whole)));
  }
}

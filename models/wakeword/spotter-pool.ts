import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { EchosimError, type ErrorCode } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import type { LoadOptions } from './oww-models.js';
import type { HeadSpec } from './registry.js';
import { BatchQueue, type QueuedStream } from '../batch-queue.js';
import { buffersOf, packBatch, unpackResults, type PackedBatch, type PackedResults } from '../packed-batch.js';
import { QueuedVad } from '../vad/batch-vad.js';
import type { VoiceActivityDetector } from '../vad/types.js';
import { scorerOf } from './batch-scorer.js';
import type { ChunkScorer, HeadInfo, ScoreInput, ScorerSource } from './scorer.js';
import type { StageTimings } from '../stage-timings.js';

/** What a worker loads: the serialisable part of OpenWakeWordModels.load's options, and whether to load the VAD. */
export type WorkerSettings = Pick<LoadOptions, 'keywords' | 'heads' | 'headsDir' | 'modelDir' | 'seed' | 'streamingEmbedding' | 'embedding'> & { vad?: boolean };

/** The two models a worker batches: the wake-word pipeline and the end-pointing VAD. */
export type WorkerModel = 'wakeword' | 'vad';

export type WorkerInbound =
  /** A batch, packed (models/packed-batch.ts) and its buffers transferred. */
  | { type: WorkerModel; id: number; batch: PackedBatch }
  | { type: 'heads'; id: number; heads: HeadSpec[] }
  | { type: 'close'; model: WorkerModel; stream: number }
  /** The worker's timings so far; `start` first restarts them from zero (and turns them on). */
  | { type: 'timings'; id: number; start: boolean };

/**
 * A worker's timings (SpotterPool.timings): per model stage, and per model its whole batches
 * ("wakeword batch", "vad batch": requests, from a batch's start to its results posted).
 */
export interface WorkerTimings {
  /** The worker's Linux thread id (0 when unknown), for per-thread CPU. */
  tid: number;
  stages: StageTimings;
}

/** The main thread's side of a worker's traffic: messages posted and the ms their postMessage (serialisation) took. */
export interface PostTimings {
  messages: number;
  ms: number;
}

export type WorkerOutbound =
  | { type: 'ready'; heads: HeadInfo[] }
  | { type: 'load-failed'; code: string; message: string }
  | { type: 'done'; id: number; results: PackedResults }
  | { type: 'heads-loaded'; id: number; heads: HeadInfo[] }
  | ({ type: 'timings'; id: number } & WorkerTimings)
  | { type: 'failed'; id: number; code: string; message: string };

export interface SpotterPoolOptions extends WorkerSettings {
  /** Worker threads (default: the machine's available parallelism). */
  workers?: number;
}


/**
 * Wake-word inference (and, with `vad: true`, the end-pointing VAD) for many streams on every core:
 * worker threads, each with its own copy of the models, each running the streams assigned to it in
 * batches (all the inputs its streams submitted since its last batch, in one model call per stage).
 * The main thread keeps everything else (audio, decisions, devices, the cloud). Engines use it like
 * loaded models, `new OpenWakeWordEngine(pool)`; devices take `pool.openVad()` as their VAD.
 */
export class SpotterPool implements ScorerSource {
  private readonly loaded = new Map<string, HeadInfo>();
  readonly defaultKeywords: readonly string[];

  private constructor(
    private readonly workers: PoolWorker[],
    heads: readonly HeadInfo[],
    private readonly vad: boolean,
  ) {
    for (const h of heads) this.loaded.set(h.keyword, h);
    this.defaultKeywords = heads.map((h) => h.keyword);
  }

  static async start(options: SpotterPoolOptions = {}): Promise<SpotterPool> {
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1) {
      throw new EchosimError('CLI_ARGUMENT_INVALID', `a spotter pool needs at least one worker, got ${count}`, { hint: 'Pass a whole number of workers, 1 or more.' });
    }
    const { workers: _count, ...settings } = options;
    const started = await Promise.allSettled(Array.from({ length: count }, () => PoolWorker.start(settings)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.stop()));
      throw failed.reason;
    }
    return new SpotterPool(workers, workers[0]!.heads, settings.vad === true);
  }

  get size(): number {
    return this.workers.length;
  }

  /** The heads loaded on every worker. */
  get heads(): HeadInfo[] {
    return [...this.loaded.values()];
  }

  get keywords(): string[] {
    return [...this.loaded.keys()];
  }

  /**
   * Loads heads on every worker (devices of a fleet switching to their room's wake word); a head
   * already loaded is not loaded again. Each worker keeps its streams' feature history.
   */
  async ensureHeads(specs: readonly HeadSpec[]): Promise<HeadInfo[]> {
    const missing = specs.filter((s) => !this.loaded.has(s.keyword));
    if (missing.length > 0) {
      const answers = await Promise.all(this.workers.map((w) => w.loadHeads(missing)));
      for (const h of answers[0] ?? []) this.loaded.set(h.keyword, h);
    }
    return specs.map((s) => this.loaded.get(s.keyword)!);
  }

  /**
   * Each worker's timings (see WorkerTimings), its event loop's busy fraction, and the main thread's postMessage cost per worker;
   * `start` restarts both from zero and turns the workers' stage timers on (fleet --profile).
   */
  async timings(start = false): Promise<Array<WorkerTimings & { posted: PostTimings; loopBusy: number }>> {
    return Promise.all(this.workers.map((w) => w.timings(start)));
  }

  /** Streams open on each worker. */
  get load(): number[] {
    return this.workers.map((w) => w.streams);
  }

  /** Streams of one model open on each worker. */
  loadOf(model: WorkerModel): number[] {
    return this.workers.map((w) => w.open[model]);
  }

  /** A scorer for a new stream, on the worker with the fewest wake-word streams. */
  openScorer(): ChunkScorer {
    return scorerOf(this.leastLoaded('wakeword').openStream('wakeword'));
  }

  /** A VAD for a new stream on the workers (the pool must have been started with `vad: true`). */
  openVad(): VoiceActivityDetector {
    if (!this.vad) {
      throw new EchosimError('MODEL_LOAD_FAILED', 'this spotter pool has no VAD loaded', { hint: 'Start it with SpotterPool.start({ vad: true }).' });
    }
    return new QueuedVad(this.leastLoaded('vad').openStream('vad'));
  }

  /**
   * The worker with the fewest streams of `model` (then the fewest streams): each model is spread
   * evenly on its own. Balancing only the sum let a fleet that opens a VAD and a scorer per device put
   * every VAD on one worker and every scorer on the other, so one worker ran every device's
   * wake-word chunks while the other waited.
   */
  private leastLoaded(model: WorkerModel): PoolWorker {
    return this.workers.reduce((a, b) => (b.open[model] < a.open[model] || (b.open[model] === a.open[model] && b.streams < a.streams) ? b : a));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

class PoolWorker {
  /** Open streams per model. */
  readonly open: Record<WorkerModel, number> = { wakeword: 0, vad: 0 };
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: never) => void; reject: (e: unknown) => void }>();
  private readonly queues: { wakeword: BatchQueue<ScoreInput, Float32Array>; vad: BatchQueue<Int16Array, Float32Array> };
  private stopped: EchosimError | undefined;
  /** With timings on: what posting to this worker cost the main thread. */
  private posted: PostTimings | undefined;
  private elu: EventLoopUtilization | undefined;

  /** Open streams of every model. */
  get streams(): number {
    return this.open.wakeword + this.open.vad;
  }

  private constructor(
    private readonly worker: Worker,
    readonly heads: HeadInfo[],
  ) {
    // One batch in flight per model: a device waits behind at most one batch of each (measured: two
    // in flight let 125 devices with VAD fall 7 s behind real time, one keeps them within 0.2 s).
    this.queues = {
      wakeword: new BatchQueue(
        (requests) => this.send({ type: 'wakeword', id: this.nextId++, batch: packBatch(requests, (r) => r.chunk, (r) => r.heads) }),
        (stream) => this.post({ type: 'close', model: 'wakeword', stream }),
        1,
      ),
      vad: new BatchQueue(
        (requests) => this.send({ type: 'vad', id: this.nextId++, batch: packBatch(requests, (r) => r) }),
        (stream) => this.post({ type: 'close', model: 'vad', stream }),
        1,
      ),
    };
    worker.on('message', (m: WorkerOutbound) => {
      if (m.type !== 'done' && m.type !== 'heads-loaded' && m.type !== 'failed' && m.type !== 'timings') return;
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.type === 'done') waiter?.resolve(unpackResults(m.results) as never);
      else if (m.type === 'heads-loaded') waiter?.resolve(m.heads as never);
      else if (m.type === 'timings') waiter?.resolve({ tid: m.tid, stages: m.stages } as never);
      else waiter?.reject(new EchosimError(m.code as ErrorCode, m.message));
    });
    const fail = (why: string): void => {
      this.stopped ??= new EchosimError('MODEL_INFERENCE_FAILED', `a wake-word worker stopped: ${why}`, { hint: 'Restart; if it keeps happening, run with --workers 0 to score in the main thread.' });
      for (const w of this.waiting.values()) w.reject(this.stopped);
      this.waiting.clear();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
  }

  static start(settings: WorkerSettings): Promise<PoolWorker> {
    const worker = new Worker(workerFile(), { workerData: settings });
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerOutbound): void => {
        if (m.type === 'ready') {
          cleanup();
          resolve(new PoolWorker(worker, m.heads));
        } else if (m.type === 'load-failed') {
          cleanup();
          void worker.terminate();
          reject(new EchosimError(m.code as ErrorCode, m.message));
        }
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(new EchosimError('MODEL_LOAD_FAILED', `a wake-word worker failed to start: ${err.message}`, { cause: err }));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  }

  /** Loads heads on this worker; resolves to their info once they are warmed up. */
  loadHeads(heads: HeadSpec[]): Promise<HeadInfo[]> {
    return this.send<HeadInfo[]>({ type: 'heads', id: this.nextId++, heads });
  }

  async timings(start: boolean): Promise<WorkerTimings & { posted: PostTimings; loopBusy: number }> {
    if (start) {
      this.posted = { messages: 0, ms: 0 };
      this.elu = this.worker.performance.eventLoopUtilization();
    }
    const t = await this.send<WorkerTimings>({ type: 'timings', id: this.nextId++, start });
    const loopBusy = this.worker.performance.eventLoopUtilization(this.elu).utilization;
    return { ...t, posted: { ...(this.posted ?? { messages: 0, ms: 0 }) }, loopBusy };
  }

  /** A new stream of `model` on this worker, counted in its load until closed. */
  openStream(model: 'wakeword'): QueuedStream<ScoreInput, Float32Array>;
  openStream(model: 'vad'): QueuedStream<Int16Array, Float32Array>;
  openStream<I>(model: WorkerModel): QueuedStream<I, Float32Array> {
    const stream = this.queues[model].open() as QueuedStream<I, Float32Array>;
    this.open[model]++;
    let open = true;
    return {
      submit: (input) => stream.submit(input),
      reset: () => stream.reset(),
      close: () => {
        if (!open) return;
        open = false;
        this.open[model]--;
        stream.close();
      },
    };
  }

  private send<R = Float32Array[]>(message: Extract<WorkerInbound, { id: number }>): Promise<R> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(message.id, { resolve: resolve as (r: never) => void, reject });
      this.post(message, 'batch' in message ? buffersOf(message.batch) : []);
    });
  }

  private post(message: WorkerInbound, transfer: ArrayBuffer[] = []): void {
    if (this.stopped) return;
    if (!this.posted) return this.worker.postMessage(message, transfer);
    const t0 = performance.now();
    this.worker.postMessage(message, transfer);
    this.posted.ms += performance.now() - t0;
    this.posted.messages++;
  }

  async stop(): Promise<void> {
    this.stopped ??= new EchosimError('MODEL_INFERENCE_FAILED', 'the spotter pool is closed');
    await this.worker.terminate();
  }
}

/** The compiled worker script: beside this module in dist/, or dist/'s copy when running from sources (jest). */
function workerFile(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return new URL('./scorer-worker.js', import.meta.url);
  const built = path.join(packageRoot(), 'dist', 'models', 'wakeword', 'scorer-worker.js');
  if (!existsSync(built)) {
    throw new EchosimError('MODEL_LOAD_FAILED', 'the wake-word worker script is not built', { hint: 'Run "npm run build" first.' });
  }
  return new URL(`file://${built}`);
}

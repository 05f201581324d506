import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EchosimError, type ErrorCode } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import type { LoadOptions } from './oww-models.js';
import type { HeadSpec } from './registry.js';
import { BatchQueue, type BatchRequest, type QueuedStream } from '../batch-queue.js';
import { QueuedVad } from '../vad/batch-vad.js';
import type { VoiceActivityDetector } from '../vad/types.js';
import { scorerOf } from './batch-scorer.js';
import type { ChunkScorer, HeadInfo, ScoreInput, ScoreRequest, ScorerSource } from './scorer.js';

/** What a worker loads: the serialisable part of OpenWakeWordModels.load's options, and whether to load the VAD. */
export type WorkerSettings = Pick<LoadOptions, 'keywords' | 'heads' | 'headsDir' | 'modelDir' | 'seed' | 'streamingEmbedding'> & { vad?: boolean };

/** The two models a worker batches: the wake-word pipeline and the end-pointing VAD. */
export type WorkerModel = 'wakeword' | 'vad';

export type WorkerInbound =
  | { type: 'wakeword'; id: number; requests: ScoreRequest[] }
  | { type: 'vad'; id: number; requests: BatchRequest<Int16Array>[] }
  | { type: 'heads'; id: number; heads: HeadSpec[] }
  | { type: 'close'; model: WorkerModel; stream: number };

export type WorkerOutbound =
  | { type: 'ready'; heads: HeadInfo[] }
  | { type: 'load-failed'; code: string; message: string }
  | { type: 'done'; id: number; results: Float32Array[] }
  | { type: 'heads-loaded'; id: number; heads: HeadInfo[] }
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

  /** Streams open on each worker. */
  get load(): number[] {
    return this.workers.map((w) => w.streams);
  }

  /** A scorer for a new stream, on the worker with the fewest streams. */
  openScorer(): ChunkScorer {
    return scorerOf(this.leastLoaded().open('wakeword'));
  }

  /** A VAD for a new stream on the workers (the pool must have been started with `vad: true`). */
  openVad(): VoiceActivityDetector {
    if (!this.vad) {
      throw new EchosimError('MODEL_LOAD_FAILED', 'this spotter pool has no VAD loaded', { hint: 'Start it with SpotterPool.start({ vad: true }).' });
    }
    return new QueuedVad(this.leastLoaded().open('vad'));
  }

  private leastLoaded(): PoolWorker {
    return this.workers.reduce((a, b) => (b.streams < a.streams ? b : a));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

class PoolWorker {
  streams = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: never) => void; reject: (e: unknown) => void }>();
  private readonly queues: { wakeword: BatchQueue<ScoreInput, Float32Array>; vad: BatchQueue<Int16Array, Float32Array> };
  private stopped: EchosimError | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly heads: HeadInfo[],
  ) {
    // One batch in flight per model: a device waits behind at most one batch of each (measured: two
    // in flight let 125 devices with VAD fall 7 s behind real time, one keeps them within 0.2 s).
    this.queues = {
      wakeword: new BatchQueue(
        (requests) => this.send({ type: 'wakeword', id: this.nextId++, requests }),
        (stream) => this.post({ type: 'close', model: 'wakeword', stream }),
        1,
      ),
      vad: new BatchQueue(
        (requests) => this.send({ type: 'vad', id: this.nextId++, requests }),
        (stream) => this.post({ type: 'close', model: 'vad', stream }),
        1,
      ),
    };
    worker.on('message', (m: WorkerOutbound) => {
      if (m.type !== 'done' && m.type !== 'heads-loaded' && m.type !== 'failed') return;
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.type === 'done') waiter?.resolve(m.results as never);
      else if (m.type === 'heads-loaded') waiter?.resolve(m.heads as never);
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

  /** A new stream of `model` on this worker, counted in its load until closed. */
  open(model: 'wakeword'): QueuedStream<ScoreInput, Float32Array>;
  open(model: 'vad'): QueuedStream<Int16Array, Float32Array>;
  open<I>(model: WorkerModel): QueuedStream<I, Float32Array> {
    const stream = this.queues[model].open() as QueuedStream<I, Float32Array>;
    this.streams++;
    let open = true;
    return {
      submit: (input) => stream.submit(input),
      reset: () => stream.reset(),
      close: () => {
        if (!open) return;
        open = false;
        this.streams--;
        stream.close();
      },
    };
  }

  private send<R = Float32Array[]>(message: Extract<WorkerInbound, { id: number }>): Promise<R> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(message.id, { resolve: resolve as (r: never) => void, reject });
      this.post(message);
    });
  }

  private post(message: WorkerInbound): void {
    if (!this.stopped) this.worker.postMessage(message);
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

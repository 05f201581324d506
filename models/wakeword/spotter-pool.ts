import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EchosimError, type ErrorCode } from '../../hal/errors.js';
import { packageRoot } from '../../hal/package-root.js';
import type { LoadOptions } from './oww-models.js';
import { ScoreQueue } from './score-queue.js';
import type { ChunkScorer, HeadInfo, ScoreRequest, ScorerSource } from './scorer.js';

/** What a worker loads: the serialisable part of OpenWakeWordModels.load's options. */
export type WorkerSettings = Pick<LoadOptions, 'keywords' | 'modelDir' | 'seed' | 'streamingEmbedding'>;

export type WorkerInbound =
  | { type: 'score'; id: number; requests: ScoreRequest[] }
  | { type: 'close'; stream: number };

export type WorkerOutbound =
  | { type: 'ready'; heads: HeadInfo[] }
  | { type: 'load-failed'; code: string; message: string }
  | { type: 'scores'; id: number; scores: Float32Array[] }
  | { type: 'failed'; id: number; code: string; message: string };

export interface SpotterPoolOptions extends WorkerSettings {
  /** Worker threads (default: the machine's available parallelism). */
  workers?: number;
}

/**
 * Wake-word inference for many streams on every core: worker threads, each with its own copy of the
 * models, each scoring the streams assigned to it in batches (all the chunks its streams submitted
 * since its last batch, in one model call per stage). The main thread keeps everything else (audio,
 * decisions, devices, the cloud). Engines use it like loaded models: `new OpenWakeWordEngine(pool)`.
 */
export class SpotterPool implements ScorerSource {
  private constructor(
    private readonly workers: PoolWorker[],
    readonly heads: readonly HeadInfo[],
  ) {}

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
    return new SpotterPool(workers, workers[0]!.heads);
  }

  get size(): number {
    return this.workers.length;
  }

  get keywords(): string[] {
    return this.heads.map((h) => h.keyword);
  }

  /** Streams open on each worker. */
  get load(): number[] {
    return this.workers.map((w) => w.streams);
  }

  /** A scorer for a new stream, on the worker with the fewest streams. */
  openScorer(): ChunkScorer {
    const worker = this.workers.reduce((a, b) => (b.streams < a.streams ? b : a));
    return worker.open();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

class PoolWorker {
  streams = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (s: Float32Array[]) => void; reject: (e: unknown) => void }>();
  private readonly queue: ScoreQueue;
  private stopped: EchosimError | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly heads: HeadInfo[],
  ) {
    // Two batches in flight: the worker starts the next as soon as it finishes one.
    this.queue = new ScoreQueue(
      (requests) => this.send(requests),
      (stream) => this.post({ type: 'close', stream }),
      2,
    );
    worker.on('message', (m: WorkerOutbound) => {
      if (m.type !== 'scores' && m.type !== 'failed') return;
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.type === 'scores') waiter?.resolve(m.scores);
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

  open(): ChunkScorer {
    this.streams++;
    const scorer = this.queue.open();
    let open = true;
    return {
      score: (chunk) => scorer.score(chunk),
      reset: () => scorer.reset(),
      close: () => {
        if (!open) return;
        open = false;
        this.streams--;
        scorer.close();
      },
    };
  }

  private send(requests: ScoreRequest[]): Promise<Float32Array[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ type: 'score', id, requests });
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

import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { stageClock } from '../stage-timings.js';
import { SpentBuffers } from '../spent-buffers.js';
import { arraysOf, buffersOf, packResults, unpackBatch } from '../packed-batch.js';
import { EchosimError } from '../../core/errors.js';
import { BatchVad } from '../vad/batch-vad.js';
import { SileroVadModel } from '../vad/silero-vad.js';
import { BatchScorer } from './batch-scorer.js';
import { OpenWakeWordModels, type KeywordHead } from './oww-models.js';
import type { HeadInfo } from './scorer.js';
import type { WorkerInbound, WorkerOutbound, WorkerSettings } from './spotter-pool.js';

/**
 * A SpotterPool worker: loads its own copy of the models (onnxruntime sessions cannot cross
 * threads) and scores the batches its pool sends, keeping the state of the streams assigned to it.
 */
const port = parentPort;
if (!port) throw new Error('scorer-worker runs only as a worker thread');
const settings = workerData as WorkerSettings;
const post = (message: WorkerOutbound): void => port.postMessage(message);

function headInfo(h: KeywordHead): HeadInfo {
  return { keyword: h.keyword, window: h.window, defaultThreshold: h.defaultThreshold, ...(h.defaultPatience === undefined ? {} : { defaultPatience: h.defaultPatience }) };
}

function failure(err: unknown): { code: string; message: string } {
  return { code: err instanceof EchosimError ? err.code : 'MODEL_INFERENCE_FAILED', message: (err as Error).message ?? String(err) };
}

/** This thread's Linux thread id (for per-thread CPU from /proc), or 0 where /proc has no thread-self. */
function threadId(): number {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || 0;
  } catch {
    return 0;
  }
}

try {
  const { vad: withVad, ...modelOptions } = settings;
  const [models, vadModel] = await Promise.all([
    OpenWakeWordModels.load(modelOptions),
    withVad ? SileroVadModel.load(modelOptions.modelDir ? { modelDir: modelOptions.modelDir } : {}) : undefined,
  ]);
  const scorer = new BatchScorer(models);
  const vad = vadModel ? new BatchVad(vadModel) : undefined;
  let queue: Promise<void> = Promise.resolve();
  /** Each batch's packed arrays, freed once its results are posted (models/spent-buffers.ts). */
  const received = new SpentBuffers();
  port.on('message', (message: WorkerInbound) => {
    if (message.type === 'timings') {
      if (message.start) stageClock.start();
      post({ type: 'timings', id: message.id, tid: threadId(), stages: stageClock.snapshot() });
      return;
    }
    if (message.type === 'close') {
      if (message.model === 'vad') vad?.close(message.stream);
      else scorer.close(message.stream);
      return;
    }
    if (message.type === 'heads') {
      // Loaded beside the batches: a batch never asks for a head before its load has been answered.
      const { id } = message;
      models.ensureHeads(message.heads).then(
        (heads) => post({ type: 'heads-loaded', id, heads: heads.map(headInfo) }),
        (err: unknown) => post({ type: 'failed', id, ...failure(err) }),
      );
      return;
    }
    // One batch at a time, in order: two interleaved batches would both finish late.
    const { id } = message;
    const run = (): Promise<Float32Array[]> => {
      if (message.type === 'wakeword') return scorer.score(unpackBatch(message.batch, (chunk, heads) => ({ chunk, heads })));
      if (!vad) return Promise.reject(new EchosimError('MODEL_LOAD_FAILED', 'this worker has no VAD loaded'));
      return vad.run(unpackBatch(message.batch, (samples) => samples));
    };
    queue = queue.then(() => {
      // With timings on, a whole batch is a stage of its own: its requests, from its start to its results posted.
      const span = stageClock.enabled ? stageClock.begin() : undefined;
      return run()
        .then(
          (results) => {
            const packed = packResults(results);
            port.postMessage({ type: 'done', id, results: packed } satisfies WorkerOutbound, buffersOf(packed));
            if (span) stageClock.record(`${message.type} batch`, message.batch.streams.length, span);
          },
          (err: unknown) => post({ type: 'failed', id, ...failure(err) }),
        )
        .finally(() => {
          received.add(...arraysOf(message.batch));
          received.release();
        });
    });
  });
  post({ type: 'ready', heads: models.heads.map(headInfo) });
} catch (err) {
  post({ type: 'load-failed', ...failure(err) });
}

import { parentPort, workerData } from 'node:worker_threads';
import { EchosimError } from '../../hal/errors.js';
import { BatchScorer } from './batch-scorer.js';
import { OpenWakeWordModels } from './oww-models.js';
import type { ScoreRequest } from './scorer.js';
import type { WorkerInbound, WorkerOutbound, WorkerSettings } from './spotter-pool.js';

/**
 * A SpotterPool worker: loads its own copy of the models (onnxruntime sessions cannot cross
 * threads) and scores the batches its pool sends, keeping the state of the streams assigned to it.
 */
const port = parentPort;
if (!port) throw new Error('scorer-worker runs only as a worker thread');
const settings = workerData as WorkerSettings;
const post = (message: WorkerOutbound): void => port.postMessage(message);

function failure(err: unknown): { code: string; message: string } {
  return { code: err instanceof EchosimError ? err.code : 'MODEL_INFERENCE_FAILED', message: (err as Error).message ?? String(err) };
}

try {
  const models = await OpenWakeWordModels.load(settings);
  const scorer = new BatchScorer(models);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: WorkerInbound) => {
    if (message.type === 'close') {
      scorer.close(message.stream);
      return;
    }
    // One batch at a time, in order: two interleaved batches would both finish late.
    const requests: ScoreRequest[] = message.requests;
    const id = message.id;
    queue = queue.then(() =>
      scorer.score(requests).then(
        (scores) => post({ type: 'scores', id, scores }),
        (err: unknown) => post({ type: 'failed', id, ...failure(err) }),
      ),
    );
  });
  post({ type: 'ready', heads: models.heads.map((h) => ({ keyword: h.keyword, window: h.window, defaultThreshold: h.defaultThreshold })) });
} catch (err) {
  post({ type: 'load-failed', ...failure(err) });
}

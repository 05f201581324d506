import type { LayersModel } from '@tensorflow/tfjs';
import { WINDOW_VALUES, writeWindow } from '../features/windows.js';
import { headWeights } from './head.js';
import { headToOnnx, verifyOnnx } from './onnx-export.js';
import type { Tf } from './tf.js';
import { predictWindows, type TrainSet } from './train-head.js';

/** Windows in the probe batch an exported head is checked on. */
export const PROBE_WINDOWS = 64;

/**
 * A trained head as ONNX bytes, checked first: tfjs and onnxruntime-node score the same probe
 * batch (training windows spread over the set, positives and negatives) and must agree within
 * EXPORT_TOLERANCE, or nothing is returned (TRAIN_EXPORT_MISMATCH).
 */
export async function exportHead(tf: Tf, model: LayersModel, set: TrainSet, name: string): Promise<{ bytes: Uint8Array; maxDiff: number }> {
  const probe = new Float32Array(PROBE_WINDOWS * WINDOW_VALUES);
  const step = Math.max(1, Math.floor(set.examples.length / PROBE_WINDOWS));
  for (let k = 0; k < PROBE_WINDOWS && k * step < set.examples.length; k++) {
    const e = set.examples[k * step]!;
    writeWindow(set.seedFeatures, set.sequences[e.seq]!, e.t, probe, k * WINDOW_VALUES);
  }
  const expected = predictWindows(tf, model, probe);
  const bytes = headToOnnx(headWeights(model), name);
  const maxDiff = await verifyOnnx(bytes, probe, expected);
  return { bytes, maxDiff };
}

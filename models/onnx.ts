import * as ort from 'onnxruntime-node';
import { EchosimError } from '../core/errors.js';
import { stageClock } from './stage-timings.js';

export { ort };

/**
 * Sessions run on one thread each: a device runs one stream, a fleet runs many streams on few cores,
 * and per-session thread pools would only fight each other.
 */
export async function createSession(bytes: Uint8Array, label: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    });
  } catch (cause) {
    throw new EchosimError('MODEL_LOAD_FAILED', `onnxruntime could not load the ${label} model: ${(cause as Error).message}`, {
      cause,
      hint: 'Reinstall dependencies with "npm ci"; the model file or onnxruntime-node may be damaged.',
    });
  }
}

/** Runs a session, turning runtime failures into a clear error. */
export async function runSession(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  label: string,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  try {
    if (!stageClock.enabled) return await session.run(feeds);
    const span = stageClock.begin();
    const out = await session.run(feeds);
    stageClock.record(label, Object.values(feeds)[0]?.dims[0] ?? 1, span);
    return out;
  } catch (cause) {
    throw new EchosimError('MODEL_INFERENCE_FAILED', `the ${label} model failed: ${(cause as Error).message}`, { cause });
  }
}

/** The float32 data of a named output (or the first one). */
export function outputData(result: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const tensor = result[name];
  if (!tensor || !(tensor.data instanceof Float32Array)) {
    throw new EchosimError('MODEL_INFERENCE_FAILED', `model output "${name}" is missing or not float32`);
  }
  return tensor.data;
}

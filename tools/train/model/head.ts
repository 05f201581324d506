import type { LayersModel } from '@tensorflow/tfjs';
import { EMBEDDING_DIM } from '../../../models/wakeword/oww-models.js';
import { HEAD_WINDOW } from '../features/windows.js';
import type { Tf } from './tf.js';

/** Units of the two hidden layers: 32 keeps a head near 200 KB and under 0.1 ms a chunk. */
export const HIDDEN_UNITS = 32;
export const LAYER_NORM_EPSILON = 1e-5;

/**
 * openWakeWord's small head: [16, 96] -> Flatten -> Dense -> LayerNorm -> ReLU -> Dense -> LayerNorm
 * -> ReLU -> Dense -> sigmoid, every initial weight drawn from `seed`.
 */
export function buildHead(tf: Tf, seed: number, units = HIDDEN_UNITS): LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [HEAD_WINDOW, EMBEDDING_DIM] }),
      tf.layers.dense({ units, kernelInitializer: init(1) }),
      tf.layers.layerNormalization({ epsilon: LAYER_NORM_EPSILON }),
      tf.layers.reLU(),
      tf.layers.dense({ units, kernelInitializer: init(2) }),
      tf.layers.layerNormalization({ epsilon: LAYER_NORM_EPSILON }),
      tf.layers.reLU(),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }),
    ],
  });
}

/** The trained parameters in layer order: kernels [in, out], biases, LayerNorm gamma and beta. */
export interface HeadWeights {
  readonly tensors: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }>;
}

export function headWeights(model: LayersModel): HeadWeights {
  return { tensors: model.weights.map((w) => ({ name: w.name, shape: w.shape.map((d) => d ?? 0), data: w.read().dataSync() as Float32Array })) };
}

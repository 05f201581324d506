import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { Rng } from '../../bench/fuzz-rng.js';
import { deriveSeed } from '../hash.js';
import { sample, shuffleInPlace } from '../shuffle.js';
import { WINDOW_VALUES, writeWindow } from '../features/windows.js';
import { buildHead } from './head.js';
import type { Tf } from './tf.js';

/**
 * What a training window is: a positive, or a negative of one kind (kinds are weighted apart).
 * `hard`: a window the cloud would judge after the first stage fired on a negative (the verifier's
 * hard negatives, data/hard-negatives.ts).
 */
export type ExampleClass = 'positive' | 'near-miss' | 'speech' | 'sound' | 'real' | 'hard';
export type NegativeClass = Exclude<ExampleClass, 'positive'>;
export const NEGATIVE_CLASSES: readonly NegativeClass[] = ['near-miss', 'speech', 'sound', 'real', 'hard'];

/** One window: chunk `t` of embedding sequence `seq`. */
export interface Example {
  readonly seq: number;
  readonly t: number;
  readonly cls: ExampleClass;
  /** A multiplier on the class weight (default 1): windows that stand for more than their number. */
  readonly weight?: number;
}

export interface TrainSet {
  /** The engine's seed features (the window's rows before a stream's first chunk). */
  readonly seedFeatures: Float32Array;
  readonly sequences: readonly Float32Array[];
  readonly examples: readonly Example[];
}

/**
 * How one head is trained. Every epoch takes all positives and a fresh seeded sample of each
 * negative class; a negative's weight is its class weight times a factor that rises linearly over
 * the epochs (openWakeWord's schedule: the head first learns the word, then to reject the rest).
 */
export interface HeadRecipe {
  readonly name: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Windows of each negative class sampled per epoch (a class left out: none). */
  readonly negativesPerEpoch: Readonly<Partial<Record<NegativeClass, number>>>;
  /** A class left out weighs 1. */
  readonly classWeight: Readonly<Partial<Record<ExampleClass, number>>>;
  readonly negativeWeight: readonly [number, number];
}

export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly examples: number;
  readonly negativeWeight: number;
}

/**
 * Binary cross-entropy weighted per example: the target tensor carries [label, weight] per row (tfjs's
 * fit has no per-sample weights), and the batch loss is the weighted mean.
 */
export function weightedBce(tf: Tf): (yTrue: Tensor, yPred: Tensor) => Tensor {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const label = yTrue.slice([0, 0], [-1, 1]);
      const weight = yTrue.slice([0, 1], [-1, 1]);
      const p = yPred.clipByValue(1e-7, 1 - 1e-7);
      const bce = tf.neg(tf.add(tf.mul(label, tf.log(p)), tf.mul(tf.sub(1, label), tf.log(tf.sub(1, p)))));
      return tf.div(tf.sum(tf.mul(bce, weight)), tf.maximum(tf.sum(weight), 1e-6));
    });
}

/**
 * Trains a head with tfjs (fitDataset, one epoch per call, batches in our own seeded order, nothing
 * shuffled by tfjs), deterministic for a seed on the single-threaded wasm backend.
 */
export async function trainHead(tf: Tf, set: TrainSet, recipe: HeadRecipe, seed: number, onEpoch: (log: EpochLog) => void = () => undefined): Promise<{ model: LayersModel; log: EpochLog[] }> {
  const model = buildHead(tf, deriveSeed(seed, recipe.name, 'init'));
  model.compile({ optimizer: tf.train.adam(recipe.learningRate), loss: weightedBce(tf) });
  const byClass = new Map<ExampleClass, Example[]>();
  for (const e of set.examples) {
    const list = byClass.get(e.cls);
    if (list) list.push(e);
    else byClass.set(e.cls, [e]);
  }
  const log: EpochLog[] = [];
  for (let epoch = 0; epoch < recipe.epochs; epoch++) {
    const rng = new Rng(deriveSeed(seed, recipe.name, 'epoch', epoch));
    const [w0, w1] = recipe.negativeWeight;
    const negativeWeight = recipe.epochs > 1 ? w0 + ((w1 - w0) * epoch) / (recipe.epochs - 1) : w1;
    const chosen = [...(byClass.get('positive') ?? [])];
    for (const cls of NEGATIVE_CLASSES) chosen.push(...sample(byClass.get(cls) ?? [], recipe.negativesPerEpoch[cls] ?? 0, rng));
    shuffleInPlace(chosen, rng);
    const weightOf = (e: Example): number => (recipe.classWeight[e.cls] ?? 1) * (e.weight ?? 1) * (e.cls === 'positive' ? 1 : negativeWeight);
    const dataset = tf.data.generator(function* () {
      for (let at = 0; at < chosen.length; at += recipe.batchSize) {
        const batch = chosen.slice(at, at + recipe.batchSize);
        const xs = new Float32Array(batch.length * WINDOW_VALUES);
        const ys = new Float32Array(batch.length * 2);
        batch.forEach((e, i) => {
          writeWindow(set.seedFeatures, set.sequences[e.seq]!, e.t, xs, i * WINDOW_VALUES);
          ys[2 * i] = e.cls === 'positive' ? 1 : 0;
          ys[2 * i + 1] = weightOf(e);
        });
        yield { xs: tf.tensor3d(xs, [batch.length, 16, 96]), ys: tf.tensor2d(ys, [batch.length, 2]) };
      }
    });
    const history = await model.fitDataset(dataset, { epochs: 1, verbose: 0 });
    const loss = Number(history.history.loss?.[0] ?? Number.NaN);
    const entry = { epoch: epoch + 1, loss, examples: chosen.length, negativeWeight };
    log.push(entry);
    onEpoch(entry);
  }
  return { model, log };
}

/** The model's scores on windows (n x 1536), in batches. */
export function predictWindows(tf: Tf, model: LayersModel, windows: Float32Array, batch = 1024): Float32Array {
  const n = windows.length / WINDOW_VALUES;
  const out = new Float32Array(n);
  for (let at = 0; at < n; at += batch) {
    const m = Math.min(batch, n - at);
    const scores = tf.tidy(() => (model.predict(tf.tensor3d(windows.subarray(at * WINDOW_VALUES, (at + m) * WINDOW_VALUES), [m, 16, 96])) as Tensor).dataSync());
    out.set(scores as Float32Array, at);
  }
  return out;
}

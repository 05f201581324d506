import { Rng } from '../../../tools/bench/fuzz-rng.js';
import { sha256 } from '../../../tools/train/hash.js';
import { headWeights } from '../../../tools/train/model/head.js';
import { headToOnnx } from '../../../tools/train/model/onnx-export.js';
import { loadTf, type Tf } from '../../../tools/train/model/tf.js';
import { WINDOW_VALUES, writeWindow } from '../../../tools/train/features/windows.js';
import { predictWindows, trainHead, type Example, type HeadRecipe, type TrainSet } from '../../../tools/train/model/train-head.js';

/** Sequences whose positives carry a pattern the negatives lack, so the head has something to learn. */
function tinySet(): TrainSet {
  const rng = new Rng(1);
  const sequences: Float32Array[] = [];
  const examples: Example[] = [];
  for (let s = 0; s < 24; s++) {
    const positive = s % 3 === 0;
    sequences.push(Float32Array.from({ length: 30 * 96 }, (_, i) => rng.next() * 4 + (positive && i % 96 < 8 ? 3 : 0)));
    for (let t = 16; t < 30; t += 2) examples.push({ seq: s, t, cls: positive ? 'positive' : s % 2 ? 'speech' : 'real' });
  }
  return { seedFeatures: new Float32Array(16 * 96), sequences, examples };
}

const recipe: HeadRecipe = {
  name: 'tiny',
  epochs: 3,
  batchSize: 16,
  learningRate: 3e-3,
  negativesPerEpoch: { 'near-miss': 10, speech: 30, sound: 10, real: 30 },
  classWeight: { positive: 1, 'near-miss': 1, speech: 1, sound: 1, real: 2 },
  negativeWeight: [1, 3],
};

describe('training a head', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = await loadTf();
  });

  test('is deterministic for a seed, and another seed gives another head', async () => {
    const set = tinySet();
    const windows = new Float32Array(set.examples.length * WINDOW_VALUES);
    set.examples.forEach((e, i) => writeWindow(set.seedFeatures, set.sequences[e.seq]!, e.t, windows, i * WINDOW_VALUES));
    const run = async (seed: number): Promise<{ hash: string; losses: number[]; weights: number[]; margin: number }> => {
      const { model, log } = await trainHead(tf, set, recipe, seed);
      const bytes = headToOnnx(headWeights(model), 'tiny');
      const scores = predictWindows(tf, model, windows);
      model.dispose();
      const mean = (positive: boolean): number => {
        const s = set.examples.flatMap((e, i) => ((e.cls === 'positive') === positive ? [scores[i]!] : []));
        return s.reduce((a, b) => a + b, 0) / s.length;
      };
      return { hash: sha256(bytes), losses: log.map((e) => e.loss), weights: log.map((e) => e.negativeWeight), margin: mean(true) - mean(false) };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b).toEqual(a);
    expect(c.hash).not.toBe(a.hash);
    expect(a.weights).toEqual([1, 2, 3]);
    expect(a.margin).toBeGreaterThan(0.2); // it learned the positives' pattern
  });

  test("an example's own weight multiplies its class weight: the loss and the head change, weight 1 changes nothing", async () => {
    const set = tinySet();
    const loss = async (examples: TrainSet['examples']): Promise<{ losses: number[]; hash: string }> => {
      const { model, log } = await trainHead(tf, { ...set, examples }, recipe, 5);
      const hash = sha256(headToOnnx(headWeights(model), 'tiny'));
      model.dispose();
      return { losses: log.map((e) => e.loss), hash };
    };
    const plain = await loss(set.examples);
    const ones = await loss(set.examples.map((e) => ({ ...e, weight: 1 })));
    const heavy = await loss(set.examples.map((e) => (e.cls === 'positive' ? { ...e, weight: 4 } : e)));
    expect(ones).toEqual(plain);
    expect(heavy.hash).not.toBe(plain.hash);
    expect(heavy.losses[0]).not.toBe(plain.losses[0]);
  });
});

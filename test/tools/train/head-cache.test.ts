import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FeatureCache } from '../../../tools/train/features/cache.js';
import { cacheHead, cachedHead, trainedHeadKey } from '../../../tools/train/model/head-cache.js';
import type { HeadRecipe, TrainSet } from '../../../tools/train/model/train-head.js';

const recipe: HeadRecipe = { name: 'h', epochs: 2, batchSize: 8, learningRate: 1e-3, negativesPerEpoch: { real: 4 }, classWeight: {}, negativeWeight: [1, 2] };

function set(): TrainSet {
  return {
    seedFeatures: new Float32Array(16 * 96).fill(0.5),
    sequences: [Float32Array.from({ length: 20 * 96 }, (_, i) => i % 7), Float32Array.from({ length: 20 * 96 }, (_, i) => i % 5)],
    examples: [
      { seq: 0, t: 10, cls: 'positive' },
      { seq: 1, t: 12, cls: 'real' },
    ],
  };
}

describe('the trained-head cache', () => {
  test('the key is the same for the same training and changes with any value, example, recipe, seed or tfjs version', () => {
    const key = trainedHeadKey(set(), recipe, 1, '4.22.0');
    expect(trainedHeadKey(set(), recipe, 1, '4.22.0')).toBe(key);
    const changed = set();
    (changed.sequences[1] as Float32Array)[100] = 0.25;
    const relabelled = { ...set(), examples: [set().examples[0]!, { seq: 1, t: 12, cls: 'hard' as const }] };
    const moved = { ...set(), examples: [set().examples[0]!, { seq: 1, t: 13, cls: 'real' as const }] };
    const others = [
      trainedHeadKey(changed, recipe, 1, '4.22.0'),
      trainedHeadKey(relabelled, recipe, 1, '4.22.0'),
      trainedHeadKey(moved, recipe, 1, '4.22.0'),
      trainedHeadKey({ ...set(), examples: [{ ...set().examples[0]!, weight: 4 }, set().examples[1]!] }, recipe, 1, '4.22.0'),
      trainedHeadKey(set(), { ...recipe, negativeWeight: [1, 3] }, 1, '4.22.0'),
      trainedHeadKey(set(), recipe, 2, '4.22.0'),
      trainedHeadKey(set(), recipe, 1, '4.22.1'),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });

  test('gives back what was stored under a key, and nothing under another', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-heads-'));
    try {
      const cache = new FeatureCache(dir);
      const head = { bytes: Uint8Array.of(8, 1, 2, 3), log: [{ epoch: 1, loss: 0.5, examples: 10, negativeWeight: 1 }], maxDiff: 1e-7 };
      cacheHead(cache, 'ab12', head);
      expect(cachedHead(cache, 'ab12')).toEqual(head);
      expect(cachedHead(cache, 'ab13')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

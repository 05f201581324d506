import { KeywordDecision } from '../../../models/wakeword/decision.js';

const CHUNK = 1280;

function run(decision: KeywordDecision, scores: number[]): Array<{ at: number; score: number }> {
  const fires: Array<{ at: number; score: number }> = [];
  scores.forEach((s, i) => {
    const f = decision.update(s, (i + 1) * CHUNK);
    if (f) fires.push({ at: i, score: f.score });
  });
  return fires;
}

describe('KeywordDecision', () => {
  test('fires on the first chunk at or above the threshold with patience 1', () => {
    const d = new KeywordDecision({ threshold: 0.5, patience: 1, refractorySamples: 0 });
    expect(run(d, [0.1, 0.49, 0.5, 0.9, 0.2])).toEqual([{ at: 2, score: 0.5 }]);
  });

  test('patience needs that many consecutive chunks and reports the run peak', () => {
    const d = new KeywordDecision({ threshold: 0.5, patience: 3, refractorySamples: 0 });
    expect(run(d, [0.6, 0.7, 0.1, 0.6, 0.9, 0.55, 0.8])).toEqual([{ at: 5, score: 0.9 }]);
  });

  test('one long run fires once; a new run after the refractory time fires again', () => {
    const d = new KeywordDecision({ threshold: 0.5, patience: 1, refractorySamples: 5 * CHUNK });
    const scores = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.8];
    expect(run(d, scores)).toEqual([
      { at: 0, score: 0.9 },
      { at: 9, score: 0.8 },
    ]);
  });

  test('a second run inside the refractory time does not fire', () => {
    const d = new KeywordDecision({ threshold: 0.5, patience: 1, refractorySamples: 10 * CHUNK });
    expect(run(d, [0.9, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9])).toEqual([
      { at: 0, score: 0.9 },
      { at: 11, score: 0.9 },
    ]);
  });

  test('bad settings are refused', () => {
    expect(() => new KeywordDecision({ threshold: 1.5, patience: 1, refractorySamples: 0 })).toThrow(RangeError);
    expect(() => new KeywordDecision({ threshold: 0.5, patience: 0, refractorySamples: 0 })).toThrow(RangeError);
  });
});

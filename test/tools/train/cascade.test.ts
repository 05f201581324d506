import { accepts, chooseCascade, evaluateCascade, type CascadeTotals, type FireRecord } from '../../../tools/train/eval/cascade.js';

const rec = (where: FireRecord['where'], verifier: number, keyphrase: boolean[] = [], label = 'x', weight = 1): FireRecord => ({ where, label, weight, verifier, keyphrase });

describe('the cloud cascade', () => {
  test('confirms at or above high, rejects below low, asks the keyphrase check in between', () => {
    const rule = { high: 0.9, low: 0.2, kws: 1 };
    expect(accepts(rec('positive', 0.95), rule)).toBe(true);
    expect(accepts(rec('positive', 0.1, [true, true]), rule)).toBe(false);
    expect(accepts(rec('positive', 0.5, [false, true]), rule)).toBe(true);
    expect(accepts(rec('positive', 0.5, [true, false]), rule)).toBe(false);
    expect(accepts(rec('positive', 0.5, [true, true]), { ...rule, kws: -1 })).toBe(false);
    // high 1 (the most a head description allows): a saturated score still confirms alone, as at run time.
    expect(accepts(rec('positive', 1), { high: 1, low: 0.5, kws: -1 })).toBe(true);
  });

  test('rates per hour by source, and the grid search keeps within the targets with the best recall', () => {
    const totals: CascadeTotals = { positives: 4, nearMissHours: 1, realHours: { a: 1, b: 1 }, realWordClips: 0 };
    const records = [
      rec('positive', 0.99),
      rec('positive', 0.97),
      rec('positive', 0.6, [true]),
      rec('positive', 0.3, [false]),
      rec('near-miss', 0.97),
      rec('near-miss', 0.6, [false]),
      rec('real', 0.6, [false], 'a', 10), // a sampled detection standing for ten
      rec('real', 0.5, [true], 'b'),
    ];
    const loose = evaluateCascade(records, totals, { high: 0.5, low: 0, kws: -1 });
    expect(loose).toMatchObject({ recall: 0.75, nearMissPerHour: 2, realPerHour: 5.5, realBySource: { a: 10, b: 1 } });
    const { chosen, met, front } = chooseCascade(records, totals, 1, { nearMissPerHour: 1, realPerHour: 1 });
    expect(met).toBe(true);
    // 0.97 confirms alone (one near miss too: within 1/h), the grey zone down to 0.5 with the keyphrase
    // check adds the third positive and lets one real false accept (b) through: within 1/h of 2 h.
    expect(chosen).toMatchObject({ recall: 0.75, nearMissPerHour: 1, realPerHour: 0.5 });
    expect(front.length).toBeGreaterThan(0);
    expect(front.every((p, i) => i === 0 || p.recall > front[i - 1]!.recall)).toBe(true);
    const strict = chooseCascade(records, totals, 1, { nearMissPerHour: 0, realPerHour: 0 });
    expect(strict.met).toBe(true);
    expect(strict.chosen).toMatchObject({ recall: 0.25, nearMissPerHour: 0, realPerHour: 0 });
  });
});

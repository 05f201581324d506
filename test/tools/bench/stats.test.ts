import { meanCi95, median } from '../../../tools/bench/stats.js';

/** The benchmarks' small statistics (tools/bench/stats.ts). */

test('meanCi95: the mean and the Student-t half-width of its 95 % interval', () => {
  // n = 4: s = sqrt(((1-2.5)^2 + (2-2.5)^2 + (3-2.5)^2 + (4-2.5)^2) / 3) = 1.2910; t(3) = 3.182; half = 3.182 * 1.2910 / 2
  const ci = meanCi95([1, 2, 3, 4]);
  expect(ci?.mean).toBeCloseTo(2.5, 10);
  expect(ci?.half).toBeCloseTo((3.182 * Math.sqrt(5 / 3)) / 2, 6);
  expect(meanCi95([5, 5, 5])).toEqual({ mean: 5, half: 0 });
  expect(meanCi95([7])).toBeNull();
  // beyond the table (df > 30) the normal quantile
  const many = Array.from({ length: 40 }, (_, i) => i % 2);
  expect(meanCi95(many)?.half).toBeCloseTo(1.96 * Math.sqrt(10 / 39 / 40), 6); // variance 10/39
});

test('median of an even and an odd count', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([])).toBeNull();
});

import type { Rng } from '../bench/fuzz-rng.js';

/** Fisher-Yates in place with a seeded source: the same seed gives the same order. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/** A seeded sample of `n` items (all of them, shuffled, when there are fewer). */
export function sample<T>(items: readonly T[], n: number, rng: Rng): T[] {
  return shuffleInPlace([...items], rng).slice(0, n);
}

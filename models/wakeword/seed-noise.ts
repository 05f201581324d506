/**
 * openWakeWord seeds its embedding history with the embeddings of ~4 s of low-level random noise
 * (numpy randint(-1000, 1000)). echosim uses a seeded PRNG (mulberry32) so runs are reproducible.
 */
export const SEED_NOISE_SAMPLES = 4 * 16_000;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integers uniform in [-1000, 1000). */
export function seedNoise(seed = 1, samples = SEED_NOISE_SAMPLES): Int16Array {
  const rand = mulberry32(seed);
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.floor(rand() * 2000) - 1000;
  return out;
}

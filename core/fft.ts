/**
 * An in-place radix-2 complex FFT on split re/im `Float64Array`s.
 *
 * Direction finding (firmware/audio/doa) runs an FFT per channel for every 32 ms sub-frame (a new one every 16 ms), so
 * everything that depends only on the size (twiddle factors, the bit-reversal permutation) is computed
 * once in the constructor and a transform allocates nothing. Sizes are powers of two; the DOA code zero-pads to one.
 *
 * Conventions: `forward` computes X[k] = sum_n x[n] e^{-2 pi i k n / N} (no scaling) and `inverse`
 * computes x[n] = (1/N) sum_k X[k] e^{+2 pi i k n / N}, so `inverse(forward(x)) === x` up to rounding.
 */
export class Fft {
  readonly size: number;
  /** cos(2 pi k / N) and sin(2 pi k / N) for k < N/2. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Pairs (i, j), i < j, to swap for the bit-reversal permutation, flattened. */
  private readonly swaps: Uint32Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0 || size > 1 << 24) {
      throw new RangeError(`FFT size must be a power of two between 1 and 2^24, got ${size}`);
    }
    this.size = size;
    const half = size >>> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      // Math.cos/sin of the exact angle per entry (not a recurrence), so large sizes keep full precision.
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    const bits = Math.log2(size);
    const swaps: number[] = [];
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>>= 1) r = (r << 1) | (v & 1);
      if (i < r) swaps.push(i, r);
    }
    this.swaps = Uint32Array.from(swaps);
  }

  /** Forward transform of (re, im) in place. Both arrays must have exactly `size` elements. */
  forward(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, -1);
  }

  /** Inverse transform of (re, im) in place, scaled by 1/N. */
  inverse(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1);
    const scale = 1 / this.size;
    for (let i = 0; i < this.size; i++) {
      re[i]! *= scale;
      im[i]! *= scale;
    }
  }

  /** Iterative decimation-in-time Cooley-Tukey; `sign` is the sign of the exponent. */
  private transform(re: Float64Array, im: Float64Array, sign: 1 | -1): void {
    const n = this.size;
    if (re.length !== n || im.length !== n) {
      throw new RangeError(`FFT of size ${n} given arrays of ${re.length} (re) and ${im.length} (im)`);
    }
    const swaps = this.swaps;
    for (let s = 0; s < swaps.length; s += 2) {
      const i = swaps[s]!;
      const j = swaps[s + 1]!;
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
    const cos = this.cos;
    const sin = this.sin;
    for (let len = 2; len <= n; len <<= 1) {
      const halfLen = len >>> 1;
      const stride = n / len; // twiddle index step for this stage
      for (let start = 0; start < n; start += len) {
        for (let k = 0, t = 0; k < halfLen; k++, t += stride) {
          const wr = cos[t]!;
          const wi = sign * sin[t]!;
          const a = start + k;
          const b = a + halfLen;
          const br = re[b]!;
          const bi = im[b]!;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[a] = ar + xr;
          im[a] = ai + xi;
          re[b] = ar - xr;
          im[b] = ai - xi;
        }
      }
    }
  }
}

/** The smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  if (!(n >= 1)) throw new RangeError(`nextPowerOfTwo needs n >= 1, got ${n}`);
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

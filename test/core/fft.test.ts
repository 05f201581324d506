import { Fft, nextPowerOfTwo } from '../../core/fft.js';

/** Seeded uniform values in [-1, 1). */
function random(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** The textbook O(N^2) DFT, X[k] = sum_n x[n] e^{-2 pi i k n / N}. */
function naiveDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * ((k * t) % n)) / n;
      outRe[k]! += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      outIm[k]! += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
  }
  return { re: outRe, im: outIm };
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('Fft', () => {
  it.each([1, 2, 4, 8, 16, 64, 256, 1024])('forward matches a naive DFT for N = %i (complex input)', (n) => {
    const re = random(n, n);
    const im = random(n, n + 1000);
    const want = naiveDft(re, im);
    new Fft(n).forward(re, im);
    expect(maxAbsDiff(re, want.re)).toBeLessThan(1e-9 * Math.max(1, n));
    expect(maxAbsDiff(im, want.im)).toBeLessThan(1e-9 * Math.max(1, n));
  });

  it('a unit impulse at n0 transforms to e^{-2 pi i k n0 / N}', () => {
    const n = 32;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    re[3] = 1;
    new Fft(n).forward(re, im);
    for (let k = 0; k < n; k++) {
      expect(re[k]).toBeCloseTo(Math.cos((-2 * Math.PI * k * 3) / n), 12);
      expect(im[k]).toBeCloseTo(Math.sin((-2 * Math.PI * k * 3) / n), 12);
    }
  });

  it('inverse undoes forward (scaled by 1/N), and one instance can be reused', () => {
    const fft = new Fft(512);
    for (const seed of [1, 2, 3]) {
      const re0 = random(512, seed);
      const im0 = random(512, seed + 7);
      const re = re0.slice();
      const im = im0.slice();
      fft.forward(re, im);
      fft.inverse(re, im);
      expect(maxAbsDiff(re, re0)).toBeLessThan(1e-12);
      expect(maxAbsDiff(im, im0)).toBeLessThan(1e-12);
    }
  });

  it('inverse matches the conjugate DFT divided by N', () => {
    const n = 64;
    const re = random(n, 11);
    const im = random(n, 12);
    // inverse(X) = conj(DFT(conj(X))) / N
    const want = naiveDft(re, im.map((v) => -v));
    new Fft(n).inverse(re, im);
    for (let k = 0; k < n; k++) {
      expect(re[k]).toBeCloseTo(want.re[k]! / n, 10);
      expect(im[k]).toBeCloseTo(-want.im[k]! / n, 10);
    }
  });

  it('rejects sizes that are not powers of two and arrays of the wrong length', () => {
    for (const bad of [0, 3, 12, 1000, 2.5, -4]) expect(() => new Fft(bad)).toThrow(RangeError);
    const fft = new Fft(8);
    expect(() => fft.forward(new Float64Array(8), new Float64Array(4))).toThrow(/size 8/);
    expect(() => fft.inverse(new Float64Array(16), new Float64Array(16))).toThrow(RangeError);
  });

  it('nextPowerOfTwo', () => {
    expect([1, 2, 3, 512, 513, 1024].map(nextPowerOfTwo)).toEqual([1, 2, 4, 512, 1024, 1024]);
  });
});

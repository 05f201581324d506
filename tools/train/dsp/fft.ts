/**
 * In-place iterative radix-2 FFT over separate real and imaginary arrays (length a power of two);
 * `inverse` computes the unscaled inverse transform.
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new RangeError(`FFT length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < n; start += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = start + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
}

/**
 * Linear convolution of `x` with `h` through the FFT, cut to `x.length` samples (h[0] aligns with
 * x[0]). Both real signals go through one complex transform (x as the real part, h as the
 * imaginary part) and are told apart by the transform's symmetry: two transforms instead of three.
 */
export function convolve(x: Float32Array, h: Float32Array): Float32Array {
  let n = 1;
  while (n < x.length + h.length - 1) n <<= 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  re.set(x);
  im.set(h);
  fft(re, im);
  // Z = X + iH; X[k] = (Z[k] + conj Z[n-k]) / 2, H[k] = (Z[k] - conj Z[n-k]) / 2i; Y = X H.
  const yr = new Float64Array(n);
  const yi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const j = (n - k) & (n - 1);
    const xr = (re[k]! + re[j]!) / 2;
    const xi = (im[k]! - im[j]!) / 2;
    const hr = (im[k]! + im[j]!) / 2;
    const hi = -(re[k]! - re[j]!) / 2;
    yr[k] = xr * hr - xi * hi;
    yi[k] = xr * hi + xi * hr;
  }
  fft(yr, yi, true);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = yr[i]! / n;
  return out;
}

import { Fft, nextPowerOfTwo } from '../../../core/fft.js';

/**
 * GCC-PHAT (generalised cross-correlation with phase transform) for every microphone pair, the
 * building block of the SRP-PHAT direction finder in doa-estimator.ts.
 *
 * Per sub-frame (default 512 samples = 32 ms, Hann window, hop 256), each channel is zero-padded to
 * twice its length and transformed; for each pair (i, j) the cross-spectrum X_i conj(X_j) is whitened
 * to unit magnitude (PHAT: only the phase, i.e. the delay, is kept, so loud low vowels do not dominate
 * and reverberation-like spectral colouring matters less) and *summed* into a `CrossSpectrumSum`.
 * Because the steered response is linear in those sums, summing first and evaluating once at the end
 * is exactly the same as evaluating every sub-frame and adding the responses, and far cheaper: the
 * per-frame work is the FFTs plus one complex multiply-add per pair and bin, with no allocation.
 *
 * Evaluation: the averaged GCC of a pair at a fractional lag l (samples) is
 *   r(l) = 1/(F K) sum_f sum_k Re(G_f(k) e^{-i w_k l}),  w_k = 2 pi k / fftSize,
 * computed directly in the frequency domain on a fine lag grid (1/8 sample by default) from a
 * precomputed cos/sin table. At 16 kHz a 64 mm pair spans only +-3 samples, so integer-lag
 * correlation (a plain inverse FFT) would be far too coarse; evaluating at fractional lags gives the
 * sub-sample resolution without an 8x upsampled inverse FFT. r is 1 at the true delay for a perfectly
 * coherent source and averages 0 for uncorrelated noise.
 */
export interface GccPhatOptions {
  readonly channels: number;
  /** Microphone pairs (i, j), each a cross-correlation of channel i against channel j. */
  readonly pairs: ReadonlyArray<readonly [number, number]>;
  readonly sampleRate: number;
  /** Sub-frame length in samples. */
  readonly frameSize: number;
  /** Band used, Hz: below it small arrays have no resolution, above it speech has little energy. */
  readonly minHz: number;
  readonly maxHz: number;
  /** The largest |lag| (samples) that will be asked for; sets the extent of the lag table. */
  readonly maxLagSamples: number;
  /** Lag table resolution in samples. */
  readonly lagStep: number;
  /** Sub-frames whose RMS (over all channels, int16 units) is below this are skipped. */
  readonly minRms: number;
}

/** Per-pair sums of whitened cross-spectra over the sub-frames added so far. */
export class CrossSpectrumSum {
  /** `pair * bins + k`, k over the analysis band. */
  readonly re: Float64Array;
  readonly im: Float64Array;
  /** Sub-frames summed (those that passed the level gate). */
  frames = 0;

  constructor(pairs: number, bins: number) {
    this.re = new Float64Array(pairs * bins);
    this.im = new Float64Array(pairs * bins);
  }

  reset(): void {
    this.re.fill(0);
    this.im.fill(0);
    this.frames = 0;
  }
}

/** Blocks shorter than this many samples carry too little to correlate and are ignored. */
export const MIN_BLOCK_SAMPLES = 64;

export class GccPhat {
  readonly channels: number;
  readonly pairs: ReadonlyArray<readonly [number, number]>;
  readonly frameSize: number;
  readonly hop: number;
  readonly fftSize: number;
  /** First FFT bin of the band and the number of bins in it. */
  readonly binLo: number;
  readonly bins: number;
  /** Lag grid: lag(m) = lag0 + m * lagStep for m < lagCount; lag index `zeroLagIndex` is lag 0. */
  readonly lag0: number;
  readonly lagStep: number;
  readonly lagCount: number;
  readonly zeroLagIndex: number;
  private readonly minRms: number;
  private readonly fft: Fft;
  private readonly window: Float64Array;
  /** Scratch: a Hann window for blocks shorter than a sub-frame. */
  private readonly shortWindow: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Band spectra of every channel for the current sub-frame: `channel * bins + k`. */
  private readonly specRe: Float64Array;
  private readonly specIm: Float64Array;
  /** cos/sin(w_k * lag(m)) at `m * bins + k`. */
  private readonly lagCos: Float64Array;
  private readonly lagSin: Float64Array;
  /** The block being added (one of the two), held only for the duration of an add call. */
  private planar: ReadonlyArray<Int16Array> | undefined;
  private interleaved: Int16Array | undefined;

  constructor(o: GccPhatOptions) {
    if (!Number.isInteger(o.frameSize) || o.frameSize < MIN_BLOCK_SAMPLES || (o.frameSize & 1) !== 0) {
      throw new RangeError(`frameSize must be an even integer >= ${MIN_BLOCK_SAMPLES}, got ${o.frameSize}`);
    }
    if (!(o.minHz >= 0 && o.maxHz > o.minHz)) throw new RangeError(`band ${o.minHz}..${o.maxHz} Hz is empty`);
    if (!(o.lagStep > 0) || !(o.maxLagSamples >= 0)) throw new RangeError('lagStep must be > 0 and maxLagSamples >= 0');
    this.channels = o.channels;
    this.pairs = o.pairs;
    this.frameSize = o.frameSize;
    this.hop = o.frameSize / 2;
    this.fftSize = nextPowerOfTwo(2 * o.frameSize); // zero-padded: linear, not circular, correlation
    this.minRms = o.minRms;
    const binHz = o.sampleRate / this.fftSize;
    this.binLo = Math.max(1, Math.ceil(o.minHz / binHz));
    const binHi = Math.min(this.fftSize / 2 - 1, Math.floor(o.maxHz / binHz));
    if (binHi < this.binLo) throw new RangeError(`band ${o.minHz}..${o.maxHz} Hz holds no FFT bin at ${o.sampleRate} Hz`);
    this.bins = binHi - this.binLo + 1;

    this.fft = new Fft(this.fftSize);
    this.window = hann(new Float64Array(this.frameSize), this.frameSize);
    this.shortWindow = new Float64Array(this.frameSize);
    this.re = new Float64Array(this.fftSize);
    this.im = new Float64Array(this.fftSize);
    this.specRe = new Float64Array(o.channels * this.bins);
    this.specIm = new Float64Array(o.channels * this.bins);

    // One extra step each side so interpolation at +-maxLag always has both neighbours.
    const half = Math.ceil(o.maxLagSamples / o.lagStep) + 1;
    this.lagStep = o.lagStep;
    this.lag0 = -half * o.lagStep;
    this.lagCount = 2 * half + 1;
    this.zeroLagIndex = half;
    this.lagCos = new Float64Array(this.lagCount * this.bins);
    this.lagSin = new Float64Array(this.lagCount * this.bins);
    for (let m = 0; m < this.lagCount; m++) {
      const lag = (m - half) * o.lagStep;
      for (let k = 0; k < this.bins; k++) {
        const phase = ((2 * Math.PI * (this.binLo + k)) / this.fftSize) * lag;
        this.lagCos[m * this.bins + k] = Math.cos(phase);
        this.lagSin[m * this.bins + k] = Math.sin(phase);
      }
    }
  }

  createSum(): CrossSpectrumSum {
    return new CrossSpectrumSum(this.pairs.length, this.bins);
  }

  /** Adds a block given as one array per channel (equal lengths). Returns the sub-frames that passed the gate. */
  addPlanar(channels: ReadonlyArray<Int16Array>, sum: CrossSpectrumSum): number {
    let length = Number.POSITIVE_INFINITY;
    for (let c = 0; c < this.channels; c++) length = Math.min(length, channels[c]!.length);
    this.planar = channels;
    try {
      return this.addBlock(length, sum);
    } finally {
      this.planar = undefined;
    }
  }

  /** Adds a block of interleaved samples (`channels` per sample frame, as in a `MicFrame`). */
  addInterleaved(samples: Int16Array, sum: CrossSpectrumSum): number {
    this.interleaved = samples;
    try {
      return this.addBlock(Math.floor(samples.length / this.channels), sum);
    } finally {
      this.interleaved = undefined;
    }
  }

  /**
   * Writes the averaged GCC-PHAT of `pair` at lag indices `first .. first + count - 1` into
   * `out[outOffset ..]`. Zero when nothing has been summed.
   */
  correlate(sum: CrossSpectrumSum, pair: number, first: number, count: number, out: Float64Array, outOffset = 0): void {
    const K = this.bins;
    const norm = sum.frames > 0 ? 1 / (sum.frames * K) : 0;
    const base = pair * K;
    const { re, im } = sum;
    for (let i = 0; i < count; i++) {
      const row = (first + i) * K;
      let acc = 0;
      for (let k = 0; k < K; k++) acc += re[base + k]! * this.lagCos[row + k]! + im[base + k]! * this.lagSin[row + k]!;
      out[outOffset + i] = acc * norm;
    }
  }

  /** The lag (samples) of lag index m. */
  lagAt(m: number): number {
    return this.lag0 + m * this.lagStep;
  }

  /**
   * Splits a block into 50%-overlapping sub-frames (the last one aligned to the block's end so no
   * tail is lost); a block shorter than a sub-frame is one sub-frame with a window of its own length.
   */
  private addBlock(length: number, sum: CrossSpectrumSum): number {
    if (length < MIN_BLOCK_SAMPLES) return 0;
    const n = Math.min(length, this.frameSize);
    const window = n === this.frameSize ? this.window : hann(this.shortWindow, n);
    let used = 0;
    let lastStart = -1;
    for (let start = 0; ; start += this.hop) {
      const s = Math.min(start, length - n);
      if (s <= lastStart) break;
      lastStart = s;
      let energy = 0;
      for (let c = 0; c < this.channels; c++) energy += this.loadChannel(c, s, n, window);
      if (Math.sqrt(energy / (this.channels * n)) >= this.minRms) {
        this.accumulatePairs(sum);
        sum.frames++;
        used++;
      }
      if (s + n >= length) break;
    }
    return used;
  }

  /** Channel c of the block being added, from sample `start` (the block is planar or interleaved). */
  private loadChannel(c: number, start: number, n: number, window: Float64Array): number {
    if (this.planar) return this.load(this.planar[c]!, start, 1, n, window, c);
    return this.load(this.interleaved!, start * this.channels + c, this.channels, n, window, c);
  }

  /**
   * Windows `n` samples of one channel (from `offset`, every `stride`-th), zero-pads, transforms and
   * keeps the band bins. Returns the channel's raw energy (sum of squares) for the level gate.
   * (Two real channels could share one complex FFT; that would save about a third of the per-frame
   * cost, which is already under 1% of a core for four channels, so the simpler form stays.)
   */
  private load(src: Int16Array, offset: number, stride: number, n: number, window: Float64Array, c: number): number {
    const re = this.re;
    const im = this.im;
    let energy = 0;
    for (let i = 0, p = offset; i < n; i++, p += stride) {
      const v = src[p]!;
      energy += v * v;
      re[i] = v * window[i]!;
    }
    re.fill(0, n);
    im.fill(0);
    this.fft.forward(re, im);
    const K = this.bins;
    const dst = c * K;
    for (let k = 0; k < K; k++) {
      this.specRe[dst + k] = re[this.binLo + k]!;
      this.specIm[dst + k] = im[this.binLo + k]!;
    }
    return energy;
  }

  /** sum += X_i conj(X_j) / |X_i conj(X_j)| for every pair and band bin. */
  private accumulatePairs(sum: CrossSpectrumSum): void {
    const K = this.bins;
    const sr = this.specRe;
    const si = this.specIm;
    for (let p = 0; p < this.pairs.length; p++) {
      const [i, j] = this.pairs[p]!;
      const a = i * K;
      const b = j * K;
      const o = p * K;
      for (let k = 0; k < K; k++) {
        const ar = sr[a + k]!;
        const ai = si[a + k]!;
        const br = sr[b + k]!;
        const bi = si[b + k]!;
        const gr = ar * br + ai * bi;
        const gi = ai * br - ar * bi;
        const mag = Math.sqrt(gr * gr + gi * gi);
        if (mag > 1e-20) {
          sum.re[o + k]! += gr / mag;
          sum.im[o + k]! += gi / mag;
        }
      }
    }
  }
}

/** Fills `out[0..n)` with a periodic Hann window of length n and returns `out`. */
function hann(out: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) out[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return out;
}

import { EchosimError } from '../../core/errors.js';
import { gaussian } from './synthetic-source.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * A simulated talker standing at a fixed azimuth around the microphone array: turns a mono signal
 * (the talker's voice) into what each mic of the array hears from a far-field plane wave.
 *
 * Angle convention (the whole device): degrees counter-clockwise seen from above, 0 = the direction of
 * mic 0. A talker at azimuth t sends a wave from u = (cos t, sin t); a mic at p hears it (p . u) / c
 * seconds EARLIER than the array centre. A mic can therefore hear the talker before the centre does,
 * which a causal filter cannot do, so the whole array hears the voice `latencySamples` late: channel
 * i at sample n is the voice at n - latency + fs (p_i . u) / c. The latency is about 2 ms (the filter's
 * half-length plus the array radius), as if the talker stood 70 cm further away.
 *
 * Each mic's fractional-sample delay is a windowed-sinc FIR (64 taps, Blackman window, cut-off at 95%
 * of Nyquist, unity gain at DC): at 16 kHz the lags between mics of a Dot are only about 1-3 samples,
 * so rounding to whole samples would destroy exactly what direction finding measures.
 */
export interface TalkerOptions {
  /** Default 16000. */
  readonly sampleRate?: number;
  /** RMS (int16 units) of independent Gaussian noise added to every channel, like a real room. Default 0. */
  readonly noiseRms?: number;
  /** Seed of the noise generator; the same seed gives the same noise. Default 1. */
  readonly seed?: number;
  /** m/s, default 343. */
  readonly speedOfSound?: number;
}

export interface MicPoint {
  readonly x: number;
  readonly y: number;
}

/** Half-length of the fractional-delay filter; the filter has 2 * HALF_TAPS taps. */
const HALF_TAPS = 32;
const TAPS = 2 * HALF_TAPS;
/** Cut-off as a fraction of Nyquist: a fractional delay is ill-defined at Nyquist itself. */
const CUTOFF = 0.95;

/**
 * A streaming spatializer: feed consecutive blocks of the mono voice, get the interleaved array signal.
 * The output of a whole signal does not depend on how it is split into blocks.
 */
export class TalkerFilter {
  readonly channels: number;
  /** Delay (samples) from the mono input to the array centre. */
  readonly latencySamples: number;
  /** Channel c at sample n = sum_t taps[c*TAPS + t] * x[n - start[c] - t]. */
  private readonly taps: Float64Array;
  private readonly start: Int32Array;
  /** Input samples kept from earlier blocks (the FIR's reach into the past). */
  private readonly lookback: number;
  private work = new Float64Array(0);
  private readonly noiseRms: number;
  private readonly noise: () => number;

  constructor(positions: ReadonlyArray<MicPoint>, azimuthDeg: number, options: TalkerOptions = {}) {
    if (positions.length < 1) throw new RangeError('a talker needs at least one microphone position');
    if (!Number.isFinite(azimuthDeg)) {
      throw new EchosimError('CLI_ARGUMENT_INVALID', `talker angle ${azimuthDeg} is not a number of degrees`, {
        hint: 'give the azimuth in degrees counter-clockwise from mic 0, e.g. --talker-angle 90',
      });
    }
    const noiseRms = options.noiseRms ?? 0;
    if (!(noiseRms >= 0 && Number.isFinite(noiseRms))) throw new RangeError(`noiseRms must be >= 0, got ${noiseRms}`);
    const fs = options.sampleRate ?? SAMPLE_RATE;
    const c = options.speedOfSound ?? 343;
    const theta = (azimuthDeg * Math.PI) / 180;
    const advances = positions.map((p) => {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new RangeError(`mic position (${p.x}, ${p.y}) is not finite`);
      return (fs * (p.x * Math.cos(theta) + p.y * Math.sin(theta))) / c;
    });
    const maxAdvance = Math.max(0, ...advances.map(Math.abs));
    this.channels = positions.length;
    this.latencySamples = HALF_TAPS + Math.ceil(maxAdvance);
    this.taps = new Float64Array(this.channels * TAPS);
    this.start = new Int32Array(this.channels);
    for (let ch = 0; ch < this.channels; ch++) {
      const delay = this.latencySamples - advances[ch]!; // >= HALF_TAPS
      const whole = Math.floor(delay);
      this.start[ch] = whole - HALF_TAPS + 1;
      fractionalDelayTaps(delay - whole, this.taps.subarray(ch * TAPS, (ch + 1) * TAPS));
    }
    this.lookback = Math.max(...this.start) + TAPS - 1;
    this.work = new Float64Array(this.lookback);
    this.noiseRms = noiseRms;
    this.noise = gaussian(options.seed ?? 1);
  }

  /** Spatializes the next block of the voice: returns `mono.length * channels` interleaved samples. */
  process(mono: ArrayLike<number>): Int16Array {
    const n = mono.length;
    const L = this.lookback;
    const C = this.channels;
    if (this.work.length < L + n) {
      const grown = new Float64Array(L + n);
      grown.set(this.work.subarray(0, L));
      this.work = grown;
    }
    const x = this.work;
    for (let i = 0; i < n; i++) x[L + i] = mono[i]!;
    const out = new Int16Array(n * C);
    const taps = this.taps;
    const start = this.start;
    const noiseRms = this.noiseRms;
    for (let i = 0, k = 0; i < n; i++) {
      for (let ch = 0; ch < C; ch++, k++) {
        const h = ch * TAPS;
        let p = L + i - start[ch]!;
        let acc = 0;
        for (let t = 0; t < TAPS; t++, p--) acc += taps[h + t]! * x[p]!;
        if (noiseRms > 0) acc += noiseRms * this.noise();
        const r = Math.round(acc);
        out[k] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
      }
    }
    x.copyWithin(0, n, n + L); // keep the last L inputs for the next block
    return out;
  }

  /** Forgets the voice heard so far (e.g. across a gap in the input); the noise sequence continues. */
  reset(): void {
    this.work.fill(0);
  }
}

/**
 * What each mic of the array hears of `mono` from a talker at `azimuthDeg`: interleaved int16, one
 * channel per position, the same number of samples per channel as `mono`. Samples before the start
 * of `mono` count as silence.
 */
export function spatialize(
  mono: Int16Array,
  positions: ReadonlyArray<MicPoint>,
  azimuthDeg: number,
  options: TalkerOptions = {},
): Int16Array {
  return new TalkerFilter(positions, azimuthDeg, options).process(mono);
}

/**
 * Fills `out` (2 * HALF_TAPS taps) with a windowed-sinc filter delaying by HALF_TAPS - 1 + frac
 * samples, for 0 <= frac < 1: tap t sits at lag t - (HALF_TAPS - 1) - frac from the delay's centre.
 */
function fractionalDelayTaps(frac: number, out: Float64Array): void {
  let sum = 0;
  for (let t = 0; t < TAPS; t++) {
    const x = t - (HALF_TAPS - 1) - frac; // in (-HALF_TAPS, HALF_TAPS]
    const sinc = x === 0 ? CUTOFF : Math.sin(Math.PI * CUTOFF * x) / (Math.PI * x);
    const window = 0.42 + 0.5 * Math.cos((Math.PI * x) / HALF_TAPS) + 0.08 * Math.cos((2 * Math.PI * x) / HALF_TAPS);
    out[t] = sinc * window;
    sum += out[t]!;
  }
  for (let t = 0; t < TAPS; t++) out[t]! /= sum;
}

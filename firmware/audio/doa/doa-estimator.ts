import { EchosimError } from '../../../core/errors.js';
import type { MicFrame } from '../../../hal/mic/types.js';
import { type CrossSpectrumSum, GccPhat } from './gcc-phat.js';
import { buildSteering, idealResponseMeans, maxPairLag, micPairs, SPEED_OF_SOUND, type MicPosition, type Steering } from './steering.js';

/**
 * Direction of arrival of a talker from the microphone array, by SRP-PHAT: the steered response
 * power at candidate azimuth t is the mean over all mic pairs of the pair's GCC-PHAT at the lag a
 * talker at t would cause; the azimuth with the largest response wins. This is what points the cyan
 * segment of the LED ring at the talker while LISTENING.
 *
 * Typical use: a `DoaAccumulator` fed the multichannel audio of the wake word (e.g. successive 80 ms
 * frames from a `MultichannelHistory`), then `result()`; `estimate()` is the same for one block.
 * Angles follow the device convention (steering.ts): degrees counter-clockwise seen from above,
 * 0 = towards mic 0, in [0, 360).
 */
export interface DoaEstimate {
  readonly azimuthDeg: number;
  /**
   * 0..1: how far the peak of the steered response stands above its mean, relative to what a single
   * perfectly coherent talker at that azimuth would give (1). Measured on the demo utterance: clean
   * speech about 0.99; with independent noise on every mic 20 dB under the speech about 0.1-0.2 (PHAT
   * weighs every frequency alike, so the bands where the noise dominates dilute it); noise with no
   * talker under 0.05. The azimuth is usually right long before the confidence is high.
   */
  readonly confidence: number;
}

export interface DoaEstimatorOptions {
  /** Default 16000. */
  readonly sampleRate?: number;
  /** Spacing of the candidate azimuths, degrees; rounded so that it divides 360. Default 2. */
  readonly gridStepDeg?: number;
  /**
   * Sub-frames (32 ms) quieter than this RMS, in int16 units over all channels, are ignored, so a
   * silent room does not point anywhere. Default `DEFAULT_DOA_MIN_RMS` (about -60 dBFS, 10 dB over
   * the -70 dBFS floor of the synthetic and demo sources).
   */
  readonly minRms?: number;
  /** Sub-frame length in samples (Hann window, 50% overlap). Default 512 (32 ms). */
  readonly frameSize?: number;
  /** Analysis band, Hz. Default 200..7000. */
  readonly minHz?: number;
  readonly maxHz?: number;
  /** m/s, default 343. */
  readonly speedOfSound?: number;
}

/** About -60 dBFS: 32768 * 10^(-60/20) = 32.8. */
export const DEFAULT_DOA_MIN_RMS = 32;

/** GCC lag table resolution, samples: fine enough that linear interpolation loses < 1% of a peak. */
const LAG_STEP = 1 / 8;

export class DoaEstimator {
  /** Microphones (channels) the estimator expects, in the device model's mic order. */
  readonly micCount: number;
  /** The candidate azimuth spacing actually used, degrees. */
  readonly gridStepDeg: number;
  readonly sampleRate: number;
  /** The GCC engine; undefined when the array has fewer than two distinct mic positions. */
  readonly gcc: GccPhat | undefined;
  readonly pairCount: number;
  private readonly steering: Steering | undefined;
  private readonly idealMeans: Float64Array;
  /** Largest per-pair lag span, to size evaluation scratch. */
  readonly maxSpan: number;
  private single: DoaAccumulator | undefined;

  constructor(positions: ReadonlyArray<MicPosition>, options: DoaEstimatorOptions = {}) {
    for (const p of positions) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new RangeError(`mic position (${p.x}, ${p.y}) is not finite`);
    }
    const step = options.gridStepDeg ?? 2;
    if (!(step > 0 && step <= 90)) throw new RangeError(`gridStepDeg must be in (0, 90], got ${step}`);
    const azimuthCount = Math.round(360 / step);
    this.micCount = positions.length;
    this.gridStepDeg = 360 / azimuthCount;
    this.sampleRate = options.sampleRate ?? 16_000;
    const speed = options.speedOfSound ?? SPEED_OF_SOUND;
    const pairs = micPairs(positions);
    this.pairCount = pairs.length;
    if (pairs.length === 0) {
      this.gcc = undefined;
      this.steering = undefined;
      this.idealMeans = new Float64Array(0);
      this.maxSpan = 0;
      return;
    }
    const gcc = new GccPhat({
      channels: positions.length,
      pairs,
      sampleRate: this.sampleRate,
      frameSize: options.frameSize ?? 512,
      minHz: options.minHz ?? 200,
      maxHz: Math.min(options.maxHz ?? 7000, this.sampleRate / 2),
      maxLagSamples: maxPairLag(positions, pairs, this.sampleRate, speed),
      lagStep: LAG_STEP,
      minRms: options.minRms ?? DEFAULT_DOA_MIN_RMS,
    });
    this.gcc = gcc;
    this.steering = buildSteering(positions, pairs, azimuthCount, gcc, this.sampleRate, speed);
    const omegas = Float64Array.from({ length: gcc.bins }, (_, k) => (2 * Math.PI * (gcc.binLo + k)) / gcc.fftSize);
    this.idealMeans = idealResponseMeans(this.steering, pairs.length, omegas, LAG_STEP);
    this.maxSpan = Math.max(...this.steering.span);
  }

  /** Number of candidate azimuths. */
  get azimuthCount(): number {
    return this.steering?.azimuthCount ?? Math.round(360 / this.gridStepDeg);
  }

  /**
   * The direction of one block (one array per channel, equal lengths; at least one 32 ms sub-frame
   * is best). Undefined for fewer than two channels, when the block is too quiet, or when the sound
   * comes from high above the array (see `DoaAccumulator.result`).
   */
  estimate(channels: ReadonlyArray<Int16Array>): DoaEstimate | undefined {
    const acc = (this.single ??= new DoaAccumulator(this));
    acc.reset();
    acc.add(channels);
    return acc.result();
  }

  /** `estimate` of one interleaved frame, as a `MicSource` delivers it. */
  estimateFrame(frame: MicFrame): DoaEstimate | undefined {
    const acc = (this.single ??= new DoaAccumulator(this));
    acc.reset();
    acc.addFrame(frame);
    return acc.result();
  }

  /**
   * Picks the peak of the steered response of `sum` (the internals of `DoaAccumulator.result`).
   * `srp` (azimuthCount) and `r` (maxSpan) are caller-owned scratch so this allocates nothing but
   * the returned estimate.
   * @internal
   */
  evaluate(sum: CrossSpectrumSum, srp: Float64Array, r: Float64Array): DoaEstimate | undefined {
    const gcc = this.gcc;
    const st = this.steering;
    if (!gcc || !st || sum.frames === 0) return undefined;
    const A = st.azimuthCount;
    const P = this.pairCount;
    srp.fill(0, 0, A);
    let zenith = 0;
    for (let p = 0; p < P; p++) {
      const lo = st.lo[p]!;
      gcc.correlate(sum, p, lo, st.span[p]!, r);
      zenith += r[gcc.zeroLagIndex - lo]!;
      for (let a = 0, o = p * A; a < A; a++, o++) {
        const b = st.base[o]!;
        const r0 = r[b]!;
        srp[a]! += r0 + st.frac[o]! * (r[b + 1]! - r0);
      }
    }
    let best = 0;
    let mean = 0;
    for (let a = 0; a < A; a++) {
      srp[a]! /= P;
      mean += srp[a]!;
      if (srp[a]! > srp[best]!) best = a;
    }
    mean /= A;
    zenith /= P;
    const peak = srp[best]!;
    // Every pair agreeing on lag 0 beats every horizontal direction: the sound comes from more than
    // about 60 degrees above the horizon, or all channels carry the same signal (a mono file copied
    // to the array). Either way there is no azimuth to point at.
    if (zenith >= peak) return undefined;
    // Parabolic interpolation between the peak's neighbours refines the angle below the grid step.
    const ym = srp[(best + A - 1) % A]!;
    const yp = srp[(best + 1) % A]!;
    const curvature = ym - 2 * peak + yp;
    const shift = curvature < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (ym - yp)) / curvature)) : 0;
    let azimuthDeg = ((best + shift) * this.gridStepDeg) % 360;
    if (azimuthDeg < 0) azimuthDeg += 360;
    const ideal = 1 - this.idealMeans[best]!;
    const confidence = ideal > 0 ? Math.max(0, Math.min(1, (peak - mean) / ideal)) : 0;
    return { azimuthDeg, confidence };
  }
}

/**
 * Sums several blocks (e.g. the 80 ms frames of a wake word) into one steered response before
 * picking its peak: far steadier than averaging per-frame angles, because every sub-frame's phase
 * evidence is combined before the (non-linear) peak pick. Reusable via `reset()`; `add` allocates
 * nothing.
 */
export class DoaAccumulator {
  private readonly estimator: DoaEstimator;
  private readonly sum: CrossSpectrumSum | undefined;
  private readonly srp: Float64Array;
  private readonly r: Float64Array;

  constructor(estimator: DoaEstimator) {
    this.estimator = estimator;
    this.sum = estimator.gcc?.createSum();
    this.srp = new Float64Array(estimator.azimuthCount);
    this.r = new Float64Array(estimator.maxSpan);
  }

  /** Sub-frames summed so far (those loud enough). */
  get frames(): number {
    return this.sum?.frames ?? 0;
  }

  /**
   * Adds one block, one `Int16Array` per channel in the device model's mic order. Fewer than two
   * channels add nothing. Returns the number of 32 ms sub-frames that were loud enough to count.
   */
  add(channels: ReadonlyArray<Int16Array>): number {
    if (channels.length < 2 || !this.sum) return 0;
    this.checkChannels(channels.length);
    return this.estimator.gcc!.addPlanar(channels, this.sum);
  }

  /** Adds one interleaved frame (`MicFrame.samples`) without de-interleaving it first. */
  addFrame(frame: MicFrame): number {
    if (frame.channels < 2 || !this.sum) return 0;
    this.checkChannels(frame.channels);
    return this.estimator.gcc!.addInterleaved(frame.samples, this.sum);
  }

  /**
   * The azimuth of everything added since the last reset; undefined when nothing loud enough was
   * added, the array has fewer than two mics, or the sound comes from high above (or every channel
   * is identical, e.g. a mono recording copied to all mics).
   */
  result(): DoaEstimate | undefined {
    if (!this.sum) return undefined;
    return this.estimator.evaluate(this.sum, this.srp, this.r);
  }

  reset(): void {
    this.sum?.reset();
  }

  private checkChannels(n: number): void {
    if (n !== this.estimator.micCount) {
      throw new EchosimError('AUDIO_FORMAT_INVALID', `direction finding got ${n} channels for an array of ${this.estimator.micCount} mics`, {
        hint: `capture one channel per microphone of the device model, in its mic order (e.g. --channels ${this.estimator.micCount})`,
        details: { channels: n, mics: this.estimator.micCount },
      });
    }
  }
}

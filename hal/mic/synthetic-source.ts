import { SystemClock, type Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { BaseMicSource } from './base-source.js';
import { RealtimePacer } from './pacer.js';
import { DEFAULT_FRAME_SAMPLES, type MicFrame, type MicSourceInfo } from './types.js';
import { SAMPLE_RATE, dbfsToRms } from '../../core/audio-format.js';

export { dbfsToRms } from '../../core/audio-format.js';

export type SyntheticKind = 'silence' | 'tone' | 'noise';

/**
 * Levels are RMS relative to full scale: dBFS = 20 * log10(rms / 32768). A full-scale sine is
 * therefore -3.01 dBFS, and a -20 dBFS tone peaks at 0.1414 of full scale.
 */
export interface SyntheticSourceOptions {
  /** Default 'silence' (a noise floor only, as a real microphone hears an empty room). */
  readonly kind?: SyntheticKind;
  /** Tone frequency. Default 440 Hz. */
  readonly frequencyHz?: number;
  /** Level of the tone (default -20 dBFS) or of the white noise (default -30 dBFS). */
  readonly levelDbfs?: number;
  /**
   * Gaussian noise under silence and tone, independent per channel. Default -70 dBFS;
   * -Infinity gives pure digital silence (which the wake-word model never saw in training).
   */
  readonly noiseFloorDbfs?: number;
  /** Length in seconds; endless when omitted. */
  readonly durationSeconds?: number;
  /** Default 1. The tone is the same on every channel; noise differs per channel. */
  readonly channels?: number;
  /** PRNG seed: the same seed gives the same samples. Default 1. */
  readonly seed?: number;
  /** Deliver frames as fast as the consumer pulls them instead of in real time. Default false. */
  readonly fast?: boolean;
  readonly clock?: Clock;
  readonly frameSamples?: number;
}

export const DEFAULT_NOISE_FLOOR_DBFS = -70;

/** Synthetic microphone audio: a noise floor, a tone, or white noise; endless or of a set length. */
export class SyntheticSource extends BaseMicSource {
  readonly info: MicSourceInfo;
  private readonly kind: SyntheticKind;
  private readonly frequencyHz: number;
  private readonly signalRms: number;
  private readonly floorRms: number;
  private readonly totalSamples: number;
  private readonly seed: number;
  private readonly fast: boolean;
  private readonly clock: Clock;
  private readonly frameSamples: number;

  constructor(options: SyntheticSourceOptions = {}) {
    super();
    this.kind = options.kind ?? 'silence';
    const channels = options.channels ?? 1;
    this.frequencyHz = options.frequencyHz ?? 440;
    const level = options.levelDbfs ?? (this.kind === 'noise' ? -30 : -20);
    const floor = options.noiseFloorDbfs ?? DEFAULT_NOISE_FLOOR_DBFS;
    const bad = (what: string, hint: string): EchosimError => new EchosimError('MIC_SPEC_INVALID', `synthetic: ${what}`, { hint });
    if (!Number.isInteger(channels) || channels < 1) throw bad(`${channels} is not a channel count`, 'give at least 1 channel');
    if (!(this.frequencyHz > 0 && this.frequencyHz < SAMPLE_RATE / 2)) {
      throw bad(`a ${this.frequencyHz} Hz tone cannot be sampled at 16 kHz`, 'choose a frequency between 0 and 8000 Hz');
    }
    if (Number.isNaN(level) || level > 0) throw bad(`level ${level} dBFS`, 'levels are at most 0 dBFS, e.g. -20');
    if (Number.isNaN(floor) || floor > 0) throw bad(`noise floor ${floor} dBFS`, 'the noise floor is at most 0 dBFS, e.g. -70');
    const d = options.durationSeconds;
    if (d !== undefined && !(d >= 0 && Number.isFinite(d))) throw bad(`duration ${d} s`, 'give a duration of 0 s or more, or none');
    this.signalRms = this.kind === 'silence' ? 0 : dbfsToRms(level);
    this.floorRms = this.kind === 'noise' ? 0 : dbfsToRms(floor);
    this.totalSamples = d === undefined ? Number.POSITIVE_INFINITY : Math.round(d * SAMPLE_RATE);
    this.seed = options.seed ?? 1;
    this.fast = options.fast ?? false;
    this.clock = options.clock ?? new SystemClock();
    this.frameSamples = options.frameSamples ?? DEFAULT_FRAME_SAMPLES;
    const what = this.kind === 'tone' ? `tone:${this.frequencyHz}` : this.kind;
    this.info = { description: `synthetic:${what}`, channels, sampleRate: SAMPLE_RATE };
  }

  protected async *generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined> {
    const pacer = this.fast ? undefined : new RealtimePacer(this.clock, signal);
    pacer?.begin();
    const C = this.info.channels;
    const gauss = gaussian(this.seed);
    const amplitude = this.signalRms * Math.SQRT2;
    const step = this.frequencyHz / SAMPLE_RATE;
    let phase = 0;
    for (let index = 0; index < this.totalSamples && !signal.aborted; ) {
      const n = Math.min(this.frameSamples, this.totalSamples - index);
      const samples = new Int16Array(n * C);
      for (let i = 0, k = 0; i < n; i++) {
        let common = 0;
        if (this.kind === 'tone') {
          common = amplitude * Math.sin(2 * Math.PI * phase);
          phase += step;
          phase -= Math.floor(phase);
        }
        for (let c = 0; c < C; c++, k++) {
          let v = common;
          if (this.kind === 'noise') v += this.signalRms * gauss();
          else if (this.floorRms > 0) v += this.floorRms * gauss();
          const r = Math.round(v);
          samples[k] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
        }
      }
      if (pacer && !(await pacer.waitFor(index + n))) return;
      yield { index, samples, channels: C };
      index += n;
    }
  }
}


/** Standard normal deviates from a seeded mulberry32 generator (Box-Muller, both values used). */
export function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

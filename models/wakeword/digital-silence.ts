import { dbfsToRms } from '../../core/audio-format.js';
import { mulberry32 } from './seed-noise.js';

/**
 * openWakeWord was trained with background noise always present; exact digital zeros (a padded WAV,
 * a muted codec) are out of distribution and depress recall. Real microphones always have a floor,
 * so runs of exact zeros are replaced with white noise at that floor before featurisation. Audio
 * that is not digitally silent passes through untouched, so parity with the reference holds.
 */
export const DEFAULT_FLOOR_DBFS = -70;
/** Shortest run of exact zeros treated as digital silence (2 ms); real audio never has one. */
export const MIN_ZERO_RUN = 32;

export class DigitalSilenceGuard {
  private readonly rand: () => number;
  private readonly sigma: number;

  constructor(floorDbfs = DEFAULT_FLOOR_DBFS, seed = 0x5eed) {
    this.rand = mulberry32(seed);
    this.sigma = dbfsToRms(floorDbfs);
  }

  /** Fills runs of at least MIN_ZERO_RUN zeros in place; returns how many samples it filled. */
  apply(samples: Int16Array): number {
    let filled = 0;
    let i = 0;
    while (i < samples.length) {
      if (samples[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < samples.length && samples[j] === 0) j++;
      if (j - i >= MIN_ZERO_RUN) {
        for (let k = i; k < j; k++) samples[k] = this.gaussian();
        filled += j - i;
      }
      i = j;
    }
    return filled;
  }

  private gaussian(): number {
    // Box-Muller; clamp to int16 and avoid producing an exact zero run again.
    const u = Math.max(this.rand(), 1e-12);
    const v = this.rand();
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(-32768, Math.min(32767, Math.round(g * this.sigma)));
  }
}

/**
 * Device time driven by audio: sample index i is heard at `toMs(i)`. The AudioFeeder (audio-feeder.ts)
 * splits frames at the instants timers fall due with it, which is what makes "no sample captured after
 * the press reaches any reader" exact and runs deterministic.
 */
export interface AudioTimeline {
  /** Clock time (ms) at which sample `index` has been captured. */
  toMs(index: number): number;
  /** The first sample index captured at or after clock time `ms`. */
  toIndex(ms: number): number;
}

/** Sample `originIndex` is heard at clock time `originMs`, and time runs with the samples from there. */
export function audioTimeline(originMs: number, originIndex = 0, sampleRate = 16_000): AudioTimeline {
  return {
    toMs: (index) => originMs + ((index - originIndex) * 1000) / sampleRate,
    toIndex: (ms) => originIndex + Math.ceil(((ms - originMs) * sampleRate) / 1000),
  };
}

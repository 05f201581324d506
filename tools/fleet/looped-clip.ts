import { SystemClock, type Clock } from '../../core/clock.js';
import { BaseMicSource } from '../../hal/mic/base-source.js';
import { RealtimePacer } from '../../hal/mic/pacer.js';
import { DEFAULT_FRAME_SAMPLES, type MicFrame, type MicSourceInfo } from '../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * A fleet's microphone: one mono clip, decoded once for the whole fleet, heard in a loop at
 * real-time pace for `durationS`. Every listening device gets its own source over the same samples,
 * so a hundred devices do not decode the same file a hundred times.
 */
export class LoopedClipSource extends BaseMicSource {
  readonly info: MicSourceInfo;

  constructor(
    private readonly clip: Int16Array,
    private readonly durationS: number,
    private readonly clock: Clock = new SystemClock(),
    label = 'clip',
  ) {
    super();
    this.info = { description: `loop:${label}`, channels: 1, sampleRate: SAMPLE_RATE };
  }

  protected async *generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined> {
    const total = Math.round(this.durationS * SAMPLE_RATE);
    const pacer = new RealtimePacer(this.clock, signal);
    pacer.begin();
    for (let index = 0; index < total; index += DEFAULT_FRAME_SAMPLES) {
      const n = Math.min(DEFAULT_FRAME_SAMPLES, total - index);
      const samples = new Int16Array(n);
      // At most a few block copies per frame (the loop wraps inside it at most once for a clip longer than a frame).
      for (let filled = 0; filled < n; ) {
        const at = (index + filled) % this.clip.length;
        const take = Math.min(n - filled, this.clip.length - at);
        samples.set(this.clip.subarray(at, at + take), filled);
        filled += take;
      }
      if (!(await pacer.waitFor(index + n))) return;
      yield { index, samples, channels: 1 };
    }
  }
}

import { EchosimError } from '../../core/errors.js';
import { BaseMicSource } from './base-source.js';
import { TalkerFilter, type MicPoint, type TalkerOptions } from './talker.js';
import type { MicFrame, MicSource, MicSourceInfo } from './types.js';

export interface SpatialSourceOptions extends TalkerOptions {
  /** Which channel of the wrapped source is the talker's voice. Default 0. */
  readonly channel?: number;
}

/**
 * A talker at a fixed azimuth around the array (`echosim device --talker-angle DEG`): wraps a source
 * of the talker's voice (mono, or channel `channel` of any source) and yields one channel per mic
 * position, frames of the same size and indices as the wrapped source. The filter state carries
 * across frames, so the output equals `spatialize` of the whole voice (see talker.ts for the angle
 * convention and the ~2 ms latency every channel shares).
 *
 * A gap in the wrapped source's indices (a frame that starts later than the previous one ended) is
 * treated as silence longer than the filter: the filter forgets the earlier voice.
 */
export class SpatialSource extends BaseMicSource {
  readonly info: MicSourceInfo;
  readonly azimuthDeg: number;
  private readonly inner: MicSource;
  private readonly channel: number;
  private readonly filter: TalkerFilter;
  /** Scratch for the voice channel of an interleaved frame. */
  private voice = new Int16Array(0);

  constructor(inner: MicSource, positions: ReadonlyArray<MicPoint>, azimuthDeg: number, options: SpatialSourceOptions = {}) {
    super();
    const channel = options.channel ?? 0;
    if (!Number.isInteger(channel) || channel < 0 || channel >= inner.info.channels) {
      throw new EchosimError('MIC_SPEC_INVALID', `${inner.info.description} has no channel ${channel} to use as the talker's voice`, {
        hint: `choose a channel between 0 and ${inner.info.channels - 1}`,
      });
    }
    if (options.sampleRate !== undefined && options.sampleRate !== inner.info.sampleRate) {
      throw new EchosimError('AUDIO_FORMAT_INVALID', `the talker runs at ${options.sampleRate} Hz but ${inner.info.description} at ${inner.info.sampleRate} Hz`, {
        hint: 'leave sampleRate unset: the source rate is used',
      });
    }
    this.filter = new TalkerFilter(positions, azimuthDeg, { ...options, sampleRate: inner.info.sampleRate });
    this.inner = inner;
    this.channel = channel;
    this.azimuthDeg = ((azimuthDeg % 360) + 360) % 360;
    this.info = {
      description: `talker@${this.azimuthDeg}deg(${inner.info.description})`,
      channels: positions.length,
      sampleRate: inner.info.sampleRate,
    };
  }

  /** Delay (samples) from the wrapped voice to the array centre. */
  get latencySamples(): number {
    return this.filter.latencySamples;
  }

  protected async *generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined> {
    let expected: number | undefined;
    for await (const frame of this.inner.frames()) {
      if (signal.aborted) return;
      const n = Math.floor(frame.samples.length / frame.channels);
      if (expected !== undefined && frame.index !== expected) this.filter.reset();
      expected = frame.index + n;
      yield { index: frame.index, samples: this.filter.process(this.voiceOf(frame, n)), channels: this.info.channels };
    }
  }

  protected override onClose(): Promise<void> {
    return this.inner.close();
  }

  private voiceOf(frame: MicFrame, n: number): Int16Array {
    if (frame.channels === 1) return frame.samples;
    if (this.voice.length < n) this.voice = new Int16Array(n);
    for (let i = 0, p = this.channel; i < n; i++, p += frame.channels) this.voice[i] = frame.samples[p]!;
    return this.voice.subarray(0, n);
  }
}

import { DEFAULT_FRAME_SAMPLES, type MicFrame } from './types.js';

/**
 * Cuts a continuous stream of interleaved int16 samples into `MicFrame`s of `frameSamples` samples
 * per channel, stamping each with the absolute (per-channel) index of its first sample. Input may
 * arrive in any split: raw s16le bytes (odd byte counts carried over to the next chunk) or samples.
 * Every frame owns a fresh `Int16Array`, so consumers may keep it.
 */
export class FrameSlicer {
  readonly channels: number;
  readonly frameSamples: number;
  private pending: Int16Array;
  private filled = 0; // interleaved samples in `pending`
  private index: number;
  private oddByte = -1; // a byte waiting for its partner, or -1

  constructor(channels: number, frameSamples = DEFAULT_FRAME_SAMPLES, startIndex = 0) {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}`);
    if (!Number.isInteger(frameSamples) || frameSamples < 1) {
      throw new RangeError(`frameSamples must be a positive integer, got ${frameSamples}`);
    }
    this.channels = channels;
    this.frameSamples = frameSamples;
    this.index = startIndex;
    this.pending = new Int16Array(frameSamples * channels);
  }

  /** Index (per channel) of the next sample to be pushed. */
  get nextIndex(): number {
    return this.index + this.filled / this.channels;
  }

  /** True when a byte of an incomplete sample is being held back. */
  get hasOddByte(): boolean {
    return this.oddByte >= 0;
  }

  /** Appends interleaved samples (`length` of them from `offset`) and returns the frames completed. */
  pushSamples(samples: ArrayLike<number>, offset = 0, length = samples.length - offset): MicFrame[] {
    const out: MicFrame[] = [];
    const cap = this.pending.length;
    let i = offset;
    const end = offset + length;
    while (i < end) {
      const take = Math.min(cap - this.filled, end - i);
      if (samples instanceof Int16Array) {
        this.pending.set(samples.subarray(i, i + take), this.filled);
      } else {
        for (let k = 0; k < take; k++) this.pending[this.filled + k] = samples[i + k] ?? 0;
      }
      this.filled += take;
      i += take;
      if (this.filled === cap) out.push(this.emit());
    }
    return out;
  }

  /** Appends raw signed 16-bit little-endian bytes; a trailing odd byte waits for the next chunk. */
  pushBytes(chunk: Uint8Array): MicFrame[] {
    const out: MicFrame[] = [];
    const cap = this.pending.length;
    let i = 0;
    if (this.oddByte >= 0 && chunk.length > 0) {
      const lo = this.oddByte;
      const hi = chunk[0] ?? 0;
      this.oddByte = -1;
      i = 1;
      this.pending[this.filled++] = (hi << 8) | lo; // Int16Array storage wraps to signed
      if (this.filled === cap) out.push(this.emit());
    }
    for (; i + 1 < chunk.length; i += 2) {
      const lo = chunk[i] ?? 0;
      const hi = chunk[i + 1] ?? 0;
      this.pending[this.filled++] = (hi << 8) | lo; // Int16Array storage wraps to signed
      if (this.filled === cap) out.push(this.emit());
    }
    if (i < chunk.length) this.oddByte = chunk[i] ?? 0;
    return out;
  }

  /**
   * Returns the last, shorter frame (whole sample frames only) or undefined when nothing is pending.
   * Samples of an incomplete sample frame (fewer than `channels` samples) and a held odd byte are
   * dropped; `droppedSamples` on the result says how many.
   */
  flush(): { frame: MicFrame | undefined; droppedSamples: number; droppedOddByte: boolean } {
    const whole = this.filled - (this.filled % this.channels);
    const droppedSamples = this.filled - whole;
    const droppedOddByte = this.oddByte >= 0;
    this.oddByte = -1;
    let frame: MicFrame | undefined;
    if (whole > 0) {
      frame = { index: this.index, samples: this.pending.slice(0, whole), channels: this.channels };
      this.index += whole / this.channels;
    }
    this.filled = 0;
    return { frame, droppedSamples, droppedOddByte };
  }

  private emit(): MicFrame {
    const frame: MicFrame = { index: this.index, samples: this.pending, channels: this.channels };
    this.index += this.frameSamples;
    this.pending = new Int16Array(this.frameSamples * this.channels);
    this.filled = 0;
    return frame;
  }
}

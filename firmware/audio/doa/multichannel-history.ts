import { EchosimError } from '../../../core/errors.js';
import type { MicFrame } from '../../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';

/**
 * The most recent audio of every microphone, addressed by absolute sample index like the mono ring
 * buffer. The wake-word spotter reports where the word was (absolute begin/end indices) only after it
 * has heard it, so direction finding needs the array's audio of that span *after the fact*; the mono
 * ring buffer holds only the mixed-down channel, hence this per-channel history (3 s by default,
 * enough for a wake word and the spotter's decision latency).
 *
 * Storage is one ring per channel, de-interleaved on write, so `read` copies contiguous runs.
 */
export class MultichannelHistory {
  readonly channels: number;
  readonly capacity: number;
  private readonly rings: Int16Array[];
  private oldest = 0;
  private next = 0;

  constructor(channels: number, capacitySamples = 3 * SAMPLE_RATE) {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}`);
    if (!Number.isInteger(capacitySamples) || capacitySamples < 1) {
      throw new RangeError(`capacitySamples must be a positive integer, got ${capacitySamples}`);
    }
    this.channels = channels;
    this.capacity = capacitySamples;
    this.rings = Array.from({ length: channels }, () => new Int16Array(capacitySamples));
  }

  /** Absolute index of the oldest sample held (equal to `writeIndex` when empty). */
  get oldestIndex(): number {
    return this.oldest;
  }

  /** Absolute index of the next sample to be written: one past the newest held. */
  get writeIndex(): number {
    return this.next;
  }

  /**
   * Appends a frame. A frame that does not continue the history (its index jumps forward over a gap,
   * or goes back, as when a source restarts) starts a new history at its index: audio on either side
   * of a discontinuity must never be read as one span.
   */
  write(frame: MicFrame): void {
    if (frame.channels !== this.channels) {
      throw new EchosimError('AUDIO_FORMAT_INVALID', `a ${frame.channels}-channel frame was written to a ${this.channels}-channel history`, {
        hint: 'capture one channel per microphone of the device model (--channels)',
        details: { channels: frame.channels, expected: this.channels },
      });
    }
    if (!Number.isSafeInteger(frame.index) || frame.index < 0) throw new RangeError(`frame index ${frame.index} is not a sample index`);
    const C = this.channels;
    const n = Math.floor(frame.samples.length / C);
    if (frame.index !== this.next) {
      this.oldest = frame.index;
      this.next = frame.index;
    }
    // Only the newest `capacity` samples of an oversized frame can be kept.
    const skip = Math.max(0, n - this.capacity);
    const cap = this.capacity;
    for (let i = skip; i < n; i++) {
      const slot = (frame.index + i) % cap;
      for (let c = 0, p = i * C; c < C; c++, p++) this.rings[c]![slot] = frame.samples[p]!;
    }
    this.next = frame.index + n;
    this.oldest = Math.max(this.oldest, this.next - cap);
  }

  /**
   * Copies of samples [from, to) of every channel, or undefined when that span is not entirely held
   * (too old, not yet written, or across a discontinuity).
   */
  read(from: number, to: number): Int16Array[] | undefined {
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) return undefined;
    if (from < this.oldest || to > this.next) return undefined;
    const n = to - from;
    const cap = this.capacity;
    const start = from % cap;
    const first = Math.min(n, cap - start);
    return this.rings.map((ring) => {
      const out = new Int16Array(n);
      out.set(ring.subarray(start, start + first));
      if (first < n) out.set(ring.subarray(0, n - first), first);
      return out;
    });
  }

  /** Forgets everything; the next write starts a new history at its own index. */
  clear(): void {
    this.oldest = this.next;
  }
}

import { EchosimError } from '../../core/errors.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * One writer, several readers, addressed by absolute sample index: the shape of the AVS SDK's
 * SharedDataStream. Indices are JavaScript numbers, exact to 2^53 samples (17,800 years at 16 kHz),
 * which is the 64-bit index space for every practical purpose without BigInt on the hot path.
 *
 * The buffer holds the most recent `capacity` samples. A reader that has not consumed a sample before
 * the writer overwrote it gets RING_OVERRUN on its next read, never silently wrong audio.
 * Steady-state writes and reads copy into memory allocated once, at the first write, and allocate nothing.
 */
export interface RingBufferOptions {
  /** Samples kept; default 10 s at 16 kHz. */
  capacity?: number;
  /** Readers allowed at once (the AVS sample app allows 10). */
  maxReaders?: number;
}

export const DEFAULT_RING_CAPACITY = 10 * SAMPLE_RATE;

export class AudioRingBuffer {
  readonly capacity: number;
  readonly maxReaders: number;
  /** Allocated at the first write: a device nobody feeds (an idle one of a fleet) holds no audio memory. */
  private data: Int16Array | undefined;
  private next = 0;
  private oldest = 0;
  private readonly readers = new Set<RingReader>();

  constructor(options: RingBufferOptions = {}) {
    this.capacity = options.capacity ?? DEFAULT_RING_CAPACITY;
    this.maxReaders = options.maxReaders ?? 10;
    if (!Number.isInteger(this.capacity) || this.capacity <= 0) {
      throw new RangeError(`ring capacity must be a positive integer, got ${this.capacity}`);
    }
  }

  private storage(): Int16Array {
    return (this.data ??= new Int16Array(this.capacity));
  }

  /** Absolute index the next written sample will get. */
  get writeIndex(): number {
    return this.next;
  }

  /** Absolute index of the oldest sample still held. */
  get oldestIndex(): number {
    return this.oldest;
  }

  get readerCount(): number {
    return this.readers.size;
  }

  /**
   * Appends samples. With `index`, the samples start at that absolute index: equal to `writeIndex`
   * for contiguous audio, or later after a gap (e.g. while the microphones were off), in which case
   * everything before the gap is dropped so no reader can bridge it.
   */
  write(samples: Int16Array, index: number = this.next): void {
    if (index < this.next) {
      throw new EchosimError('RING_INDEX_OUT_OF_RANGE', `write at index ${index} is before the write position ${this.next}`, {
        hint: 'Frames must be written in order; the source delivered a frame twice or out of order.',
      });
    }
    if (index > this.next) {
      this.next = index;
      this.oldest = index;
    }
    let src = samples;
    if (src.length > this.capacity) {
      // Only the newest `capacity` samples can be held; the rest are overwritten at once.
      this.next += src.length - this.capacity;
      src = src.subarray(src.length - this.capacity);
    }
    const data = this.storage();
    const at = this.next % this.capacity;
    const first = Math.min(src.length, this.capacity - at);
    data.set(src.subarray(0, first), at);
    if (first < src.length) data.set(src.subarray(first), 0);
    this.next += src.length;
    this.oldest = Math.max(this.oldest, this.next - this.capacity);
  }

  /** Drops all held audio (mic-off: no pre-roll may survive). The write position is kept. */
  clear(): void {
    this.data?.fill(0);
    this.oldest = this.next;
  }

  /**
   * A new reader. By default it starts at the write position (only new audio); pass an absolute
   * index to start in the past, e.g. 500 ms before a wake word.
   */
  createReader(startIndex: number = this.next): RingReader {
    if (this.readers.size >= this.maxReaders) {
      throw new EchosimError('RING_TOO_MANY_READERS', `the ring buffer already has ${this.maxReaders} readers`, {
        hint: 'Close readers you no longer need (reader.close()) or raise maxReaders.',
      });
    }
    const reader = new RingReader(this, startIndex);
    this.readers.add(reader);
    return reader;
  }

  /** @internal used by RingReader */
  detach(reader: RingReader): void {
    this.readers.delete(reader);
  }

  /** @internal copies [from, from+out.length) into out; the caller has checked the range. */
  copyOut(from: number, out: Int16Array, count: number): void {
    const data = this.storage();
    const at = from % this.capacity;
    const first = Math.min(count, this.capacity - at);
    out.set(data.subarray(at, at + first), 0);
    if (first < count) out.set(data.subarray(0, count - first), first);
  }
}

export class RingReader {
  private pos: number;
  private closed = false;

  constructor(
    private readonly ring: AudioRingBuffer,
    startIndex: number,
  ) {
    this.pos = startIndex;
    this.checkSeek(startIndex);
  }

  /** Absolute index of the next sample this reader will return. */
  get position(): number {
    return this.pos;
  }

  /** Samples ready to read now. */
  available(): number {
    return Math.max(0, this.ring.writeIndex - this.pos);
  }

  seek(index: number): void {
    this.checkSeek(index);
    this.pos = index;
  }

  /**
   * Copies up to `out.length` samples into `out` and returns how many. Throws RING_OVERRUN when the
   * writer has already overwritten audio this reader had not consumed.
   */
  read(out: Int16Array, max: number = out.length): number {
    if (this.closed) throw new RangeError('read from a closed ring reader');
    const oldest = this.ring.oldestIndex;
    if (this.pos < oldest) {
      const lost = oldest - this.pos;
      throw new EchosimError(
        'RING_OVERRUN',
        `ring reader fell behind: ${lost} samples (${(lost / SAMPLE_RATE).toFixed(3)} s) were overwritten before it read them`,
        {
          hint: 'The consumer is slower than real time; read more often or give the ring buffer more capacity.',
          details: { position: this.pos, oldestIndex: oldest, lostSamples: lost },
        },
      );
    }
    const count = Math.min(max, out.length, this.ring.writeIndex - this.pos);
    if (count <= 0) return 0;
    this.ring.copyOut(this.pos, out, count);
    this.pos += count;
    return count;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ring.detach(this);
  }

  private checkSeek(index: number): void {
    if (!Number.isSafeInteger(index) || index < this.ring.oldestIndex || index > this.ring.writeIndex) {
      throw new EchosimError(
        'RING_INDEX_OUT_OF_RANGE',
        `index ${index} is outside the audio held (${this.ring.oldestIndex} to ${this.ring.writeIndex})`,
        { hint: 'Only the most recent audio is kept; seek within oldestIndex..writeIndex.' },
      );
    }
  }
}

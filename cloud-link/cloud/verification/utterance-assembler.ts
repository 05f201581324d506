import { EchosimError } from '../../../hal/errors.js';
import { DEFAULT_MAX_STREAM_SAMPLES, PRE_ROLL_SAMPLES } from '../../../firmware/audio/stream-types.js';

/**
 * One piece of an utterance as the device sends it over MQTT: audio chunks go at QoS 0, so a chunk
 * can be lost, and a retransmitted or bridged message can arrive twice or late. `seq` counts chunks
 * from 0; `offset` is the position of the first sample relative to the start of the stream (the
 * first pre-roll sample), so audio can be placed even when chunk sizes vary.
 */
export interface UtteranceChunk {
  readonly seq: number;
  readonly offset: number;
  /** 16 kHz mono int16. */
  readonly samples: Int16Array;
}

/** A stretch of the utterance, in samples from the stream start, that no received chunk covers. */
export interface AudioGap {
  readonly offset: number;
  readonly samples: number;
}

/**
 * What `add` did with a chunk:
 * - `added`: stored as sent;
 * - `duplicate`: this seq was already received (a retransmission), ignored;
 * - `truncated`: stored up to the size cap, the rest dropped;
 * - `overflow`: starts at or beyond the cap, dropped.
 */
export type ChunkAddResult = 'added' | 'duplicate' | 'truncated' | 'overflow';

export interface AssembledUtterance {
  /** The audio from the stream start to the furthest sample received; gaps are zeros. */
  readonly audio: Int16Array;
  readonly gaps: readonly AudioGap[];
  /** Sequence numbers never received (below the highest seen, or below `expectedChunks`). */
  readonly missingSeqs: readonly number[];
  /** Audio beyond the size cap was dropped. */
  readonly truncated: boolean;
}

export interface UtteranceAssemblerOptions {
  /**
   * Most samples kept from the stream start. Default: the device's longest stream (8 s) plus the
   * 500 ms pre-roll, so a device that streams more than it may cannot make the cloud hold more.
   */
  maxSamples?: number;
}

/** The cap on one utterance: the device's maximum stream length plus the AVS pre-roll. */
export const MAX_UTTERANCE_SAMPLES = DEFAULT_MAX_STREAM_SAMPLES + PRE_ROLL_SAMPLES;

interface StoredChunk {
  readonly offset: number;
  readonly samples: Int16Array;
}

/**
 * Collects one utterance's numbered chunks, in any order, into one Int16Array. Memory grows with
 * what was received (chunks are kept as sent, not in a preallocated 8.5 s buffer), so a cloud
 * handling many devices at once pays only for the audio in flight. Where chunks overlap, the first
 * one received wins, so a late duplicate under a new seq cannot rewrite audio already judged.
 */
export class UtteranceAssembler {
  readonly maxSamples: number;
  private readonly chunks: StoredChunk[] = [];
  private readonly seqs = new Set<number>();
  private maxSeq = -1;
  /** Covered sample ranges [start, end), sorted and merged. */
  private covered: Array<[number, number]> = [];
  private wasTruncated = false;

  constructor(options: UtteranceAssemblerOptions = {}) {
    const max = options.maxSamples ?? MAX_UTTERANCE_SAMPLES;
    if (!Number.isInteger(max) || max <= 0) {
      throw new EchosimError('UTTERANCE_CHUNK_INVALID', `maxSamples must be a positive integer, got ${max}`, {
        hint: 'leave maxSamples unset to use the default cap (8 s plus the 500 ms pre-roll)',
      });
    }
    this.maxSamples = max;
  }

  add(chunk: UtteranceChunk): ChunkAddResult {
    validateChunk(chunk);
    if (this.seqs.has(chunk.seq)) return 'duplicate';
    this.seqs.add(chunk.seq);
    this.maxSeq = Math.max(this.maxSeq, chunk.seq);
    if (chunk.offset >= this.maxSamples) {
      this.wasTruncated = true;
      return 'overflow';
    }
    const room = this.maxSamples - chunk.offset;
    const truncated = chunk.samples.length > room;
    // Keep our own copy: the caller's buffer (an MQTT payload view) may be reused.
    const samples = chunk.samples.slice(0, Math.min(room, chunk.samples.length));
    if (truncated) this.wasTruncated = true;
    if (samples.length > 0) {
      this.chunks.push({ offset: chunk.offset, samples });
      this.cover(chunk.offset, chunk.offset + samples.length);
    }
    return truncated ? 'truncated' : 'added';
  }

  /** Length of the gap-free audio from the stream start: what can be processed in order. */
  get contiguousSamples(): number {
    const first = this.covered[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  /** Position just after the furthest sample received. */
  get extentSamples(): number {
    return this.covered.at(-1)?.[1] ?? 0;
  }

  /** Samples actually received (overlaps counted once). */
  get receivedSamples(): number {
    return this.covered.reduce((n, [a, b]) => n + b - a, 0);
  }

  get truncated(): boolean {
    return this.wasTruncated;
  }

  get chunkCount(): number {
    return this.seqs.size;
  }

  /** Uncovered stretches before `until` (default: the furthest sample received). */
  gaps(until = this.extentSamples): AudioGap[] {
    const out: AudioGap[] = [];
    let at = 0;
    for (const [a, b] of this.covered) {
      if (a >= until) break;
      if (a > at) out.push({ offset: at, samples: a - at });
      at = Math.max(at, b);
    }
    if (at < until) out.push({ offset: at, samples: until - at });
    return out;
  }

  /**
   * Sequence numbers not received: below the highest seen, or below `expectedChunks` when the
   * device has said how many it sent (its end-of-utterance message).
   */
  missingSeqs(expectedChunks?: number): number[] {
    const upTo = expectedChunks ?? this.maxSeq + 1;
    const out: number[] = [];
    for (let s = 0; s < upTo; s++) if (!this.seqs.has(s)) out.push(s);
    return out;
  }

  /** Copies [from, to) of the utterance; uncovered samples are zeros. */
  read(from: number, to: number): Int16Array {
    const start = Math.max(0, from);
    const end = Math.max(start, Math.min(to, this.maxSamples));
    const out = new Int16Array(end - start);
    // Later arrivals first, so earlier ones overwrite them: the first chunk received wins.
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const c = this.chunks[i]!;
      const a = Math.max(start, c.offset);
      const b = Math.min(end, c.offset + c.samples.length);
      if (a < b) out.set(c.samples.subarray(a - c.offset, b - c.offset), a - start);
    }
    return out;
  }

  assemble(expectedChunks?: number): AssembledUtterance {
    const end = this.extentSamples;
    return { audio: this.read(0, end), gaps: this.gaps(end), missingSeqs: this.missingSeqs(expectedChunks), truncated: this.wasTruncated };
  }

  private cover(a: number, b: number): void {
    const merged: Array<[number, number]> = [];
    let placed = false;
    for (const [x, y] of this.covered) {
      if (y < a) merged.push([x, y]);
      else if (x > b) {
        if (!placed) merged.push([a, b]);
        placed = true;
        merged.push([x, y]);
      } else {
        a = Math.min(a, x);
        b = Math.max(b, y);
      }
    }
    if (!placed) merged.push([a, b]);
    this.covered = merged;
  }
}

function validateChunk(chunk: UtteranceChunk): void {
  const bad = (what: string): never => {
    throw new EchosimError('UTTERANCE_CHUNK_INVALID', `utterance chunk rejected: ${what}`, {
      hint: 'send chunks as { seq, offset, samples } with integer seq >= 0, integer sample offset >= 0 and 16 kHz int16 samples',
      details: { seq: chunk.seq, offset: chunk.offset },
    });
  };
  if (!Number.isSafeInteger(chunk.seq) || chunk.seq < 0) bad(`seq must be a non-negative integer, got ${String(chunk.seq)}`);
  if (!Number.isSafeInteger(chunk.offset) || chunk.offset < 0) bad(`offset must be a non-negative integer, got ${String(chunk.offset)}`);
  if (!(chunk.samples instanceof Int16Array)) bad('samples must be an Int16Array');
}

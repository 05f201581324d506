import { EchosimError } from '../../../core/errors.js';
import { MAX_UTTERANCE_CHUNKS, MAX_UTTERANCE_SAMPLES } from '../../protocol/utterance-limits.js';

export { MAX_UTTERANCE_SAMPLES } from '../../protocol/utterance-limits.js';

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
  /** Sequence numbers run from 0 to maxChunks - 1 (default: the protocol's MAX_UTTERANCE_CHUNKS). */
  maxChunks?: number;
}

interface StoredChunk {
  readonly offset: number;
  readonly samples: Int16Array;
}

/**
 * Collects one utterance's numbered chunks, in any order, into one Int16Array. Memory grows with
 * what was received (not a preallocated 8.5 s buffer), so a cloud handling many devices at once pays
 * only for the audio in flight. Where chunks overlap, the first one received wins, so a late
 * duplicate under a new seq cannot rewrite audio already judged; only the samples no earlier chunk
 * covered are kept, so whatever arrives the audio held never exceeds `maxSamples` (`heldBytes`), and
 * sequence numbers are refused beyond `maxChunks` before anything is stored.
 */
export class UtteranceAssembler {
  readonly maxSamples: number;
  readonly maxChunks: number;
  /** Disjoint stretches of received audio (the first arrival's samples where chunks overlapped). */
  private readonly pieces: StoredChunk[] = [];
  private readonly seqs = new Set<number>();
  private maxSeq = -1;
  /** Covered sample ranges [start, end), sorted and merged. */
  private covered: Array<[number, number]> = [];
  private wasTruncated = false;
  private held = 0;

  constructor(options: UtteranceAssemblerOptions = {}) {
    this.maxSamples = positiveInteger('maxSamples', options.maxSamples ?? MAX_UTTERANCE_SAMPLES, 'the default cap (8 s plus the 500 ms pre-roll)');
    this.maxChunks = positiveInteger('maxChunks', options.maxChunks ?? MAX_UTTERANCE_CHUNKS, `the protocol's ${MAX_UTTERANCE_CHUNKS} chunks`);
  }

  /** Throws UTTERANCE_CHUNK_INVALID, storing nothing, for a malformed chunk or a seq of maxChunks or more. */
  add(chunk: UtteranceChunk): ChunkAddResult {
    validateChunk(chunk, this.maxChunks);
    if (this.seqs.has(chunk.seq)) return 'duplicate';
    this.seqs.add(chunk.seq);
    this.maxSeq = Math.max(this.maxSeq, chunk.seq);
    if (chunk.offset >= this.maxSamples) {
      this.wasTruncated = true;
      return 'overflow';
    }
    const end = Math.min(this.maxSamples, chunk.offset + chunk.samples.length);
    const truncated = chunk.offset + chunk.samples.length > end;
    if (truncated) this.wasTruncated = true;
    // Keep our own copy of what is new: the caller's buffer (an MQTT payload view) may be reused.
    for (const [a, b] of this.uncovered(chunk.offset, end)) {
      this.pieces.push({ offset: a, samples: chunk.samples.slice(a - chunk.offset, b - chunk.offset) });
      this.held += (b - a) * Int16Array.BYTES_PER_ELEMENT;
    }
    if (end > chunk.offset) this.cover(chunk.offset, end);
    return truncated ? 'truncated' : 'added';
  }

  /** Bytes of audio held: at most 2 x maxSamples, whatever was sent. */
  get heldBytes(): number {
    return this.held;
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
   * device has said how many it sent (its end-of-utterance message). Never beyond maxChunks, so the
   * list is as short as the protocol's bound whatever a device claims.
   */
  missingSeqs(expectedChunks?: number): number[] {
    // NaN and negative claims are no count at all; any other is capped at maxChunks.
    const claimed = expectedChunks !== undefined && expectedChunks >= 0 ? Math.floor(expectedChunks) : this.maxSeq + 1;
    const upTo = Math.min(claimed, this.maxChunks);
    const out: number[] = [];
    for (let s = 0; s < upTo; s++) if (!this.seqs.has(s)) out.push(s);
    return out;
  }

  /** Copies [from, to) of the utterance; uncovered samples are zeros. */
  read(from: number, to: number): Int16Array {
    const start = Math.max(0, from);
    const end = Math.max(start, Math.min(to, this.maxSamples));
    const out = new Int16Array(end - start);
    for (const c of this.pieces) {
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

  /** The parts of [a, b) no received chunk covers yet. */
  private uncovered(a: number, b: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let at = a;
    for (const [x, y] of this.covered) {
      if (y <= at) continue;
      if (x >= b) break;
      if (x > at) out.push([at, x]);
      at = Math.max(at, y);
    }
    if (at < b) out.push([at, b]);
    return out;
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

function validateChunk(chunk: UtteranceChunk, maxChunks: number): void {
  const bad = (what: string): never => {
    throw new EchosimError('UTTERANCE_CHUNK_INVALID', `utterance chunk rejected: ${what}`, {
      hint: `send chunks as { seq, offset, samples } with integer seq from 0 to ${maxChunks - 1}, integer sample offset >= 0 and 16 kHz int16 samples`,
      details: { seq: chunk.seq, offset: chunk.offset },
    });
  };
  if (!Number.isSafeInteger(chunk.seq) || chunk.seq < 0) bad(`seq must be a non-negative integer, got ${String(chunk.seq)}`);
  if (chunk.seq >= maxChunks) bad(`seq ${chunk.seq} is beyond the ${maxChunks} chunks an utterance may have`);
  if (!Number.isSafeInteger(chunk.offset) || chunk.offset < 0) bad(`offset must be a non-negative integer, got ${String(chunk.offset)}`);
  if (!(chunk.samples instanceof Int16Array)) bad('samples must be an Int16Array');
}

function positiveInteger(name: string, value: number, defaultIs: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new EchosimError('UTTERANCE_CHUNK_INVALID', `${name} must be a positive integer, got ${value}`, {
      hint: `leave ${name} unset to use ${defaultIs}`,
    });
  }
  return value;
}

import { Rng } from '../../bench/fuzz-rng.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { deriveSeed } from '../hash.js';
import { dbToGain, FULL_SCALE } from '../dsp/levels.js';
import { gaussian } from '../dsp/noise.js';
import { decodeAudio } from './decode.js';
import type { RealSource } from './sources.js';

/** A stretch of a source's stream, in samples: clip `clip`, or the quiet gap before clip `gap`. */
export interface StreamPiece {
  readonly clip?: number;
  readonly gap?: number;
  readonly start: number;
  readonly end: number;
}

/** Quiet between two clips of a stream: 0.3-1.0 s of a -65 dBFS room. */
export const GAP_RANGE_S: readonly [number, number] = [0.3, 1.0];
const GAP_DBFS = -65;

/**
 * A source's clips back to back as one continuous stream with short quiet gaps between them, as a
 * device hears a room: no reset between clips, so false accepts per hour are measured as a device
 * would make them (a reset per clip makes an onset per clip, several times the false accepts). The
 * gaps depend only on the source, so the stream is the same for every word and seed and its
 * features are computed once. `pieces` fills in as the stream is read (unreadable files are skipped);
 * `onClip` is called after each clip.
 */
export function sourceStream(source: RealSource, onClip: () => void = () => undefined): { audio: AsyncIterable<Int16Array>; pieces: StreamPiece[] } {
  const pieces: StreamPiece[] = [];
  async function* audio(): AsyncGenerator<Int16Array> {
    let at = 0;
    for (let i = 0; i <= source.clips.length; i++) {
      const gap = gapBefore(source, i);
      pieces.push({ gap: i, start: at, end: at + gap.length });
      at += gap.length;
      yield gap;
      const clip = source.clips[i];
      if (!clip) break;
      const samples = await decodeAudio(clip.file);
      onClip();
      if (!samples || samples.length === 0) continue;
      pieces.push({ clip: i, start: at, end: at + samples.length });
      at += samples.length;
      yield samples;
    }
  }
  return { audio: audio(), pieces };
}

/** The quiet before clip `i` of a source's stream (after the last clip for i = clips.length). */
export function gapBefore(source: RealSource, i: number): Int16Array {
  const rng = new Rng(deriveSeed(0, 'real-stream', source.name, i));
  const n = Math.round((GAP_RANGE_S[0] + rng.next() * (GAP_RANGE_S[1] - GAP_RANGE_S[0])) * SAMPLE_RATE);
  const sigma = FULL_SCALE * dbToGain(GAP_DBFS);
  return Int16Array.from({ length: n }, () => Math.round(gaussian(rng) * sigma));
}

/**
 * Samples [from, to) of a source's stream, rebuilt from its pieces: the clips decoded again, the
 * gaps made again from their seeds. For looking at what a head fired on without keeping hours of audio.
 * `decode` reads a clip (a caller cutting many segments passes one that remembers recent files).
 */
export async function streamSegment(source: RealSource, pieces: readonly StreamPiece[], from: number, to: number, decode: (file: string) => Promise<Int16Array | undefined> = decodeAudio): Promise<Int16Array> {
  const out = new Int16Array(Math.max(0, to - from));
  for (const piece of pieces) {
    if (piece.end <= from || piece.start >= to) continue;
    const samples = piece.clip === undefined ? gapBefore(source, piece.gap ?? 0) : await decode(source.clips[piece.clip]!.file);
    if (!samples) continue;
    const a = Math.max(from, piece.start);
    const b = Math.min(to, piece.start + samples.length);
    if (a < b) out.set(samples.subarray(a - piece.start, b - piece.start), a - from);
  }
  return out;
}

/**
 * decodeAudio remembering the last `size` files it read (their pending reads too, so segments cut
 * at once share one decode): segments cut in stream order read each clip about once.
 */
export function recentDecoder(size: number): (file: string) => Promise<Int16Array | undefined> {
  const recent = new Map<string, Promise<Int16Array | undefined>>();
  return (file) => {
    let read = recent.get(file);
    if (read) recent.delete(file);
    else read = decodeAudio(file);
    recent.set(file, read);
    if (recent.size > size) recent.delete(recent.keys().next().value!);
    return read;
  };
}

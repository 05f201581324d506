import { DEFAULT_MAX_STREAM_SAMPLES, PRE_ROLL_SAMPLES } from './stream.js';

/**
 * The bounds of one utterance on the wire. Every number a device sends about an utterance (chunk
 * count, sample count, sequence number, sample offset, wake-word indices, pre-roll) is checked
 * against them before the cloud allocates anything for it, so no message can make the cloud hold
 * more than one maximum-length utterance per utterance, whatever it claims.
 *
 * - A chunk carries at most 80 ms (1280 samples), the spotter's chunk. The device sends exactly
 *   1280 samples per chunk, numbered from 0, so chunk `seq` begins at sample `seq x 1280`; only the
 *   last chunk of an utterance may be shorter. A receiver checks the weaker rule that holds for
 *   any device that never sends more than 1280 samples in a chunk: `offset <= seq x 1280`.
 * - An utterance carries at most MAX_UTTERANCE_SAMPLES: the device's longest stream (8 s) plus the
 *   500 ms AVS pre-roll. The device's own cap counts the pre-roll inside its 8 s (128,000 samples),
 *   so the bound leaves 500 ms of slack for a device that counts it outside.
 * - An utterance has at most MAX_UTTERANCE_CHUNKS chunks: what MAX_UTTERANCE_SAMPLES needs in
 *   1280-sample chunks (107), plus UTTERANCE_CHUNK_SLACK for chunks a device closes short (a
 *   trailing empty chunk, a flush where its capture paused). Over the device's own maximum (100
 *   chunks) that is 11 chunks, 880 ms, of slack.
 */

/** Samples in one audio chunk at most (80 ms at 16 kHz); every chunk but an utterance's last has exactly this many. */
export const MAX_CHUNK_SAMPLES = 1280;

/** Longest utterance, in samples: the device's longest stream (8 s) plus the 500 ms pre-roll (8.5 s). */
export const MAX_UTTERANCE_SAMPLES = DEFAULT_MAX_STREAM_SAMPLES + PRE_ROLL_SAMPLES;

/** Chunks an utterance may have beyond what MAX_UTTERANCE_SAMPLES needs in full chunks. */
export const UTTERANCE_CHUNK_SLACK = 4;

/** Most chunks in one utterance: sequence numbers run from 0 to MAX_UTTERANCE_CHUNKS - 1. */
export const MAX_UTTERANCE_CHUNKS = Math.ceil(MAX_UTTERANCE_SAMPLES / MAX_CHUNK_SAMPLES) + UTTERANCE_CHUNK_SLACK;

/** Bytes of PCM in a maximum-length utterance (int16). */
export const MAX_UTTERANCE_BYTES = MAX_UTTERANCE_SAMPLES * 2;

/**
 * Why a chunk's numbers lie outside an utterance's bounds, or undefined when they are within them.
 * Expects non-negative integers (what the binary header can carry).
 */
export function chunkBoundsViolation(seq: number, offset: number, samples: number): string | undefined {
  if (seq >= MAX_UTTERANCE_CHUNKS) return `seq ${seq} is beyond the ${MAX_UTTERANCE_CHUNKS} chunks an utterance may have`;
  if (samples > MAX_CHUNK_SAMPLES) return `${samples} samples; at most ${MAX_CHUNK_SAMPLES} per chunk`;
  if (offset > seq * MAX_CHUNK_SAMPLES) {
    return `offset ${offset} is beyond where chunk ${seq} can begin (${seq * MAX_CHUNK_SAMPLES}: ${seq} chunks of at most ${MAX_CHUNK_SAMPLES} samples before it)`;
  }
  if (offset + samples > MAX_UTTERANCE_SAMPLES) return `samples up to ${offset + samples} run past the ${MAX_UTTERANCE_SAMPLES} an utterance may have`;
  return undefined;
}

/**
 * What the cloud lets one device hold for its utterances at once (its side of the contract): a
 * device streams one utterance at a time, and the next may start while the cloud closes the last.
 */
export interface UtteranceCaps {
  /** An utterance is closed after this long without a message for it (ms)... */
  readonly idleTimeoutMs: number;
  /** ...and this long after its first message, however busy (ms): 3.5 times the longest stream in real time. */
  readonly maxAgeMs: number;
  /** Chunks held for an utterance whose start has not arrived yet (QoS 0 audio may overtake the QoS 1 start). */
  readonly maxEarlyChunks: number;
  /** Utterances open at once per device. */
  readonly maxOpenPerDevice: number;
  /** Audio bytes held at once for one device over all its open utterances: two maximum-length ones. */
  readonly maxDeviceBytes: number;
}

export const DEFAULT_UTTERANCE_CAPS: UtteranceCaps = {
  idleTimeoutMs: 15_000,
  maxAgeMs: 30_000,
  maxEarlyChunks: 50,
  maxOpenPerDevice: 4,
  maxDeviceBytes: 2 * MAX_UTTERANCE_BYTES,
};

/** Refusals (utterance/{n}/rejected) published to one device at once, then per second on average. */
export const REFUSAL_BURST = 20;
export const REFUSALS_PER_SECOND = 10;

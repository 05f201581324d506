import type { WakeWordDetection } from '../../models/wakeword/types.js';

/** AVS: the stream starts exactly 500 ms (8000 samples) before the wake word's begin index. */
export const PRE_ROLL_SAMPLES = 8000;
/** Longest a stream may run (default 8 s) before the device closes it itself. */
export const DEFAULT_MAX_STREAM_SAMPLES = 8 * 16_000;

export type StreamInitiator = 'wakeword' | 'tap';

/**
 * Why a stream closed: the end-pointer heard the end of speech or no speech at all, the maximum length
 * passed, the source ran out, the microphones were switched off, or something else cancelled it (the
 * user, the cloud rejecting the wake word, a lost link).
 */
export type StreamEndReason = 'end-of-speech' | 'no-speech' | 'max-length' | 'source-ended' | 'mic-off' | 'cancelled';

export interface StreamStart {
  readonly id: number;
  readonly initiator: StreamInitiator;
  readonly keyword?: string;
  /** Absolute index of the first sample streamed. */
  readonly startIndex: number;
  /** Wake word position relative to the start of the stream (AVS Recognize wakeWordIndices). */
  readonly wakeWordIndices?: { readonly startIndexInSamples: number; readonly endIndexInSamples: number };
  /**
   * How much audio precedes the wake word in the stream. `complete` is false when less than 500 ms
   * existed (e.g. the wake word came right at the start); the samples are never invented, and
   * cloud verification cannot be relied on for such a stream.
   */
  readonly preRoll: { readonly requestedSamples: number; readonly availableSamples: number; readonly complete: boolean };
  readonly detection?: WakeWordDetection;
}

export interface StreamAudio {
  readonly id: number;
  readonly index: number;
  readonly samples: Int16Array;
}

export interface StreamEnd {
  readonly id: number;
  /** Absolute index just after the last sample streamed. */
  readonly endIndex: number;
  readonly reason: StreamEndReason;
}

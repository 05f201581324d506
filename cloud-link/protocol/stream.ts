import { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * A capture stream as the device's front end opens and closes it, and as the cloud sees it: the stream
 * starts exactly PRE_ROLL_SAMPLES before the wake word, `wakeWordIndices` are relative to the stream's
 * start, and the reasons and initiators are the wire enums (utterance.ts builds its schemas from them).
 */

/** AVS: the stream starts exactly 500 ms (8000 samples) before the wake word's begin index. */
export const PRE_ROLL_SAMPLES = 8000;
/** Longest a stream may run (default 8 s) before the device closes it itself. */
export const DEFAULT_MAX_STREAM_SAMPLES = 8 * SAMPLE_RATE;

export const STREAM_INITIATORS = ['wakeword', 'tap'] as const;
export type StreamInitiator = (typeof STREAM_INITIATORS)[number];

/**
 * Why a stream closed: the end-pointer heard the end of speech or no speech at all, the maximum length
 * passed, the source ran out, the microphones were switched off, or something else cancelled it (the
 * user, the cloud rejecting the wake word, a lost link).
 */
export const STREAM_END_REASONS = [
  'end-of-speech',
  'no-speech',
  'max-length',
  'source-ended',
  'mic-off',
  'cancelled',
] as const;
export type StreamEndReason = (typeof STREAM_END_REASONS)[number];

/**
 * The spotter's detection that opened a wake-word stream (models/wakeword/types.ts WakeWordDetection
 * is one): the device reports its score with the utterance and its span in telemetry.
 */
export interface StreamDetection {
  readonly keyword: string;
  readonly score: number;
  /** Estimated first sample of the wake word (absolute index). */
  readonly beginIndex: number;
  /** Estimated sample just after the wake word ends (absolute index). */
  readonly endIndex: number;
}

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
  readonly detection?: StreamDetection;
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

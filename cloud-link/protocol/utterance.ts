import { z } from 'zod';
import type { StreamEnd, StreamEndReason, StreamInitiator, StreamStart } from '../../firmware/audio/stream-types.js';
import { int16ToLe, leToInt16 } from './audio-chunk.js';

/**
 * Utterances over MQTT: utterance/{n}/start, then binary audio chunks (audio-chunk.ts), then
 * utterance/{n}/end, all from the device; utterance/{n}/verdict (cloud verification of the wake
 * word) and utterance/{n}/response (what to play) from the cloud. `n` is the stream id of the
 * device's front end. The shape follows the AVS Recognize event: the stream starts 500 ms before the
 * wake word, and `wakeWordIndices` are relative to the stream start (DOMAIN.md §2).
 */

export const STREAM_INITIATORS = ['wakeword', 'tap'] as const satisfies readonly StreamInitiator[];
export const STREAM_END_REASONS = [
  'end-of-speech',
  'no-speech',
  'max-length',
  'source-ended',
  'mic-off',
  'cancelled',
] as const satisfies readonly StreamEndReason[];
type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Compile-time: the wire enums are exactly the reasons and initiators the front end can give.
true satisfies SameUnion<(typeof STREAM_END_REASONS)[number], StreamEndReason>;
true satisfies SameUnion<(typeof STREAM_INITIATORS)[number], StreamInitiator>;

export const SAMPLE_RATE = 16_000;
const UtteranceId = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const SampleCount = z.int().min(0);

export const UtteranceStartSchema = z
  .strictObject({
    id: UtteranceId,
    initiator: z.enum(STREAM_INITIATORS),
    keyword: z.string().min(1).max(64).optional(),
    /** The device spotter's score, for the cloud's records; the cloud re-checks at its own threshold. */
    score: z.number().min(0).max(1).optional(),
    wakeWordIndices: z
      .strictObject({ startIndexInSamples: SampleCount, endIndexInSamples: SampleCount })
      .refine((w) => w.endIndexInSamples > w.startIndexInSamples, 'endIndexInSamples must be after startIndexInSamples')
      .optional(),
    preRoll: z.strictObject({ requestedSamples: SampleCount, availableSamples: SampleCount, complete: z.boolean() }),
    sampleRate: z.literal(SAMPLE_RATE),
    format: z.literal('L16'),
  })
  .refine(
    (s) =>
      s.initiator === 'wakeword'
        ? s.keyword !== undefined && s.wakeWordIndices !== undefined
        : s.keyword === undefined && s.wakeWordIndices === undefined,
    'a wakeword stream has keyword and wakeWordIndices; a tap stream has neither',
  )
  .meta({ title: 'UtteranceStart' });
export type UtteranceStart = z.infer<typeof UtteranceStartSchema>;

export const UtteranceEndSchema = z
  .strictObject({
    id: UtteranceId,
    /** Absolute index just after the last sample streamed (device sample clock). */
    endIndex: SampleCount,
    reason: z.enum(STREAM_END_REASONS),
    /** Samples and chunks sent, so the cloud can tell a complete stream from one with lost chunks. */
    samples: SampleCount,
    chunks: SampleCount,
  })
  .meta({ title: 'UtteranceEnd' });
export type UtteranceEnd = z.infer<typeof UtteranceEndSchema>;

export const UtteranceVerdictSchema = z
  .strictObject({
    id: UtteranceId,
    confirmed: z.boolean(),
    score: z.number().min(0).max(1),
    threshold: z.number().min(0).max(1),
    reason: z.string().min(1).max(200).optional(),
  })
  .meta({ title: 'UtteranceVerdict', description: 'confirmed false: stop capture at once and count a false wake.' });
export type UtteranceVerdict = z.infer<typeof UtteranceVerdictSchema>;

/** A response payload of up to 30 s of audio; pass it as parsePayload's maxBytes on the device. */
export const MAX_RESPONSE_BYTES = 4 * ((SAMPLE_RATE * 2 * 30) / 3) + 1024;

export const UtteranceResponseSchema = z
  .strictObject({
    id: UtteranceId,
    audio: z
      .base64()
      .max(MAX_RESPONSE_BYTES - 1024)
      .optional()
      .meta({ description: 'PCM s16le, mono, base64; absent when there is nothing to play.' }),
    sampleRate: z.literal(SAMPLE_RATE).optional(),
  })
  .meta({ title: 'UtteranceResponse' });
export type UtteranceResponse = z.infer<typeof UtteranceResponseSchema>;

/** The start message for a stream of the device's front end. */
export function utteranceStartMessage(start: StreamStart, score?: number): UtteranceStart {
  return {
    id: start.id,
    initiator: start.initiator,
    ...(start.keyword === undefined ? {} : { keyword: start.keyword }),
    ...(score === undefined ? {} : { score }),
    ...(start.wakeWordIndices === undefined ? {} : { wakeWordIndices: { ...start.wakeWordIndices } }),
    preRoll: { ...start.preRoll },
    sampleRate: SAMPLE_RATE,
    format: 'L16',
  };
}

/** The end message for a stream; `samples` and `chunks` are what the link actually sent. */
export function utteranceEndMessage(end: StreamEnd, sent: { samples: number; chunks: number }): UtteranceEnd {
  return { id: end.id, endIndex: end.endIndex, reason: end.reason, samples: sent.samples, chunks: sent.chunks };
}

export function encodeResponseAudio(samples: Int16Array): string {
  return int16ToLe(samples).toString('base64');
}

/** Decodes a response's audio; throws PROTOCOL_MESSAGE_INVALID for an odd byte count. */
export function decodeResponseAudio(base64: string): Int16Array {
  return leToInt16(Buffer.from(base64, 'base64'));
}

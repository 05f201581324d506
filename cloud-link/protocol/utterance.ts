import { z } from 'zod';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { STREAM_END_REASONS, STREAM_INITIATORS, type StreamEnd, type StreamStart } from './stream.js';
import { int16ToLe, leToInt16 } from './audio-chunk.js';
import { DeviceContextSchema, DirectivesSchema, type DeviceContext } from './directives.js';
import { IntentSchema } from './intent.js';
import { MAX_CHUNK_SAMPLES, MAX_UTTERANCE_CHUNKS, MAX_UTTERANCE_SAMPLES } from './utterance-limits.js';

/**
 * Utterances over MQTT: utterance/{n}/start, then binary audio chunks (audio-chunk.ts), then
 * utterance/{n}/end, all from the device; utterance/{n}/verdict (cloud verification of the wake
 * word) and utterance/{n}/response (what to play) from the cloud. `n` is the stream id of the
 * device's front end. The shape follows the AVS Recognize event: the stream starts 500 ms before the
 * wake word, and `wakeWordIndices` are relative to the stream start (docs/audio-pipeline.md#the-pre-roll-contract).
 *
 * Every count and index a device sends is bounded by one utterance's limits (utterance-limits.ts);
 * a message beyond them, malformed, or over one of the cloud's caps is answered on
 * utterance/{n}/rejected (UtteranceRejected) and changes nothing.
 */

const UtteranceId = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A count or index of samples within one utterance. */
const SampleCount = z.int().min(0).max(MAX_UTTERANCE_SAMPLES);
/** An index on the device's own sample clock (it counts from boot: bounded only by the safe integers). */
const DeviceSampleIndex = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

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
    /** The device's local state an answer may need (directives.ts). */
    context: DeviceContextSchema.optional(),
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
    endIndex: DeviceSampleIndex,
    reason: z.enum(STREAM_END_REASONS),
    /** Samples and chunks sent, so the cloud can tell a complete stream from one with lost chunks. */
    samples: SampleCount,
    chunks: z.int().min(0).max(MAX_UTTERANCE_CHUNKS),
  })
  .refine((e) => e.samples <= e.chunks * MAX_CHUNK_SAMPLES, `samples: more than ${MAX_CHUNK_SAMPLES} per chunk sent`)
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

/** Which of the device's utterance messages the cloud refused. */
export const REFUSED_MESSAGES = ['start', 'audio', 'end'] as const;
export type RefusedMessage = (typeof REFUSED_MESSAGES)[number];

/**
 * Codes of utterance/{n}/rejected, shadow-style:
 * 400 the message breaks the protocol (invalid JSON or schema, a number beyond the utterance limits,
 *     a malformed or out-of-bounds audio chunk, an id that differs from its topic's);
 * 413 the payload is over its size limit;
 * 429 one of the cloud's caps was hit: too many utterances open for the device, or its audio budget.
 */
export const UTTERANCE_REJECTION_CODES = [400, 413, 429] as const;
export type UtteranceRejectionCode = (typeof UTTERANCE_REJECTION_CODES)[number];

export const UtteranceRejectedSchema = z
  .strictObject({
    id: UtteranceId,
    code: z.union(UTTERANCE_REJECTION_CODES.map((c) => z.literal(c))),
    message: z.string().min(1).max(300),
    refused: z.enum(REFUSED_MESSAGES),
    /** The refused audio chunk's sequence number, when its header could be read. */
    seq: z.int().min(0).max(0xffff_ffff).optional(),
    /** The cloud dropped the whole utterance: no verdict or response follows for it. */
    dropped: z.boolean(),
  })
  .meta({
    title: 'UtteranceRejected',
    description: 'The cloud refused one utterance message: 400 protocol breach, 413 too large, 429 a cap. dropped: the utterance is closed; stop streaming it.',
  });
export type UtteranceRejected = z.infer<typeof UtteranceRejectedSchema>;

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
    /** What the cloud understood (NoMatch included), for the device's `intent` event. */
    intent: IntentSchema.optional(),
    /** What the device does locally, in order, before it plays the audio. */
    directives: DirectivesSchema.optional(),
  })
  .meta({ title: 'UtteranceResponse' });
export type UtteranceResponse = z.infer<typeof UtteranceResponseSchema>;

/** The start message for a stream of the device's front end. */
export function utteranceStartMessage(start: StreamStart, score?: number, context?: DeviceContext): UtteranceStart {
  return {
    ...(context === undefined ? {} : { context }),
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

import type { StreamStart } from '../../../cloud-link/protocol/stream.js';
import { parsePayload, validate } from '../../../cloud-link/protocol/parse.js';
import {
  MAX_RESPONSE_BYTES,
  UtteranceEndSchema,
  UtteranceRejectedSchema,
  UtteranceResponseSchema,
  UtteranceStartSchema,
  UtteranceVerdictSchema,
  decodeResponseAudio,
  encodeResponseAudio,
  utteranceEndMessage,
  utteranceStartMessage,
} from '../../../cloud-link/protocol/utterance.js';
import { MAX_CHUNK_SAMPLES, MAX_UTTERANCE_CHUNKS, MAX_UTTERANCE_SAMPLES } from '../../../cloud-link/protocol/utterance-limits.js';

const wakeStart: StreamStart = {
  id: 4,
  initiator: 'wakeword',
  keyword: 'alexa',
  startIndex: 16_000,
  wakeWordIndices: { startIndexInSamples: 8000, endIndexInSamples: 15_360 },
  preRoll: { requestedSamples: 8000, availableSamples: 8000, complete: true },
  detection: { keyword: 'alexa', score: 0.98, beginIndex: 24_000, endIndex: 31_360, detectedIndex: 32_000 },
};

describe('utterance messages', () => {
  test('a front-end StreamStart becomes the AVS-style start message', () => {
    const msg = utteranceStartMessage(wakeStart, 0.98);
    expect(msg).toEqual({
      id: 4,
      initiator: 'wakeword',
      keyword: 'alexa',
      score: 0.98,
      wakeWordIndices: { startIndexInSamples: 8000, endIndexInSamples: 15_360 },
      preRoll: { requestedSamples: 8000, availableSamples: 8000, complete: true },
      sampleRate: 16_000,
      format: 'L16',
    });
    expect(parsePayload(UtteranceStartSchema, JSON.stringify(msg))).toEqual({ ok: true, value: msg });
  });

  test('a tap stream has no keyword or indices; a wakeword stream must have both', () => {
    const tap = utteranceStartMessage({ id: 5, initiator: 'tap', startIndex: 0, preRoll: { requestedSamples: 0, availableSamples: 0, complete: true } });
    expect(validate(UtteranceStartSchema, tap).ok).toBe(true);
    expect(validate(UtteranceStartSchema, { ...tap, keyword: 'alexa' })).toMatchObject({ ok: false, message: expect.stringContaining('tap stream has neither') });
    const { wakeWordIndices: _omit, ...noIndices } = utteranceStartMessage(wakeStart);
    expect(validate(UtteranceStartSchema, noIndices).ok).toBe(false);
    expect(validate(UtteranceStartSchema, { ...tap, sampleRate: 8000 }).ok).toBe(false);
    expect(validate(UtteranceStartSchema, { ...tap, format: 'OPUS' }).ok).toBe(false);
    const inverted = { ...utteranceStartMessage(wakeStart), wakeWordIndices: { startIndexInSamples: 9000, endIndexInSamples: 8000 } };
    expect(validate(UtteranceStartSchema, inverted)).toMatchObject({ ok: false, message: expect.stringContaining('wakeWordIndices') });
  });

  test('end and verdict messages', () => {
    const end = utteranceEndMessage({ id: 4, endIndex: 71_296, reason: 'end-of-speech' }, { samples: 55_296, chunks: 44 });
    expect(end).toEqual({ id: 4, endIndex: 71_296, reason: 'end-of-speech', samples: 55_296, chunks: 44 });
    expect(validate(UtteranceEndSchema, end).ok).toBe(true);
    expect(validate(UtteranceEndSchema, { ...end, reason: 'bored' }).ok).toBe(false);
    expect(validate(UtteranceVerdictSchema, { id: 4, confirmed: false, score: 0.21, threshold: 0.7, reason: 'near miss' }).ok).toBe(true);
    expect(validate(UtteranceVerdictSchema, { id: 4, confirmed: true, score: 1.2, threshold: 0.7 }).ok).toBe(false);
  });

  test('response audio round-trips as base64 s16le', () => {
    const samples = Int16Array.from([0, 1, -1, 32_767, -32_768]);
    const b64 = encodeResponseAudio(samples);
    expect(Buffer.from(b64, 'base64')).toEqual(Buffer.from([0, 0, 1, 0, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x80]));
    expect(Array.from(decodeResponseAudio(b64))).toEqual(Array.from(samples));
    expect(validate(UtteranceResponseSchema, { id: 4, audio: b64, sampleRate: 16_000 }).ok).toBe(true);
    expect(validate(UtteranceResponseSchema, { id: 4 }).ok).toBe(true);
    expect(validate(UtteranceResponseSchema, { id: 4, audio: 'not base64!' }).ok).toBe(false);
    expect(() => decodeResponseAudio(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID' }));
  });

  test('30 s of response audio fits MAX_RESPONSE_BYTES', () => {
    const payload = JSON.stringify({ id: 1, audio: encodeResponseAudio(new Int16Array(16_000 * 30)) });
    expect(parsePayload(UtteranceResponseSchema, payload, { maxBytes: MAX_RESPONSE_BYTES }).ok).toBe(true);
    expect(parsePayload(UtteranceResponseSchema, payload).ok).toBe(false); // over the default 64 KiB
  });

  test('the limits: 8 s of stream plus the 500 ms pre-roll, in 80 ms chunks, with 4 chunks of slack', () => {
    expect(MAX_UTTERANCE_SAMPLES).toBe(136_000);
    expect(MAX_CHUNK_SAMPLES).toBe(1280);
    expect(MAX_UTTERANCE_CHUNKS).toBe(107 + 4);
  });

  test('an end is refused when a count is beyond the limits (the crash of issue 12 was chunks: 2^53-1)', () => {
    const end = { id: 4, endIndex: 71_296, reason: 'end-of-speech', samples: 55_296, chunks: 44 };
    expect(validate(UtteranceEndSchema, end).ok).toBe(true);
    expect(validate(UtteranceEndSchema, { ...end, chunks: MAX_UTTERANCE_CHUNKS, samples: MAX_UTTERANCE_SAMPLES }).ok).toBe(true);
    for (const [bad, field] of [
      [{ chunks: Number.MAX_SAFE_INTEGER }, 'chunks'],
      [{ chunks: MAX_UTTERANCE_CHUNKS + 1 }, 'chunks'],
      [{ samples: MAX_UTTERANCE_SAMPLES + 1, chunks: MAX_UTTERANCE_CHUNKS }, 'samples'],
      [{ samples: 1281, chunks: 1 }, 'more than 1280 per chunk'],
      [{ chunks: -1 }, 'chunks'],
      [{ chunks: 1.5 }, 'chunks'],
    ] as const) {
      const r = validate(UtteranceEndSchema, { ...end, ...bad });
      expect(r).toMatchObject({ ok: false, code: 400, message: expect.stringContaining(field) });
    }
    // The device's own sample clock counts from boot: only the safe integers bound it.
    expect(validate(UtteranceEndSchema, { ...end, endIndex: Number.MAX_SAFE_INTEGER }).ok).toBe(true);
    expect(parsePayload(UtteranceEndSchema, '{"id":4,"endIndex":1,"reason":"end-of-speech","samples":1e400,"chunks":1}')).toMatchObject({ ok: false, code: 400 });
  });

  test('a start is refused when an index or the pre-roll is beyond an utterance', () => {
    const msg = utteranceStartMessage(wakeStart, 0.98);
    for (const [path, value] of [
      [['wakeWordIndices', 'endIndexInSamples'], MAX_UTTERANCE_SAMPLES + 1],
      [['wakeWordIndices', 'startIndexInSamples'], 2 ** 40],
      [['preRoll', 'availableSamples'], Number.MAX_SAFE_INTEGER],
      [['preRoll', 'requestedSamples'], MAX_UTTERANCE_SAMPLES + 1],
    ] as const) {
      const bad = structuredClone(msg) as unknown as Record<string, Record<string, number>>;
      bad[path[0]]![path[1]] = value;
      expect(validate(UtteranceStartSchema, bad)).toMatchObject({ ok: false, message: expect.stringContaining(path.join('.')) });
    }
  });

  test('a rejection names the refused message, its code and whether the utterance was dropped', () => {
    const r = { id: 3, code: 400, message: 'seq 4294967295 is beyond the 111 chunks an utterance may have', refused: 'audio', seq: 0xffff_ffff, dropped: false };
    expect(validate(UtteranceRejectedSchema, r).ok).toBe(true);
    expect(validate(UtteranceRejectedSchema, { ...r, code: 500 }).ok).toBe(false);
    expect(validate(UtteranceRejectedSchema, { ...r, refused: 'verdict' }).ok).toBe(false);
    expect(validate(UtteranceRejectedSchema, { id: 3, code: 429, message: 'too many', refused: 'start', dropped: true }).ok).toBe(true);
  });
});

import { AUDIO_CHUNK_HEADER_BYTES, AUDIO_CHUNK_VERSION } from '../../cloud-link/protocol/audio-chunk.js';
import { MAX_CHUNK_SAMPLES, MAX_UTTERANCE_CHUNKS, MAX_UTTERANCE_SAMPLES } from '../../cloud-link/protocol/utterance-limits.js';
import { STREAM_END_REASONS } from '../../cloud-link/protocol/stream.js';
import type { Rng } from './fuzz-rng.js';

/**
 * Fuzzed utterance messages as a device could publish them: valid ones, valid-shaped ones with one
 * number swapped for an adversarial value (the protocol's bounds and just past them, 2^32, 2^53,
 * negative, fractional, 1e400, NaN and Infinity as bare JSON words, strings, null), and garbage.
 * Shared by `bench fuzz-mqtt` and the gateway's property test.
 */

/** JSON literals to put where a number belongs. Several are not JSON at all (NaN, Infinity). */
export const ADVERSARIAL_NUMBERS = [
  '0', '1', '-1', '0.5', '-0', '1279', '1280', '1281', '8000', `${MAX_UTTERANCE_CHUNKS - 1}`, `${MAX_UTTERANCE_CHUNKS}`,
  `${MAX_UTTERANCE_SAMPLES}`, `${MAX_UTTERANCE_SAMPLES + 1}`, '2147483648', '4294967295', '4294967296',
  '9007199254740991', '9007199254740993', '1e308', '1e400', '-1e400', 'NaN', 'Infinity', '"12"', 'null', 'true', '[]', '{}',
] as const;

const PLACEHOLDER = '"__fuzz__"';

/** `value` as JSON with the field at `path` replaced by the raw text `literal` (which may not be JSON). */
export function jsonWith(value: Record<string, unknown>, path: readonly string[], literal: string): string {
  const copy = structuredClone(value);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = JSON.parse(PLACEHOLDER);
  return JSON.stringify(copy).replace(PLACEHOLDER, literal);
}

/** One number of `template` (a path from `paths`) replaced by an adversarial literal. */
export function mutateNumber(rng: Rng, template: Record<string, unknown>, paths: ReadonlyArray<readonly string[]>): string {
  return jsonWith(template, rng.pick(paths), rng.pick(ADVERSARIAL_NUMBERS));
}

export function tapStart(id: number): Record<string, unknown> {
  return { id, initiator: 'tap', preRoll: { requestedSamples: 0, availableSamples: 0, complete: true }, sampleRate: 16000, format: 'L16' };
}

export function wakeStart(id: number): Record<string, unknown> {
  return {
    id, initiator: 'wakeword', keyword: 'alexa', score: 0.93,
    wakeWordIndices: { startIndexInSamples: 8000, endIndexInSamples: 15360 },
    preRoll: { requestedSamples: 8000, availableSamples: 8000, complete: true }, sampleRate: 16000, format: 'L16',
  };
}

const START_NUMBERS = [
  ['id'], ['score'], ['sampleRate'], ['preRoll', 'requestedSamples'], ['preRoll', 'availableSamples'],
  ['wakeWordIndices', 'startIndexInSamples'], ['wakeWordIndices', 'endIndexInSamples'],
] as const;
const END_NUMBERS = [['id'], ['endIndex'], ['samples'], ['chunks']] as const;

/** Garbage: nothing, a few bytes, broken JSON, or random bytes up to `maxBytes`. */
export function garbage(rng: Rng, maxBytes: number): Buffer {
  return rng.weighted<() => Buffer>([
    [1, () => Buffer.alloc(0)],
    [2, () => Buffer.from(rng.pick(['{', '}', '[]', 'null', '""', '{"id":', '\u0000', '{"id":1,"id":2}', '\ud800', 'NaN']))],
    [2, () => rng.bytes(1 + rng.int(64))],
    [1, () => Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`)],
    [1, () => Buffer.from(JSON.stringify({ id: 1, pad: 'x'.repeat(Math.max(0, Math.min(maxBytes, 70_000) - 20)) }))],
    [1, () => rng.bytes(rng.int(maxBytes + 1))],
  ])();
}

/** An utterance/{n}/start payload for utterance `id`. */
export function fuzzStart(rng: Rng, id: number, maxBytes: number): Buffer {
  const payload = rng.weighted<() => Buffer | string>([
    [3, () => JSON.stringify(tapStart(id))],
    [3, () => JSON.stringify(wakeStart(id))],
    [4, () => mutateNumber(rng, rng.chance(0.5) ? tapStart(id) : wakeStart(id), START_NUMBERS)],
    [1, () => JSON.stringify({ ...wakeStart(id), keyword: rng.pick(['', 'ALEXA', 'hey_jarvis', 'x'.repeat(65)]) })],
    [1, () => JSON.stringify({ ...tapStart(id), extra: true })],
    [1, () => garbage(rng, maxBytes)],
  ])();
  return Buffer.from(payload);
}

/** An utterance/{n}/end payload for utterance `id`. */
export function fuzzEnd(rng: Rng, id: number, maxBytes: number): Buffer {
  const chunks = rng.int(MAX_UTTERANCE_CHUNKS + 1);
  const valid = { id, endIndex: 1_000_000 + rng.int(1_000_000), reason: rng.pick(STREAM_END_REASONS), samples: Math.min(chunks * MAX_CHUNK_SAMPLES, rng.int(MAX_UTTERANCE_SAMPLES + 1)), chunks };
  const payload = rng.weighted<() => Buffer | string>([
    [4, () => JSON.stringify(valid)],
    [5, () => mutateNumber(rng, valid, END_NUMBERS)],
    [1, () => JSON.stringify({ ...valid, reason: 'exploded' })],
    [1, () => garbage(rng, maxBytes)],
  ])();
  return Buffer.from(payload);
}

export interface RawChunk {
  seq: number;
  offset: number;
  samples: number;
  version?: number;
  headerBytes?: number;
}

/** A binary chunk with whatever header values, unchecked (what a hostile device can send). */
export function rawChunk(rng: Rng, c: RawChunk): Buffer {
  const headerBytes = c.headerBytes ?? AUDIO_CHUNK_HEADER_BYTES;
  const out = Buffer.alloc(Math.max(AUDIO_CHUNK_HEADER_BYTES, headerBytes) + c.samples * 2);
  out.writeUInt8(c.version ?? AUDIO_CHUNK_VERSION, 0);
  out.writeUInt8(headerBytes & 0xff, 1);
  out.writeUInt32LE(c.seq >>> 0, 4);
  out.writeUInt32LE(c.offset >>> 0, 8);
  // A few loud samples are enough to look like audio; the rest stays silent.
  for (let i = 0; i < Math.min(c.samples, 64); i++) out.writeInt16LE(rng.int(65536) - 32768, out.length - c.samples * 2 + i * 2);
  return out;
}

/** An utterance/{n}/audio payload: mostly well-formed chunks, some just past a bound, some broken. */
export function fuzzAudio(rng: Rng, maxBytes: number): Buffer {
  const seq = rng.weighted<() => number>([
    [6, () => rng.int(MAX_UTTERANCE_CHUNKS)],
    [2, () => MAX_UTTERANCE_CHUNKS - 1 + rng.int(3)],
    [2, () => rng.pick([0xffff_ffff, 0x8000_0000, rng.uint32()])],
  ])();
  const offset = rng.weighted<() => number>([
    [6, () => Math.min(0xffff_ffff, seq * MAX_CHUNK_SAMPLES)],
    [2, () => rng.int(MAX_UTTERANCE_SAMPLES + 5000)],
    [2, () => rng.pick([0xffff_ffff, MAX_UTTERANCE_SAMPLES, MAX_UTTERANCE_SAMPLES - 1, rng.uint32()])],
  ])();
  const samples = rng.weighted<() => number>([
    [6, () => MAX_CHUNK_SAMPLES],
    [3, () => rng.pick([0, 1, 640, MAX_CHUNK_SAMPLES - 1, MAX_CHUNK_SAMPLES + 1, 16_000])],
    [1, () => rng.int(Math.max(1, Math.floor((maxBytes - AUDIO_CHUNK_HEADER_BYTES) / 2)))],
  ])();
  return rng.weighted<() => Buffer>([
    [17, () => rawChunk(rng, { seq, offset, samples })],
    [1, () => rawChunk(rng, { seq, offset, samples, version: rng.pick([0, 2, 255]) })],
    [1, () => rawChunk(rng, { seq, offset, samples, headerBytes: rng.pick([0, 11, 13, 14, 255]) })],
    [1, () => Buffer.concat([rawChunk(rng, { seq, offset, samples }), Buffer.from([1])])], // an odd byte
    [1, () => rawChunk(rng, { seq, offset, samples }).subarray(0, rng.int(AUDIO_CHUNK_HEADER_BYTES))],
    [1, () => garbage(rng, maxBytes)],
  ])();
}

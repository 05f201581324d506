import { EchosimError } from '../../core/errors.js';
import { chunkBoundsViolation, MAX_CHUNK_SAMPLES } from './utterance-limits.js';

export { MAX_CHUNK_SAMPLES } from './utterance-limits.js';

/**
 * The binary payload of utterance/{n}/audio: a 12-byte header, then the samples as PCM s16le
 * (16 kHz mono L16, AVS's format, docs/audio-pipeline.md#audio-format). Binary rather than JSON/base64 because audio is the
 * bulk of the traffic: a 1280-sample (80 ms) chunk is 2572 bytes instead of ~3.5 KB.
 *
 *   offset  size  field
 *   0       1     version (1)
 *   1       1     header length in bytes (12; a reader skips any extra header bytes of a later minor version)
 *   2       2     reserved, 0
 *   4       4     seq: chunk number within the utterance, from 0, uint32 LE
 *   8       4     offset: index of the first sample relative to the utterance start, uint32 LE
 *   12      2n    samples, int16 LE
 *
 * Chunks go at QoS 0 (late audio is useless, and redelivery would only delay the verdict). `seq` and
 * `offset` let the cloud see a lost chunk and place every sample where it belongs; utterance/end says
 * how many chunks and samples were sent. A chunk holds at most 80 ms (1280 samples), and `seq` and
 * `offset` stay within one utterance's bounds (utterance-limits.ts): decoding checks both, so a
 * receiver never sizes anything from a number beyond them.
 */

export const AUDIO_CHUNK_VERSION = 1;
export const AUDIO_CHUNK_HEADER_BYTES = 12;

export interface AudioChunk {
  seq: number;
  offset: number;
  samples: Int16Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const UINT32_MAX = 0xffff_ffff;

function invalid(message: string): EchosimError {
  return new EchosimError('PROTOCOL_MESSAGE_INVALID', `audio chunk: ${message}`, {
    hint: 'Audio chunks are a 12-byte header (version 1) followed by PCM s16le; see cloud-link/schemas/README.md.',
  });
}

/** Writes int16 samples into `out` from byte `at`, little-endian. */
function writeInt16Le(samples: Int16Array, out: Buffer, at: number): void {
  if (LITTLE_ENDIAN) {
    Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).copy(out, at);
  } else {
    for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] as number, at + i * 2);
  }
}

/** Int16 samples as little-endian bytes (a copy). */
export function int16ToLe(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  writeInt16Le(samples, out, 0);
  return out;
}

/** Little-endian bytes as Int16 samples (a copy, aligned whatever the input's alignment). */
export function leToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.length % 2 !== 0) throw invalid(`odd number of PCM bytes (${bytes.length})`);
  const out = new Int16Array(bytes.length / 2);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  }
  return out;
}

export function encodeAudioChunk(chunk: AudioChunk): Buffer {
  const { seq, offset, samples } = chunk;
  if (!Number.isInteger(seq) || seq < 0 || seq > UINT32_MAX) throw invalid(`seq ${seq} is not a uint32`);
  if (!Number.isInteger(offset) || offset < 0 || offset > UINT32_MAX) throw invalid(`offset ${offset} is not a uint32`);
  if (samples.length > MAX_CHUNK_SAMPLES) throw invalid(`${samples.length} samples; at most ${MAX_CHUNK_SAMPLES} per chunk`);
  // Every byte is written below: no need to zero the buffer first, and the samples go straight in.
  const out = Buffer.allocUnsafe(AUDIO_CHUNK_HEADER_BYTES + samples.length * 2);
  out.writeUInt8(AUDIO_CHUNK_VERSION, 0);
  out.writeUInt8(AUDIO_CHUNK_HEADER_BYTES, 1);
  out.writeUInt16LE(0, 2);
  out.writeUInt32LE(seq, 4);
  out.writeUInt32LE(offset, 8);
  writeInt16Le(samples, out, AUDIO_CHUNK_HEADER_BYTES);
  return out;
}

/**
 * Reads a chunk; throws PROTOCOL_MESSAGE_INVALID (never anything else) on a malformed one, or on
 * one whose seq, offset or length lies outside an utterance's bounds. The header is checked before
 * the samples are copied.
 */
export function decodeAudioChunk(payload: Uint8Array): AudioChunk {
  if (payload.length < AUDIO_CHUNK_HEADER_BYTES) throw invalid(`${payload.length} bytes is shorter than the header`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const version = view.getUint8(0);
  if (version !== AUDIO_CHUNK_VERSION) throw invalid(`unsupported version ${version}`);
  const headerBytes = view.getUint8(1);
  if (headerBytes < AUDIO_CHUNK_HEADER_BYTES || headerBytes > payload.length) throw invalid(`bad header length ${headerBytes}`);
  const pcm = payload.subarray(headerBytes);
  const seq = view.getUint32(4, true);
  const offset = view.getUint32(8, true);
  const outOfBounds = chunkBoundsViolation(seq, offset, Math.ceil(pcm.length / 2));
  if (outOfBounds) throw invalid(outOfBounds);
  return { seq, offset, samples: leToInt16(pcm) };
}

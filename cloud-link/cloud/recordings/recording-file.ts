import { endianness } from 'node:os';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { isRetentionPolicy, type RetentionPolicy } from './retention.js';

/**
 * A kept utterance on disk: one self-describing WAV file (16 kHz mono 16-bit PCM) whose metadata
 * travels in a private `esim` RIFF chunk between `fmt ` and `data`. One file per recording means
 * one atomic rename makes it exist, and no separate index can disagree with the files (a sweep
 * after a crash needs nothing but the directory). WAV readers skip unknown chunks, so an operator
 * with shell access can still play a file; nothing in echosim ever reads the `data` chunk.
 */
export interface RecordingFileMeta {
  readonly id: string;
  readonly deviceId: string;
  readonly roomArn?: string;
  /** Wall-clock ms when the recording was made. */
  readonly createdAt: number;
  readonly policy: RetentionPolicy;
  readonly confirmed: boolean;
  readonly samples: number;
}

const META_CHUNK = 'esim';
/** Header bytes read to find the metadata: RIFF (12) + fmt (24) + esim header (8) + JSON. */
export const META_READ_BYTES = 4096;
const MAX_META_JSON = META_READ_BYTES - 12 - 24 - 8;

export function encodeRecording(meta: RecordingFileMeta, audio: Int16Array): Buffer {
  let json = Buffer.from(JSON.stringify({ v: 1, ...meta }), 'utf8');
  if (json.length > MAX_META_JSON) throw new RangeError(`recording metadata is ${json.length} bytes, the limit is ${MAX_META_JSON}`);
  // RIFF chunks are word-aligned: pad the JSON with a space rather than a pad byte, so it stays valid JSON.
  if (json.length % 2 === 1) json = Buffer.concat([json, Buffer.from(' ')]);
  const dataBytes = audio.length * 2;
  const out = Buffer.alloc(12 + 24 + 8 + json.length + 8 + dataBytes);
  let o = 0;
  o += out.write('RIFF', o, 'ascii');
  o = out.writeUInt32LE(out.length - 8, o);
  o += out.write('WAVE', o, 'ascii');
  o += out.write('fmt ', o, 'ascii');
  o = out.writeUInt32LE(16, o);
  o = out.writeUInt16LE(1, o); // PCM
  o = out.writeUInt16LE(1, o); // mono
  o = out.writeUInt32LE(SAMPLE_RATE, o);
  o = out.writeUInt32LE(SAMPLE_RATE * 2, o);
  o = out.writeUInt16LE(2, o);
  o = out.writeUInt16LE(16, o);
  o += out.write(META_CHUNK, o, 'ascii');
  o = out.writeUInt32LE(json.length, o);
  o += json.copy(out, o);
  o += out.write('data', o, 'ascii');
  o = out.writeUInt32LE(dataBytes, o);
  const pcm = Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength);
  pcm.copy(out, o);
  if (endianness() === 'BE') out.subarray(o).swap16();
  return out;
}

/**
 * Reads the metadata from the first bytes of a recording file (at most META_READ_BYTES). Returns
 * undefined for anything that is not a recording this store wrote: callers treat such a file as
 * damaged, never as audio to return.
 */
export function decodeRecordingMeta(head: Buffer): RecordingFileMeta | undefined {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let o = 12;
  while (o + 8 <= head.length) {
    const id = head.toString('ascii', o, o + 4);
    const size = head.readUInt32LE(o + 4);
    if (id === 'data') return undefined;
    if (id === META_CHUNK) {
      if (o + 8 + size > head.length) return undefined;
      return parseMeta(head.toString('utf8', o + 8, o + 8 + size));
    }
    o += 8 + size + (size % 2);
  }
  return undefined;
}

function parseMeta(text: string): RecordingFileMeta | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  const int = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (m.v !== 1 || typeof m.id !== 'string' || typeof m.deviceId !== 'string' || !int(m.createdAt) || !int(m.samples)) return undefined;
  if (!isRetentionPolicy(m.policy) || typeof m.confirmed !== 'boolean') return undefined;
  if (m.roomArn !== undefined && typeof m.roomArn !== 'string') return undefined;
  return {
    id: m.id,
    deviceId: m.deviceId,
    ...(typeof m.roomArn === 'string' ? { roomArn: m.roomArn } : {}),
    createdAt: m.createdAt,
    policy: m.policy,
    confirmed: m.confirmed,
    samples: m.samples,
  };
}

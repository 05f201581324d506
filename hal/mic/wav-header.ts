import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { EchosimError } from '../../core/errors.js';
import type { SampleEncoding } from './pcm-decode.js';

/**
 * A synchronous look at a WAV file's chunk layout, before the `wav` package's Reader parses it.
 * The Reader does the real parsing; this walk exists for what it cannot do:
 * - clear errors: a missing file, not a WAV, a header cut short, no data chunk, an unsupported
 *   format tag (the Reader just stalls or says `bad "chunk id"`);
 * - WAVE_FORMAT_EXTENSIBLE: the Reader does not expose the SubFormat GUID (PCM or float?);
 * - files whose chunks the Reader cannot walk: it wants `fmt ` right after `WAVE` (JUNK/bext/LIST
 *   first is common from DAWs) and ignores RIFF pad bytes after odd-sized chunks. The source feeds
 *   the Reader only the RIFF header, the fmt chunk and the data chunk located here.
 * Synchronous because sources report their channel count (`info`) when they are created.
 */
export interface WavHeader {
  readonly path: string;
  readonly bigEndian: boolean;
  /** The first 12 bytes (RIFF/RIFX, size, WAVE). */
  readonly riff: Buffer;
  readonly fmtOffset: number;
  /** Size of the fmt chunk body. */
  readonly fmtSize: number;
  readonly formatTag: number;
  /** SubFormat tag of WAVE_FORMAT_EXTENSIBLE, else undefined. */
  readonly subFormatTag: number | undefined;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly encoding: SampleEncoding;
  /** Offset of the data chunk's 8-byte header. */
  readonly dataOffset: number;
  /** Bytes of audio actually present (the declared size, or what the file holds if that is less). */
  readonly dataBytes: number;
  /** The size the data chunk declares. */
  readonly declaredDataBytes: number;
  /** The declared size is a placeholder (0 or about 0xFFFFFFFF, from a writer that could not seek back): the audio runs to the end of the file. */
  readonly streamed: boolean;
}

const FORMAT_NAMES: Record<number, string> = {
  0x0001: 'PCM',
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3 (MP3)',
  0xfffe: 'WAVE_FORMAT_EXTENSIBLE',
};

export function formatName(tag: number): string {
  return `${FORMAT_NAMES[tag] ?? 'unknown'} (format tag 0x${tag.toString(16).padStart(4, '0')})`;
}

const CONVERT_HINT = (path: string): string =>
  `convert it to 16-bit PCM first, e.g. \`sox "${path}" -e signed-integer -b 16 converted.wav\``;

const NEEDS = 'a RIFF/WAVE file with PCM (8/16/24/32-bit) or IEEE float (32/64-bit) audio';

export function probeWav(path: string): WavHeader {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new EchosimError('WAV_UNREADABLE', `cannot open WAV file ${path}: ${code ?? String(cause)}`, {
      hint: `check the path; echosim needs ${NEEDS}`,
      cause,
      details: { path },
    });
  }
  try {
    return walk(fd, path);
  } finally {
    closeSync(fd);
  }
}

function walk(fd: number, path: string): WavHeader {
  const size = fstatSync(fd).size;
  const read = (offset: number, length: number): Buffer => {
    const b = Buffer.alloc(length);
    const n = readSync(fd, b, 0, length, offset);
    return b.subarray(0, n);
  };
  const unreadable = (why: string): EchosimError =>
    new EchosimError('WAV_UNREADABLE', `${path} is not a WAV file: ${why}`, {
      hint: `echosim needs ${NEEDS}; ${CONVERT_HINT(path)}`,
      details: { path },
    });
  const truncated = (why: string): EchosimError =>
    new EchosimError('WAV_TRUNCATED', `${path} is truncated: ${why}`, {
      hint: 'the file was cut short (an interrupted download or recording?); re-create or re-export it',
      details: { path, fileBytes: size },
    });
  const unsupported = (why: string, details: Record<string, unknown> = {}): EchosimError =>
    new EchosimError('WAV_UNSUPPORTED_FORMAT', `${path}: ${why}`, { hint: CONVERT_HINT(path), details: { path, ...details } });

  const riff = read(0, 12);
  const id = riff.subarray(0, 4).toString('latin1');
  if (riff.length === 0) throw unreadable('the file is empty');
  if (id === 'RF64' || id === 'BW64') throw unsupported(`${id} (64-bit RIFF) files are not supported`);
  if (riff.length < 12) {
    if ('RIFF'.startsWith(id) || 'RIFX'.startsWith(id)) throw truncated(`only ${riff.length} bytes, the RIFF header needs 12`);
    throw unreadable(`only ${riff.length} bytes`);
  }
  if (id !== 'RIFF' && id !== 'RIFX') throw unreadable(`it starts with ${JSON.stringify(id)}, not "RIFF"`);
  const wave = riff.subarray(8, 12).toString('latin1');
  if (wave !== 'WAVE') throw unreadable(`a RIFF file of type ${JSON.stringify(wave)}, not "WAVE"`);
  const be = id === 'RIFX';
  const u16 = (b: Buffer, o: number): number => (be ? b.readUInt16BE(o) : b.readUInt16LE(o));
  const u32 = (b: Buffer, o: number): number => (be ? b.readUInt32BE(o) : b.readUInt32LE(o));

  let fmt: { offset: number; size: number; body: Buffer } | undefined;
  let data: { offset: number; declared: number } | undefined;
  for (let offset = 12; offset < size && !data; ) {
    const head = read(offset, 8);
    if (head.length < 8) throw truncated(`a chunk header at byte ${offset} is cut short`);
    const chunkId = head.subarray(0, 4).toString('latin1');
    const chunkSize = u32(head, 4);
    if (chunkId === 'fmt ') {
      if (chunkSize < 16) throw unreadable(`its fmt chunk is ${chunkSize} bytes, at least 16 are needed`);
      const body = read(offset + 8, Math.min(chunkSize, 40));
      if (body.length < Math.min(chunkSize, 40)) throw truncated('the fmt chunk is cut short');
      fmt = { offset, size: chunkSize, body };
    } else if (chunkId === 'data') {
      if (!fmt) throw unreadable('the data chunk comes before any fmt chunk');
      data = { offset, declared: chunkSize };
    }
    offset += 8 + chunkSize + (chunkSize & 1);
  }
  if (!fmt) throw truncated('no fmt chunk (the header is cut short)');
  if (!data) throw truncated('no data chunk (the header is cut short or the file holds no audio)');

  const b = fmt.body;
  const formatTag = u16(b, 0);
  const channels = u16(b, 2);
  const sampleRate = u32(b, 4);
  const blockAlign = u16(b, 12);
  const bitsPerSample = u16(b, 14);
  let tag = formatTag;
  let subFormatTag: number | undefined;
  if (formatTag === 0xfffe) {
    if (b.length < 40 || u16(b, 16) < 22) throw unreadable('WAVE_FORMAT_EXTENSIBLE without its 22-byte extension');
    subFormatTag = u16(b, 24);
    tag = subFormatTag;
  }
  const details = { formatTag, subFormatTag, channels, sampleRate, bitsPerSample };
  if (tag !== 1 && tag !== 3) throw unsupported(`${formatName(tag)} audio is not supported`, details);
  if (channels < 1 || channels > 32) throw unsupported(`${channels} channels (1 to 32 are supported)`, details);
  if (sampleRate < 1000 || sampleRate > 768_000) throw unsupported(`a sample rate of ${sampleRate} Hz`, details);
  const bytes = Math.ceil(bitsPerSample / 8);
  if (blockAlign !== bytes * channels) {
    throw unsupported(`block align ${blockAlign} does not fit ${channels} x ${bitsPerSample}-bit samples`, details);
  }
  let encoding: SampleEncoding;
  if (tag === 1 && bytes === 1) encoding = { kind: 'uint8' };
  else if (tag === 1 && (bytes === 2 || bytes === 3 || bytes === 4)) encoding = { kind: 'int', bytes };
  else if (tag === 3 && (bytes === 4 || bytes === 8)) encoding = { kind: 'float', bytes };
  else throw unsupported(`${bitsPerSample}-bit ${tag === 3 ? 'float' : 'PCM'} samples are not supported`, details);

  const start = data.offset + 8;
  const present = Math.max(0, size - start);
  // 0 (and 0xFFFFFFFF-ish) mark WAVs written while streaming: the audio runs to the end of the file.
  const streamed = data.declared === 0 || data.declared >= 0xffffff00 - 200;
  const dataBytes = streamed ? present : Math.min(present, data.declared);
  if (dataBytes === 0 && !streamed) throw truncated(`the data chunk declares ${data.declared} bytes but the file ends after the header`);
  return {
    path,
    bigEndian: be,
    riff: Buffer.from(riff),
    fmtOffset: fmt.offset,
    fmtSize: fmt.size,
    formatTag,
    subFormatTag,
    channels,
    sampleRate,
    bitsPerSample,
    encoding,
    dataOffset: data.offset,
    dataBytes,
    declaredDataBytes: data.declared,
    streamed,
  };
}

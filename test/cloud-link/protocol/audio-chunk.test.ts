import {
  AUDIO_CHUNK_HEADER_BYTES,
  MAX_CHUNK_SAMPLES,
  decodeAudioChunk,
  encodeAudioChunk,
} from '../../../cloud-link/protocol/audio-chunk.js';
import { MAX_UTTERANCE_CHUNKS, MAX_UTTERANCE_SAMPLES } from '../../../cloud-link/protocol/utterance-limits.js';

describe('audio chunk codec', () => {
  test('the wire bytes of a known chunk: header fields little-endian, then s16le samples', () => {
    const bytes = encodeAudioChunk({ seq: 0x01020304, offset: 8000, samples: Int16Array.from([1, -2, 0x7fff, -0x8000]) });
    expect(Array.from(bytes)).toEqual([
      0x01, 12, 0x00, 0x00, // version 1, header length 12, reserved
      0x04, 0x03, 0x02, 0x01, // seq
      0x40, 0x1f, 0x00, 0x00, // offset 8000 = 0x1f40
      0x01, 0x00, 0xfe, 0xff, 0xff, 0x7f, 0x00, 0x80, // 1, -2, 32767, -32768
    ]);
  });

  test('round trip, including a payload that sits at an odd byte offset in a larger buffer', () => {
    const samples = Int16Array.from({ length: 1280 }, (_, i) => ((i * 37) % 65536) - 32768);
    const encoded = encodeAudioChunk({ seq: 7, offset: 1280 * 7, samples });
    const backing = Buffer.alloc(encoded.length + 1);
    encoded.copy(backing, 1);
    const decoded = decodeAudioChunk(backing.subarray(1));
    expect(decoded.seq).toBe(7);
    expect(decoded.offset).toBe(8960);
    expect(Array.from(decoded.samples)).toEqual(Array.from(samples));
    expect(encoded.length).toBe(AUDIO_CHUNK_HEADER_BYTES + 2560);
  });

  test('the samples are a copy: changing the payload later does not change them', () => {
    const encoded = encodeAudioChunk({ seq: 0, offset: 0, samples: Int16Array.from([5, 6]) });
    const decoded = decodeAudioChunk(encoded);
    encoded.fill(0);
    expect(Array.from(decoded.samples)).toEqual([5, 6]);
  });

  test('a longer header of a later minor version is skipped', () => {
    const encoded = encodeAudioChunk({ seq: 1, offset: 2, samples: Int16Array.from([9]) });
    const extended = Buffer.concat([encoded.subarray(0, 12), Buffer.from([0xaa, 0xbb]), encoded.subarray(12)]);
    extended.writeUInt8(14, 1);
    expect(Array.from(decodeAudioChunk(extended).samples)).toEqual([9]);
  });

  test('an empty chunk is valid', () => {
    expect(decodeAudioChunk(encodeAudioChunk({ seq: 3, offset: 0, samples: new Int16Array(0) })).samples.length).toBe(0);
  });

  test('malformed payloads throw PROTOCOL_MESSAGE_INVALID and nothing else', () => {
    const good = encodeAudioChunk({ seq: 0, offset: 0, samples: Int16Array.from([1, 2]) });
    const bad = (mutate: (b: Buffer) => Buffer) => () => decodeAudioChunk(mutate(Buffer.from(good)));
    const code = expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID' });
    expect(bad((b) => b.subarray(0, 11))).toThrow(code);
    expect(bad((b) => b.subarray(0, 15))).toThrow(code); // odd PCM byte count
    expect(bad((b) => (b.writeUInt8(2, 0), b))).toThrow(code); // version
    expect(bad((b) => (b.writeUInt8(11, 1), b))).toThrow(code); // header shorter than 12
    expect(bad((b) => (b.writeUInt8(200, 1), b))).toThrow(code); // header past the end
    expect(() => decodeAudioChunk(Buffer.from('{"json":true}'))).toThrow(code);
    const tooLong = Buffer.concat([good.subarray(0, 12), Buffer.alloc((MAX_CHUNK_SAMPLES + 1) * 2)]);
    expect(() => decodeAudioChunk(tooLong)).toThrow(code);
  });

  test('encoding refuses values the header cannot hold', () => {
    const code = expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID' });
    expect(() => encodeAudioChunk({ seq: -1, offset: 0, samples: new Int16Array(1) })).toThrow(code);
    expect(() => encodeAudioChunk({ seq: 2 ** 32, offset: 0, samples: new Int16Array(1) })).toThrow(code);
    expect(() => encodeAudioChunk({ seq: 0, offset: 0.5, samples: new Int16Array(1) })).toThrow(code);
    expect(() => encodeAudioChunk({ seq: 0, offset: 0, samples: new Int16Array(MAX_CHUNK_SAMPLES + 1) })).toThrow(code);
  });

  test('decoding refuses numbers beyond an utterance before copying a sample: seq, offset, length', () => {
    /** A header as a hostile device could write it (encode refuses what the header cannot hold only). */
    const raw = (seq: number, offset: number, samples: number): Buffer => {
      const b = Buffer.alloc(AUDIO_CHUNK_HEADER_BYTES + samples * 2);
      b.writeUInt8(1, 0);
      b.writeUInt8(AUDIO_CHUNK_HEADER_BYTES, 1);
      b.writeUInt32LE(seq, 4);
      b.writeUInt32LE(offset, 8);
      return b;
    };
    const refused = (what: string) => expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID', message: expect.stringContaining(what) });
    expect(() => decodeAudioChunk(raw(0xffff_ffff, 0, 1280))).toThrow(refused(`${MAX_UTTERANCE_CHUNKS} chunks`));
    expect(() => decodeAudioChunk(raw(MAX_UTTERANCE_CHUNKS, 0, 0))).toThrow(refused(`${MAX_UTTERANCE_CHUNKS} chunks`));
    expect(() => decodeAudioChunk(raw(2, 2 * 1280 + 1, 10))).toThrow(refused('beyond where chunk 2 can begin'));
    expect(() => decodeAudioChunk(raw(0, 0xffff_ffff, 1))).toThrow(refused('beyond where chunk 0 can begin'));
    expect(() => decodeAudioChunk(raw(MAX_UTTERANCE_CHUNKS - 1, MAX_UTTERANCE_SAMPLES - 10, 11))).toThrow(refused(`run past the ${MAX_UTTERANCE_SAMPLES}`));
    expect(() => decodeAudioChunk(raw(1, 1280, MAX_CHUNK_SAMPLES + 1))).toThrow(refused(`at most ${MAX_CHUNK_SAMPLES} per chunk`));
    // At the bounds: accepted.
    expect(decodeAudioChunk(raw(MAX_UTTERANCE_CHUNKS - 1, MAX_UTTERANCE_SAMPLES - 10, 10))).toMatchObject({ seq: MAX_UTTERANCE_CHUNKS - 1, offset: MAX_UTTERANCE_SAMPLES - 10 });
    expect(decodeAudioChunk(raw(3, 3 * 1280, 1280)).samples).toHaveLength(1280);
    expect(decodeAudioChunk(raw(3, 100, 7)).offset).toBe(100); // earlier chunks may have been short
  });
});

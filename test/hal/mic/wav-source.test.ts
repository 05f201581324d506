import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_FRAME_SAMPLES } from '../../../hal/mic/types.js';
import { WavSource } from '../../../hal/mic/wav-source.js';
import { writeWav16, writeWavBytes } from '../../../hal/mic/wav-writer.js';
import {
  channel,
  collect,
  fmtBody,
  int16Bytes,
  pseudoRandomInt16,
  riffWave,
  sine,
  tempDir,
  toneAmplitude,
  zeroCrossingFrequency,
  thrown,
} from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());


describe('WavSource: formats', () => {
  it('reads 16-bit 16 kHz mono exactly, in 1280-sample frames with a shorter last frame', async () => {
    const data = pseudoRandomInt16(3 * DEFAULT_FRAME_SAMPLES + 100);
    const file = tmp.file('plain.wav');
    await writeWav16(file, data, 1, 16000);
    const src = new WavSource(file, { fast: true });
    expect(src.info).toEqual({ description: `wav:${file}`, channels: 1, sampleRate: 16000 });
    const got = await collect(src);
    expect(got.frames.map((f) => [f.index, f.samples.length])).toEqual([
      [0, 1280],
      [1280, 1280],
      [2560, 1280],
      [3840, 100],
    ]);
    expect(Array.from(got.samples)).toEqual(Array.from(data));
  });

  it('reads 8-bit unsigned PCM (128 is zero, one step is 256 in int16)', async () => {
    const bytes = Buffer.from([128, 0, 255, 129, 127, 64, 192]);
    const file = tmp.file('u8.wav');
    await writeWavBytes(file, bytes, { channels: 1, sampleRate: 16000, bitDepth: 8 });
    const got = await collect(new WavSource(file, { fast: true }));
    expect(Array.from(got.samples)).toEqual([0, -32768, 32512, 256, -256, -16384, 16384]);
  });

  it('reads 24-bit PCM, rounding to 16 bits', async () => {
    const values = [0, 1000 * 256 + 100, -1000 * 256 - 100, 1000 * 256 + 200, 8388607, -8388608];
    const bytes = Buffer.alloc(values.length * 3);
    values.forEach((v, i) => bytes.writeIntLE(v, i * 3, 3));
    const file = tmp.file('s24.wav');
    await writeWavBytes(file, bytes, { channels: 1, sampleRate: 16000, bitDepth: 24 });
    const got = await collect(new WavSource(file, { fast: true }));
    expect(Array.from(got.samples)).toEqual([0, 1000, -1000, 1001, 32767, -32768]);
  });

  it('reads 32-bit int PCM', async () => {
    const bytes = Buffer.alloc(12);
    [12345 * 65536, -2147483648, 2147483647].forEach((v, i) => bytes.writeInt32LE(v, i * 4));
    const file = tmp.file('s32.wav');
    await writeWavBytes(file, bytes, { channels: 1, sampleRate: 16000, bitDepth: 32 });
    const got = await collect(new WavSource(file, { fast: true }));
    expect(Array.from(got.samples)).toEqual([12345, -32768, 32767]);
  });

  it('reads 32-bit float (format 3), clamping values beyond full scale', async () => {
    const values = [0, 0.5, -0.5, 1000 / 32768, 1.5, -2];
    const bytes = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
    const file = tmp.file('f32.wav');
    await writeWavBytes(file, bytes, { audioFormat: 3, channels: 1, sampleRate: 16000, bitDepth: 32 });
    const got = await collect(new WavSource(file, { fast: true }));
    expect(Array.from(got.samples)).toEqual([0, 16384, -16384, 1000, 32767, -32768]);
  });

  it('reads 64-bit float', async () => {
    const bytes = Buffer.alloc(16);
    bytes.writeDoubleLE(-0.125, 0);
    bytes.writeDoubleLE(0.75, 8);
    const file = tmp.file('f64.wav');
    await writeWavBytes(file, bytes, { audioFormat: 3, channels: 1, sampleRate: 16000, bitDepth: 64 });
    expect(Array.from((await collect(new WavSource(file, { fast: true }))).samples)).toEqual([-4096, 24576]);
  });

  it('reads big-endian RIFX', async () => {
    const le = riffWave([
      { id: 'fmt ', body: fmtBody({ tag: 1, channels: 2, rate: 16000, bits: 16 }) },
      { id: 'data', body: int16Bytes(Int16Array.from([1, -2, 300, -32768])) },
    ]);
    // Swap every field to big-endian: sizes, fmt fields and samples.
    const be = Buffer.from(le);
    be.write('RIFX', 0, 'latin1');
    be.writeUInt32BE(le.readUInt32LE(4), 4);
    be.writeUInt32BE(16, 16);
    be.writeUInt16BE(1, 20);
    be.writeUInt16BE(2, 22);
    be.writeUInt32BE(16000, 24);
    be.writeUInt32BE(64000, 28);
    be.writeUInt16BE(4, 32);
    be.writeUInt16BE(16, 34);
    be.writeUInt32BE(8, 40);
    for (let i = 44; i < 52; i += 2) be.writeInt16BE(le.readInt16LE(i), i);
    const file = tmp.file('rifx.wav');
    writeFileSync(file, be);
    expect(Array.from((await collect(new WavSource(file, { fast: true }))).samples)).toEqual([1, -2, 300, -32768]);
  });

  it('plays what there is of a file cut inside its audio (even mid-sample)', async () => {
    const data = pseudoRandomInt16(1000, 4);
    const file = tmp.file('cut-audio.wav');
    await writeWav16(file, data, 1, 16000);
    writeFileSync(file, readFileSync(file).subarray(0, 44 + 1001));
    expect(Array.from((await collect(new WavSource(file, { fast: true }))).samples)).toEqual(Array.from(data.subarray(0, 500)));
  });

  it('reads WAVE_FORMAT_EXTENSIBLE PCM (4 channels kept as 4) and float', async () => {
    const data = pseudoRandomInt16(4 * 1500, 3);
    const pcm = tmp.file('ext-pcm.wav');
    writeFileSync(pcm, riffWave([
      { id: 'fmt ', body: fmtBody({ tag: 1, channels: 4, rate: 16000, bits: 16, subFormat: 1 }) },
      { id: 'data', body: int16Bytes(data) },
    ]));
    const a = await collect(new WavSource(pcm, { fast: true }));
    expect(a.channels).toBe(4);
    expect(a.frames[0]?.samples.length).toBe(4 * 1280);
    expect(Array.from(a.samples)).toEqual(Array.from(data));

    const floats = Buffer.alloc(8);
    floats.writeFloatLE(0.25, 0);
    floats.writeFloatLE(-0.25, 4);
    const flt = tmp.file('ext-float.wav');
    writeFileSync(flt, riffWave([
      { id: 'fmt ', body: fmtBody({ tag: 3, channels: 1, rate: 16000, bits: 32, subFormat: 3 }) },
      { id: 'data', body: floats },
    ]));
    expect(Array.from((await collect(new WavSource(flt, { fast: true }))).samples)).toEqual([8192, -8192]);
  });

  it('converts 44.1 kHz stereo to 16 kHz stereo: right length, tones keep their frequency and level', async () => {
    const seconds = 1.5;
    const n = Math.round(seconds * 44100);
    const left = sine(n, 1000, 44100, 10000);
    const right = sine(n, 2500, 44100, 5000);
    const inter = new Int16Array(2 * n);
    for (let i = 0; i < n; i++) {
      inter[2 * i] = Math.round(left[i] ?? 0);
      inter[2 * i + 1] = Math.round(right[i] ?? 0);
    }
    const file = tmp.file('cd.wav');
    await writeWav16(file, inter, 2, 44100);
    const src = new WavSource(file, { fast: true });
    expect(src.info.channels).toBe(2);
    expect(src.info.sampleRate).toBe(16000);
    const got = await collect(src);
    expect(got.frames.every((f) => f.channels === 2)).toBe(true);
    expect(got.samples.length / 2).toBe(Math.ceil((n * 16000) / 44100)); // 24000
    // Away from the edges (the filter's half-length), each channel is its own clean tone.
    const l = channel(got.samples, 2, 0).subarray(1000, 23000);
    const r = channel(got.samples, 2, 1).subarray(1000, 23000);
    expect(zeroCrossingFrequency(l, 16000)).toBeCloseTo(1000, 0);
    expect(zeroCrossingFrequency(r, 16000)).toBeCloseTo(2500, 0);
    expect(toneAmplitude(l, 1000, 16000)).toBeCloseTo(10000, -1); // within 5
    expect(toneAmplitude(r, 2500, 16000)).toBeCloseTo(5000, -1);
    expect(toneAmplitude(l, 2500, 16000)).toBeLessThan(5); // no crosstalk
  });

  it('copies a mono file to every channel when the array has more', async () => {
    const file = tmp.file('mono-up.wav');
    await writeWav16(file, Int16Array.from([1, -2, 3]), 1, 16000);
    const got = await collect(new WavSource(file, { fast: true, channels: 3 }));
    expect(Array.from(got.samples)).toEqual([1, 1, 1, -2, -2, -2, 3, 3, 3]);
  });

  it('refuses a channel count that does not fit the array', async () => {
    const file = tmp.file('stereo.wav');
    await writeWav16(file, Int16Array.from([1, 2]), 2, 16000);
    expect(thrown(() => new WavSource(file, { channels: 4 })).code).toBe('AUDIO_FORMAT_INVALID');
  });

  it('finds fmt and data behind other chunks (JUNK first, odd-sized LIST with its pad byte)', async () => {
    const data = pseudoRandomInt16(999, 11);
    const file = tmp.file('chunky.wav');
    writeFileSync(file, riffWave([
      { id: 'JUNK', body: Buffer.alloc(28) },
      { id: 'fmt ', body: fmtBody({ tag: 1, channels: 1, rate: 16000, bits: 16 }) },
      { id: 'LIST', body: Buffer.from('INFOISFT\x05\x00\x00\x00abcde', 'latin1') },
      { id: 'data', body: int16Bytes(data) },
      { id: 'id3 ', body: Buffer.alloc(10, 0x41) },
    ]));
    expect(Array.from((await collect(new WavSource(file, { fast: true }))).samples)).toEqual(Array.from(data));
  });

  it('plays a streamed WAV (data size left at the maximum) to the end of the file', async () => {
    const data = pseudoRandomInt16(2000, 5);
    const file = tmp.file('streamed.wav');
    const bytes = riffWave([
      { id: 'fmt ', body: fmtBody({ tag: 1, channels: 1, rate: 16000, bits: 16 }) },
      { id: 'data', body: int16Bytes(data) },
    ]);
    bytes.writeUInt32LE(0xffffffff - 100, 40);
    writeFileSync(file, bytes);
    expect(Array.from((await collect(new WavSource(file, { fast: true }))).samples)).toEqual(Array.from(data));
  });

  it('plays several files back to back with contiguous indices', async () => {
    const a = pseudoRandomInt16(2000, 1);
    const b = pseudoRandomInt16(1500, 2);
    const fa = tmp.file('a.wav');
    const fb = tmp.file('b.wav');
    await writeWav16(fa, a, 1, 16000);
    await writeWav16(fb, b, 1, 16000);
    const src = new WavSource([fa, fb], { fast: true });
    expect(src.info.description).toBe(`wav:${fa},${fb}`);
    const got = await collect(src);
    let next = 0;
    for (const f of got.frames) {
      expect(f.index).toBe(next);
      next += f.samples.length;
    }
    expect(next).toBe(3500);
    expect(got.frames.map((f) => f.samples.length)).toEqual([1280, 1280, 940]);
    expect(Array.from(got.samples)).toEqual([...a, ...b]);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { WavSource } from '../../../hal/mic/wav-source.js';
import { writeWav16, writeWavBytes } from '../../../hal/mic/wav-writer.js';
import { fmtBody, pseudoRandomInt16, riffWave, tempDir, thrown } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());


describe('WavSource: clear errors', () => {
  let good: Buffer;
  beforeAll(async () => {
    const file = tmp.file('good.wav');
    await writeWav16(file, pseudoRandomInt16(100), 1, 16000);
    good = readFileSync(file);
  });

  it.each([
    ['inside the fmt chunk', 30],
    ['inside the data chunk header', 40],
    ['inside the RIFF header', 8],
  ])('a header cut %s is WAV_TRUNCATED', (_what, length) => {
    const file = tmp.file(`cut-${length}.wav`);
    writeFileSync(file, good.subarray(0, length));
    const err = thrown(() => new WavSource(file));
    expect(err.code).toBe('WAV_TRUNCATED');
    expect(err.message).toContain(file);
    expect(err.hint).toBeTruthy();
  });

  it('a header that ends before its audio (data declared, none present) is WAV_TRUNCATED', () => {
    const file = tmp.file('cut-44.wav');
    writeFileSync(file, good.subarray(0, 44));
    expect(thrown(() => new WavSource(file)).code).toBe('WAV_TRUNCATED');
  });

  it('a WAV without a data chunk is WAV_TRUNCATED', () => {
    const file = tmp.file('nodata.wav');
    writeFileSync(file, riffWave([{ id: 'fmt ', body: fmtBody({ tag: 1, channels: 1, rate: 16000, bits: 16 }) }]));
    const err = thrown(() => new WavSource(file));
    expect(err.code).toBe('WAV_TRUNCATED');
    expect(err.message).toMatch(/no data chunk/);
  });

  it('garbage is WAV_UNREADABLE, with a hint saying what is needed', () => {
    const file = tmp.file('garbage.wav');
    writeFileSync(file, Buffer.from('this is not audio at all, just some text\n'));
    const err = thrown(() => new WavSource(file));
    expect(err.code).toBe('WAV_UNREADABLE');
    expect(err.message).toMatch(/not a WAV file/);
    expect(err.hint).toMatch(/RIFF\/WAVE/);
  });

  it('a missing file is WAV_UNREADABLE', () => {
    const err = thrown(() => new WavSource(tmp.file('nope.wav')));
    expect(err.code).toBe('WAV_UNREADABLE');
    expect(err.message).toMatch(/ENOENT/);
  });

  it('mu-law is WAV_UNSUPPORTED_FORMAT naming the format and how to convert it', async () => {
    const file = tmp.file('ulaw.wav');
    await writeWavBytes(file, Buffer.alloc(100, 0xff), { audioFormat: 7, channels: 1, sampleRate: 8000, bitDepth: 8 });
    const err = thrown(() => new WavSource(file));
    expect(err.code).toBe('WAV_UNSUPPORTED_FORMAT');
    expect(err.message).toMatch(/mu-law \(format tag 0x0007\)/);
    expect(err.hint).toMatch(/sox .* -e signed-integer -b 16/);
    expect(err.details).toMatchObject({ formatTag: 7 });
  });

  it('ADPCM is WAV_UNSUPPORTED_FORMAT', () => {
    const file = tmp.file('adpcm.wav');
    writeFileSync(file, riffWave([
      { id: 'fmt ', body: fmtBody({ tag: 2, channels: 1, rate: 16000, bits: 4 * 2 }) },
      { id: 'data', body: Buffer.alloc(64) },
    ]));
    const err = thrown(() => new WavSource(file));
    expect(err.code).toBe('WAV_UNSUPPORTED_FORMAT');
    expect(err.message).toMatch(/ADPCM/);
  });
});

import { PassThrough } from 'node:stream';
import { isEchosimError } from '../../../core/errors.js';
import { AlsaSource } from '../../../hal/mic/alsa-source.js';
import { openMic, parseMicSpec } from '../../../hal/mic/open.js';
import { StdinSource } from '../../../hal/mic/stdin-source.js';
import { SyntheticSource } from '../../../hal/mic/synthetic-source.js';
import { WavSource } from '../../../hal/mic/wav-source.js';
import { writeWav16 } from '../../../hal/mic/wav-writer.js';
import { collect, dbfs, rms, tempDir, zeroCrossingFrequency } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('parseMicSpec', () => {
  it.each([
    ['wav:a.wav', { kind: 'wav', files: ['a.wav'] }],
    ['wav:/x/a.wav,b.wav', { kind: 'wav', files: ['/x/a.wav', 'b.wav'] }],
    ['alsa', { kind: 'alsa', device: 'default' }],
    ['alsa:plughw:CARD=seeed4micvoicec,DEV=0', { kind: 'alsa', device: 'plughw:CARD=seeed4micvoicec,DEV=0' }],
    ['stdin', { kind: 'stdin' }],
    ['synthetic:silence', { kind: 'synthetic', synthetic: 'silence' }],
    ['synthetic:silence:-60', { kind: 'synthetic', synthetic: 'silence', levelDbfs: -60 }],
    ['synthetic:tone', { kind: 'synthetic', synthetic: 'tone' }],
    ['synthetic:tone:440', { kind: 'synthetic', synthetic: 'tone', frequencyHz: 440 }],
    ['synthetic:tone:1000:-12', { kind: 'synthetic', synthetic: 'tone', frequencyHz: 1000, levelDbfs: -12 }],
    ['synthetic:noise', { kind: 'synthetic', synthetic: 'noise' }],
  ])('%s', (spec, parsed) => {
    expect(parseMicSpec(spec)).toEqual(parsed);
  });

  it.each(['', 'wav', 'wav:', 'wav:a.wav,,b.wav', 'alsa:', 'stdin:x', 'mic', 'synthetic', 'synthetic:hum', 'synthetic:tone:abc', 'synthetic:tone:9000', 'synthetic:noise:3', 'synthetic:silence:-1:2'])(
    '%j is MIC_SPEC_INVALID with the accepted forms in the hint',
    (spec) => {
      let err: unknown;
      try {
        parseMicSpec(spec);
      } catch (e) {
        err = e;
      }
      expect(isEchosimError(err, 'MIC_SPEC_INVALID')).toBe(true);
      const hint = (err as { hint: string }).hint;
      for (const form of ['wav:FILE[,FILE...]', 'alsa[:DEVICE]', 'stdin', 'synthetic:silence', 'synthetic:tone', 'synthetic:noise']) {
        expect(hint).toContain(form);
      }
    },
  );
});

describe('openMic', () => {
  it('opens each kind of source with the options', async () => {
    const file = tmp.file('one.wav');
    await writeWav16(file, new Int16Array(100), 1, 16000);
    const wav = openMic(`wav:${file}`, { fast: true });
    expect(wav).toBeInstanceOf(WavSource);
    expect((await collect(wav)).samples.length).toBe(100);

    const alsa = openMic('alsa:hw:1,0', { channels: 4 });
    expect(alsa).toBeInstanceOf(AlsaSource);
    expect(alsa.info).toEqual({ description: 'alsa:hw:1,0', channels: 4, sampleRate: 16000 });

    const stdin = new PassThrough();
    const s = openMic('stdin', { stdin, channels: 2 });
    expect(s).toBeInstanceOf(StdinSource);
    expect(s.info.channels).toBe(2);
    stdin.end(Buffer.alloc(8));
    expect((await collect(s)).samples.length).toBe(4);

    const tone = openMic('synthetic:tone:440', { fast: true, durationSeconds: 1, channels: 3 });
    expect(tone).toBeInstanceOf(SyntheticSource);
    expect(tone.info).toEqual({ description: 'synthetic:tone:440', channels: 3, sampleRate: 16000 });
    const t = await collect(tone);
    expect(t.samples.length).toBe(3 * 16000);
    expect(zeroCrossingFrequency(t.samples.filter((_, i) => i % 3 === 0), 16000)).toBeCloseTo(440, 0);

    const quiet = await collect(openMic('synthetic:silence:-50', { fast: true, durationSeconds: 2 }));
    expect(Math.abs(dbfs(rms(quiet.samples)) - -50)).toBeLessThan(1);
  });

  it('checks WAV files when opening', () => {
    expect(() => openMic(`wav:${tmp.file('missing.wav')}`)).toThrow(expect.objectContaining({ code: 'WAV_UNREADABLE' }));
  });
});

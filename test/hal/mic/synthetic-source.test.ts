import { SyntheticSource } from '../../../hal/mic/synthetic-source.js';
import { channel, collect, dbfs, rms, toneAmplitude, zeroCrossingFrequency } from './helpers.js';

describe('SyntheticSource', () => {
  it('silence has a -70 dBFS noise floor by default (RMS within 1 dB)', async () => {
    const got = await collect(new SyntheticSource({ fast: true, durationSeconds: 5 }));
    expect(got.samples.length).toBe(80000);
    expect(Math.abs(dbfs(rms(got.samples)) - -70)).toBeLessThan(1);
  });

  it.each([-90, -60, -40])('a %i dBFS noise floor measures within 1 dB', async (level) => {
    const got = await collect(new SyntheticSource({ fast: true, durationSeconds: 5, noiseFloorDbfs: level }));
    expect(Math.abs(dbfs(rms(got.samples)) - level)).toBeLessThan(1);
  });

  it('-Infinity gives digital silence', async () => {
    const got = await collect(new SyntheticSource({ fast: true, durationSeconds: 0.5, noiseFloorDbfs: -Infinity }));
    expect(got.samples.every((v) => v === 0)).toBe(true);
  });

  it('white noise at the requested level', async () => {
    const got = await collect(new SyntheticSource({ kind: 'noise', levelDbfs: -25, fast: true, durationSeconds: 3 }));
    expect(Math.abs(dbfs(rms(got.samples)) - -25)).toBeLessThan(0.2);
  });

  it('a tone has its frequency and level (RMS dBFS), over the noise floor', async () => {
    const got = await collect(new SyntheticSource({ kind: 'tone', frequencyHz: 1000, levelDbfs: -20, fast: true, durationSeconds: 2 }));
    expect(zeroCrossingFrequency(got.samples, 16000)).toBeCloseTo(1000, 1);
    expect(toneAmplitude(got.samples, 1000, 16000)).toBeCloseTo(32768 * 0.1 * Math.SQRT2, -1);
    expect(Math.abs(dbfs(rms(got.samples)) - -20)).toBeLessThan(0.05);
  });

  it('lasts its duration, the last frame shorter; endless without one', async () => {
    const got = await collect(new SyntheticSource({ fast: true, durationSeconds: 1 }));
    expect(got.frames.map((f) => f.samples.length)).toEqual([...Array<number>(12).fill(1280), 640]);
    expect(got.frames.map((f) => f.index)).toEqual(Array.from({ length: 13 }, (_, i) => i * 1280));
    const endless = await collect(new SyntheticSource({ fast: true }), 200);
    expect(endless.frames).toHaveLength(200);
  });

  it('is deterministic per seed, with independent noise per channel', async () => {
    const a = await collect(new SyntheticSource({ fast: true, durationSeconds: 1, channels: 2, seed: 42 }));
    const b = await collect(new SyntheticSource({ fast: true, durationSeconds: 1, channels: 2, seed: 42 }));
    const c = await collect(new SyntheticSource({ fast: true, durationSeconds: 1, channels: 2, seed: 43 }));
    expect(Array.from(a.samples)).toEqual(Array.from(b.samples));
    expect(Array.from(a.samples)).not.toEqual(Array.from(c.samples));
    const l = channel(a.samples, 2, 0);
    const r = channel(a.samples, 2, 1);
    let dot = 0;
    for (let i = 0; i < l.length; i++) dot += (l[i] ?? 0) * (r[i] ?? 0);
    expect(Math.abs(dot / (l.length * rms(l) * rms(r)))).toBeLessThan(0.05);
  });

  it('refuses impossible settings', () => {
    expect(() => new SyntheticSource({ kind: 'tone', frequencyHz: 9000 })).toThrow(expect.objectContaining({ code: 'MIC_SPEC_INVALID' }));
    expect(() => new SyntheticSource({ channels: 0 })).toThrow(expect.objectContaining({ code: 'MIC_SPEC_INVALID' }));
  });
});

import { GccPhat } from '../../../../firmware/audio/doa/gcc-phat.js';
import { spatialize } from '../../../../hal/mic/talker.js';

const FS = 16000;

/** Seeded white noise, int16. */
function noise(n: number, seed: number, amplitude = 3000): Int16Array {
  let s = seed >>> 0;
  return Int16Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round((s / 2 ** 32 - 0.5) * 2 * amplitude);
  });
}

function deinterleave(x: Int16Array, channels: number): Int16Array[] {
  const n = x.length / channels;
  return Array.from({ length: channels }, (_, c) => Int16Array.from({ length: n }, (_, i) => x[i * channels + c]!));
}

function gcc(minRms = 10): GccPhat {
  return new GccPhat({ channels: 2, pairs: [[0, 1]], sampleRate: FS, frameSize: 512, minHz: 200, maxHz: 7000, maxLagSamples: 5, lagStep: 1 / 8, minRms });
}

/** The whole averaged GCC of pair 0 on the lag grid. */
function correlation(g: GccPhat, sum: ReturnType<GccPhat['createSum']>): Float64Array {
  const r = new Float64Array(g.lagCount);
  g.correlate(sum, 0, 0, g.lagCount, r);
  return r;
}

describe('GccPhat', () => {
  it('the lag grid covers +-maxLag in 1/8 sample steps, with lag 0 on it', () => {
    const g = gcc();
    expect(g.fftSize).toBe(1024); // 512-sample sub-frames zero-padded to twice their length
    expect(g.lagAt(g.zeroLagIndex)).toBe(0);
    expect(g.lagAt(0)).toBeLessThanOrEqual(-5);
    expect(g.lagAt(g.lagCount - 1)).toBeGreaterThanOrEqual(5);
    expect(g.binLo).toBe(Math.ceil(200 / (FS / 1024)));
  });

  it.each([2.3, -1.625, 0.4, -3.9])('white noise with channel 0 leading by %f samples peaks at that fractional lag', (d) => {
    // Mic 0 sits d*c/fs metres towards a talker at 0 deg, so it hears the noise d samples before mic 1.
    const positions = [{ x: (d * 343) / FS, y: 0 }, { x: 0, y: 0 }];
    const x = deinterleave(spatialize(noise(8000, 5), positions, 0), 2);
    const g = gcc();
    const sum = g.createSum();
    expect(g.addPlanar(x, sum)).toBe(31); // 8000 samples: 30 sub-frames at 0, 256, ..., 7424, then one at 7488
    const r = correlation(g, sum);
    const best = r.indexOf(Math.max(...r));
    expect(Math.abs(g.lagAt(best) - d)).toBeLessThanOrEqual(1 / 16 + 1e-9);
    expect(r[best]).toBeGreaterThan(0.9); // coherent: close to the ideal 1
  });

  it('independent noise on the two channels correlates nowhere', () => {
    const g = gcc();
    const sum = g.createSum();
    g.addPlanar([noise(16000, 1), noise(16000, 2)], sum);
    const r = correlation(g, sum);
    expect(Math.max(...r.map(Math.abs))).toBeLessThan(0.1);
  });

  it('interleaved and planar input give the same sums', () => {
    const a = noise(1280, 3);
    const b = noise(1280, 4);
    const inter = new Int16Array(2560);
    for (let i = 0; i < 1280; i++) {
      inter[2 * i] = a[i]!;
      inter[2 * i + 1] = b[i]!;
    }
    const g = gcc();
    const s1 = g.createSum();
    const s2 = g.createSum();
    expect(g.addPlanar([a, b], s1)).toBe(4);
    expect(g.addInterleaved(inter, s2)).toBe(4);
    expect(s2.re).toEqual(s1.re);
    expect(s2.im).toEqual(s1.im);
    expect(s2.frames).toBe(4);
  });

  it('sub-frames: 50% overlap, the last aligned to the block end, short blocks as one, tiny blocks ignored', () => {
    const g = gcc();
    const count = (n: number): number => g.addPlanar([noise(n, 1), noise(n, 2)], g.createSum());
    expect(count(1280)).toBe(4); // 0, 256, 512, 768
    expect(count(1000)).toBe(3); // 0, 256, and 488 so the tail counts
    expect(count(512)).toBe(1);
    expect(count(300)).toBe(1);
    expect(count(63)).toBe(0);
  });

  it('sub-frames below minRms are skipped; nothing summed correlates to 0', () => {
    const g = gcc(500);
    const sum = g.createSum();
    const quiet = [noise(1280, 1, 700), noise(1280, 2, 700)]; // uniform noise: RMS = 700 / sqrt(3) = 404
    expect(g.addPlanar(quiet, sum)).toBe(0);
    expect(sum.frames).toBe(0);
    expect(Math.max(...correlation(g, sum).map(Math.abs))).toBe(0);
    const mixed = [new Int16Array(1280), new Int16Array(1280)];
    mixed[0]!.set(noise(512, 3, 3000), 768);
    mixed[1]!.set(noise(512, 4, 3000), 768);
    expect(g.addPlanar(mixed, sum)).toBe(2); // 0..512 and 256..768 are silent; 512..1024 (half loud) and 768..1280 count
    expect(sum.frames).toBe(2);
  });
});

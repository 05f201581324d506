import { isEchosimError } from '../../../core/errors.js';
import { spatialize, TalkerFilter } from '../../../hal/mic/talker.js';
import { micPositions } from '../../../firmware/device-model.js';
import { channel, rms } from './helpers.js';

const FS = 16000;
const C_AIR = 343;
const dot = micPositions({ count: 4, geometry: 'circular', radiusMm: 32 });
const echo2 = micPositions({ count: 7, geometry: 'circular-with-centre', radiusMm: 36 });

/** The advance (samples) of a mic at p for a talker at az degrees, straight from the device convention. */
function advance(p: { x: number; y: number }, azDeg: number): number {
  const t = (azDeg * Math.PI) / 180;
  return (FS * (p.x * Math.cos(t) + p.y * Math.sin(t))) / C_AIR;
}

function sineInt16(n: number, hz: number, amplitude: number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / FS)));
}

describe('spatialize', () => {
  it.each([
    [500, 0],
    [1000, 37],
    [3000, 135],
    [6000, 250],
  ])('a %i Hz tone from %i deg: each mic hears it at n - latency + fs (p.u)/c', (hz, az) => {
    const n = 4000;
    const amplitude = 10000;
    const out = spatialize(sineInt16(n, hz, amplitude), echo2, az);
    expect(out.length).toBe(n * echo2.length);
    const latency = new TalkerFilter(echo2, az).latencySamples;
    echo2.forEach((p, c) => {
      const got = channel(out, echo2.length, c);
      const shift = -latency + advance(p, az);
      let worst = 0;
      for (let i = 200; i < n; i++) {
        const want = amplitude * Math.sin((2 * Math.PI * hz * (i + shift)) / FS);
        worst = Math.max(worst, Math.abs(got[i]! - want));
      }
      // Rounding (0.5) plus the filter's error: under 0.1% of the amplitude up to 6 kHz.
      expect(worst).toBeLessThan(0.5 + amplitude * 1e-3);
    });
  });

  it('the array hears the voice about 2 ms late (filter half-length plus the array radius)', () => {
    expect(new TalkerFilter(dot, 0).latencySamples).toBe(32 + Math.ceil(advance(dot[0]!, 0)));
    expect(new TalkerFilter(dot, 0).latencySamples).toBe(34);
  });

  it('the mic facing the talker leads: an impulse peaks earliest there, latest on the far side', () => {
    const impulse = new Int16Array(400);
    impulse[100] = 20000;
    const out = spatialize(impulse, dot, 90); // talker towards mic 1 (at 90 deg)
    const peakAt = (c: number): number => {
      const x = channel(out, 4, c);
      return x.indexOf(Math.max(...x));
    };
    expect(peakAt(1)).toBeLessThan(peakAt(0));
    expect(peakAt(0)).toBe(peakAt(2)); // both side mics are equidistant from the talker
    expect(peakAt(0)).toBeLessThan(peakAt(3));
  });

  it('adds independent seeded noise of the requested RMS to every channel', () => {
    const silence = new Int16Array(32000);
    const a = spatialize(silence, dot, 10, { noiseRms: 300, seed: 5 });
    const b = spatialize(silence, dot, 10, { noiseRms: 300, seed: 5 });
    const other = spatialize(silence, dot, 10, { noiseRms: 300, seed: 6 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(other);
    const chans = [0, 1, 2, 3].map((c) => channel(a, 4, c));
    for (const x of chans) expect(Math.abs(rms(x) - 300)).toBeLessThan(6);
    // Correlation between channels: independent noise gives ~1/sqrt(N) = 0.006.
    const corr = (x: Float64Array, y: Float64Array): number => {
      let xy = 0;
      for (let i = 0; i < x.length; i++) xy += x[i]! * y[i]!;
      return xy / (x.length * rms(x) * rms(y));
    };
    expect(Math.abs(corr(chans[0]!, chans[1]!))).toBeLessThan(0.03);
    expect(Math.abs(corr(chans[2]!, chans[3]!))).toBeLessThan(0.03);
  });

  it('clips to int16 instead of wrapping', () => {
    const loud = new Int16Array(2000).fill(32767);
    const out = spatialize(loud, dot, 0, { noiseRms: 2000, seed: 1 });
    const tail = out.subarray(200 * 4);
    expect(Math.min(...tail)).toBeGreaterThan(20000);
    expect(Math.max(...tail)).toBe(32767);
  });

  it('a filter fed in blocks of any size gives exactly the whole-signal result', () => {
    const voice = Int16Array.from({ length: 5000 }, (_, i) => Math.round(8000 * Math.sin(i * 0.05) * Math.sin(i * 0.0031)));
    const whole = spatialize(voice, echo2, 123.4, { noiseRms: 50, seed: 9 });
    const f = new TalkerFilter(echo2, 123.4, { noiseRms: 50, seed: 9 });
    const parts: Int16Array[] = [];
    for (let s = 0, k = 0; s < voice.length; k++) {
      const len = [1, 7, 1280, 33, 0, 2000][k % 6]!;
      parts.push(f.process(voice.subarray(s, s + len)));
      s += len;
    }
    const joined = new Int16Array(whole.length);
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    expect(joined).toEqual(whole);
  });

  it('rejects an angle that is not a number with a stable code and a hint', () => {
    let err: unknown;
    try {
      spatialize(new Int16Array(10), dot, Number.NaN);
    } catch (e) {
      err = e;
    }
    expect(isEchosimError(err, 'CLI_ARGUMENT_INVALID')).toBe(true);
    expect((err as { hint: string }).hint).toMatch(/--talker-angle/);
    expect(() => spatialize(new Int16Array(10), [], 0)).toThrow(RangeError);
    expect(() => spatialize(new Int16Array(10), dot, 0, { noiseRms: -1 })).toThrow(RangeError);
  });
});

import { Resampler } from '../../../hal/mic/resample.js';
import { channel, rms, toneAmplitude, zeroCrossingFrequency } from './helpers.js';

function run(r: Resampler, input: Float32Array, chunk = input.length): Float32Array {
  const parts: number[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(...r.process(input.subarray(i, Math.min(input.length, i + chunk))));
  parts.push(...r.flush());
  return Float32Array.from(parts);
}

function tone(n: number, hz: number, rate: number, amp = 0.5, channels = 1): Float32Array {
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

const db = (ratio: number): number => 20 * Math.log10(ratio);

describe('Resampler', () => {
  it.each([44100, 48000, 22050, 11025, 8000, 32000, 96000, 44099])(
    '%i Hz -> 16 kHz: ceil(n * 16000 / rate) samples; a 1 kHz tone stays 1 kHz at the same level',
    (rate) => {
      const n = Math.round(rate * 1.3) + 7;
      const y = run(new Resampler(rate, 16000, 1), tone(n, 1000, rate));
      expect(y.length).toBe(Math.ceil((n * 16000) / rate));
      const mid = y.subarray(1500, y.length - 1500);
      expect(zeroCrossingFrequency(mid, 16000)).toBeCloseTo(1000, 1);
      expect(Math.abs(db(toneAmplitude(mid, 1000, 16000) / 0.5))).toBeLessThan(0.01);
    },
  );

  it.each([
    [44100, 12000],
    [44100, 8500],
    [48000, 9000],
    [48000, 20000],
  ])('%i Hz -> 16 kHz: a %i Hz tone (above 8 kHz) does not alias into the output', (rate, hz) => {
    const y = run(new Resampler(rate, 16000, 1), tone(rate, hz, rate));
    const mid = y.subarray(1500, y.length - 1500);
    expect(db((rms(mid) * Math.SQRT2) / 0.5)).toBeLessThan(-85);
  });

  it('keeps the passband flat up to 7 kHz', () => {
    for (const hz of [300, 3400, 6000, 7000]) {
      const y = run(new Resampler(48000, 16000, 1), tone(48000, hz, 48000));
      const mid = y.subarray(1500, y.length - 1500);
      expect(Math.abs(db(toneAmplitude(mid, hz, 16000) / 0.5))).toBeLessThan(0.1);
    }
  });

  it('8 kHz -> 16 kHz: no image above the old Nyquist frequency', () => {
    const y = run(new Resampler(8000, 16000, 1), tone(8000, 3000, 8000));
    const mid = y.subarray(1500, y.length - 1500);
    expect(Math.abs(db(toneAmplitude(mid, 3000, 16000) / 0.5))).toBeLessThan(0.05);
    expect(db(toneAmplitude(mid, 5000, 16000) / 0.5)).toBeLessThan(-85); // the image of 3 kHz
  });

  it('gives the same output whatever the chunking (state carries across calls)', () => {
    const rate = 44100;
    const input = tone(20000, 1234, rate, 0.3, 2);
    const whole = run(new Resampler(rate, 16000, 2), input);
    for (const chunk of [2, 2 * 37, 2 * 1000, 2 * 4093]) {
      const r = new Resampler(rate, 16000, 2);
      expect(Array.from(run(r, input, chunk))).toEqual(Array.from(whole));
    }
  });

  it('refuses input that is not whole frames', () => {
    expect(() => new Resampler(44100, 16000, 2).process(new Float32Array(3))).toThrow(RangeError);
  });

  it('keeps channels apart', () => {
    const n = 44100;
    const input = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      input[2 * i] = 0.5 * Math.sin((2 * Math.PI * 500 * i) / 44100);
      input[2 * i + 1] = 0.25 * Math.sin((2 * Math.PI * 3000 * i) / 44100);
    }
    const y = run(new Resampler(44100, 16000, 2), input);
    const left = channel(y, 2, 0).subarray(1500, 14500);
    const right = channel(y, 2, 1).subarray(1500, 14500);
    expect(toneAmplitude(left, 500, 16000)).toBeCloseTo(0.5, 3);
    expect(toneAmplitude(right, 3000, 16000)).toBeCloseTo(0.25, 3);
    expect(toneAmplitude(left, 3000, 16000)).toBeLessThan(1e-4);
    expect(toneAmplitude(right, 500, 16000)).toBeLessThan(1e-4);
  });

  it('keeps a constant constant and does not shift the signal in time', () => {
    const y = run(new Resampler(48000, 16000, 1), new Float32Array(48000).fill(0.25));
    const worst = Math.max(...Array.from(y.subarray(500, 15500), (v) => Math.abs(v - 0.25)));
    expect(worst).toBeLessThan(1e-6);
    // An impulse at input sample 3000 (time 62.5 ms) peaks at output sample 1000.
    const impulse = new Float32Array(6000);
    impulse[3000] = 1;
    const z = run(new Resampler(48000, 16000, 1), impulse);
    let peak = 0;
    z.forEach((v, i) => {
      if (v > (z[peak] ?? 0)) peak = i;
    });
    expect(peak).toBe(1000);
  });
});

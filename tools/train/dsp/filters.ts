import { SAMPLE_RATE } from '../../../core/audio-format.js';

export type BiquadKind = 'lowpass' | 'highpass';

/**
 * A second-order IIR section with the Audio EQ Cookbook's (R. Bristow-Johnson) low- and high-pass
 * coefficients, direct form I, run in place over a whole buffer.
 */
export class Biquad {
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly a1: number;
  private readonly a2: number;

  constructor(kind: BiquadKind, cutoffHz: number, q = Math.SQRT1_2, sampleRate = SAMPLE_RATE) {
    if (!(cutoffHz > 0 && cutoffHz < sampleRate / 2)) throw new RangeError(`cutoff ${cutoffHz} Hz is outside (0, ${sampleRate / 2})`);
    const w = (2 * Math.PI * cutoffHz) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const cos = Math.cos(w);
    const a0 = 1 + alpha;
    // Low-pass: b = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2]; high-pass: b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2].
    const edge = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
    this.b0 = edge / a0;
    this.b1 = (kind === 'lowpass' ? 2 * edge : -2 * edge) / a0;
    this.b2 = edge / a0;
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
  }

  process(x: Float32Array): Float32Array {
    let x1 = 0;
    let x2 = 0;
    let y1 = 0;
    let y2 = 0;
    for (let i = 0; i < x.length; i++) {
      const x0 = x[i]!;
      const y0 = this.b0 * x0 + this.b1 * x1 + this.b2 * x2 - this.a1 * y1 - this.a2 * y2;
      x2 = x1;
      x1 = x0;
      y2 = y1;
      y1 = y0;
      x[i] = y0;
    }
    return x;
  }
}

/**
 * Keeps [lowHz, highHz] in place: `stages` cascaded Butterworth-Q sections each side (12 dB per
 * octave per stage), e.g. 300-3400 Hz for a telephone, 100-6000 Hz for a cheap microphone.
 */
export function bandLimit(x: Float32Array, lowHz: number, highHz: number, stages = 2): Float32Array {
  for (let s = 0; s < stages; s++) {
    if (lowHz > 0) new Biquad('highpass', lowHz).process(x);
    if (highHz < SAMPLE_RATE / 2) new Biquad('lowpass', highHz).process(x);
  }
  return x;
}

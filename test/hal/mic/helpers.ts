import { isEchosimError, type EchosimError } from '../../../core/errors.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MicFrame, MicSource } from '../../../hal/mic/types.js';
import { concatSamples } from '../../../hal/mic/samples.js';

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'echosim-mic-'): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Collected {
  frames: MicFrame[];
  /** All samples, interleaved. */
  samples: Int16Array;
  channels: number;
}

export async function collect(source: MicSource, maxFrames = Number.POSITIVE_INFINITY): Promise<Collected> {
  const frames: MicFrame[] = [];
  for await (const f of source.frames()) {
    frames.push(f);
    if (frames.length >= maxFrames) break;
  }
  return { frames, samples: concat(frames.map((f) => f.samples)), channels: source.info.channels };
}

/** Joins sample blocks (the production helper). */
export const concat = concatSamples;

/** One channel of an interleaved array, as numbers. */
export function channel(samples: ArrayLike<number>, channels: number, c: number): Float64Array {
  const n = Math.floor(samples.length / channels);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = samples[i * channels + c] ?? 0;
  return out;
}

export function sine(n: number, hz: number, rate: number, amplitude: number, phase = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate + phase);
  return out;
}

/**
 * Amplitude of the `hz` component of x (a single-bin DFT with a Hann window, corrected for the
 * window's gain): a pure sine of amplitude A reads as A.
 */
export function toneAmplitude(x: ArrayLike<number>, hz: number, rate: number): number {
  const n = x.length;
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const v = (x[i] ?? 0) * w;
    re += v * Math.cos((2 * Math.PI * hz * i) / rate);
    im -= v * Math.sin((2 * Math.PI * hz * i) / rate);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

/** Frequency from rising zero crossings between the first and the last one (sub-sample interpolated). */
export function zeroCrossingFrequency(x: ArrayLike<number>, rate: number): number {
  const crossings: number[] = [];
  for (let i = 1; i < x.length; i++) {
    const a = x[i - 1] ?? 0;
    const b = x[i] ?? 0;
    if (a < 0 && b >= 0) crossings.push(i - 1 + -a / (b - a));
  }
  const first = crossings[0];
  const last = crossings[crossings.length - 1];
  if (first === undefined || last === undefined || crossings.length < 2) return 0;
  return ((crossings.length - 1) * rate) / (last - first);
}

export function rms(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] ?? 0) ** 2;
  return Math.sqrt(s / x.length);
}

export function dbfs(rmsValue: number): number {
  return 20 * Math.log10(rmsValue / 32768);
}

/** Deterministic int16 test data that is neither periodic nor smooth. */
export function pseudoRandomInt16(n: number, seed = 7): Int16Array {
  const out = new Int16Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 16) - 32768;
  }
  return out;
}

/** Little-endian RIFF/WAVE bytes with the given fmt chunk body and data, plus optional extra chunks. */
export function riffWave(chunks: readonly { id: string; body: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.write(c.id, 0, 'latin1');
    head.writeUInt32LE(c.body.length, 4);
    parts.push(head, c.body);
    if (c.body.length % 2 === 1) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + body.length, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

/** A 16-byte fmt body, or a 40-byte WAVE_FORMAT_EXTENSIBLE one when `subFormat` is given. */
export function fmtBody(o: { tag: number; channels: number; rate: number; bits: number; subFormat?: number }): Buffer {
  const extensible = o.subFormat !== undefined;
  const b = Buffer.alloc(extensible ? 40 : 16);
  const block = (o.channels * o.bits) / 8;
  b.writeUInt16LE(extensible ? 0xfffe : o.tag, 0);
  b.writeUInt16LE(o.channels, 2);
  b.writeUInt32LE(o.rate, 4);
  b.writeUInt32LE(o.rate * block, 8);
  b.writeUInt16LE(block, 12);
  b.writeUInt16LE(o.bits, 14);
  if (extensible) {
    b.writeUInt16LE(22, 16);
    b.writeUInt16LE(o.bits, 18);
    b.writeUInt32LE((1 << o.channels) - 1, 20);
    b.writeUInt16LE(o.subFormat ?? 1, 24);
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(b, 26);
  }
  return b;
}

export function int16Bytes(samples: Int16Array): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

/** Lets pending I/O and promise callbacks run until `cond` holds (gives up after `rounds`). */
export async function until(cond: () => boolean, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds && !cond(); i++) await new Promise<void>((r) => setImmediate(r));
  if (!cond()) throw new Error('condition not reached');
}

/** The EchosimError `fn` throws (fails the test if it throws anything else or nothing). */
export function thrown(fn: () => unknown): EchosimError {
  try {
    fn();
  } catch (err) {
    if (isEchosimError(err)) return err;
    throw err;
  }
  throw new Error('expected an EchosimError');
}

import { EchosimError } from '../../core/errors.js';
import { Resampler } from '../mic/resample.js';
import { writeWav16 } from '../mic/wav-writer.js';
import { checkSampleRate } from './pcm.js';
import type { SpeakerDriver } from './types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';

export interface WavSinkOptions {
  /** Clock time that is sample 0 of the file, ms. Default 0 (device time starts at 0). */
  readonly originMs?: number;
}

interface Placed {
  /** First sample on the timeline (may be negative before clipping at the origin). */
  readonly start: number;
  samples: Int16Array;
}

/**
 * A speaker that records: every sound is laid on a mono 16 kHz timeline at the device time it
 * started (`atMs`), with silence between, and the timeline is written as a WAV file on close. A
 * headless run (virtual clock, faster than real time) thus yields a file to listen to, with each
 * earcon and answer exactly where a real speaker would have played it.
 *
 * Sounds that overlap are mixed (summed, clipped to int16), as one speaker would play them.
 * `stop(atMs)` cuts every sound still sounding at `atMs`. Sounds at other rates are resampled to
 * 16 kHz. The timeline is kept in memory until close (32 KB per second of device time).
 */
export class WavSinkDriver implements SpeakerDriver {
  private readonly originMs: number;
  private readonly placed: Placed[] = [];
  private closed = false;

  constructor(
    readonly path: string,
    options: WavSinkOptions = {},
  ) {
    this.originMs = options.originMs ?? 0;
  }

  async play(pcm: Int16Array, sampleRate: number, atMs: number): Promise<void> {
    checkSampleRate(sampleRate);
    if (!Number.isFinite(atMs)) throw new EchosimError('AUDIO_FORMAT_INVALID', `speaker: start time ${atMs} ms is not a time`, { hint: 'pass the device clock time the sound starts' });
    if (this.closed) throw new EchosimError('SPEAKER_FAILED', `the WAV speaker ${this.path} is already closed`, { hint: 'play sounds before closing the speaker' });
    const samples = sampleRate === SAMPLE_RATE ? Int16Array.from(pcm) : resample(pcm, sampleRate);
    this.placed.push({ start: Math.round(((atMs - this.originMs) * SAMPLE_RATE) / 1000), samples });
  }

  async stop(atMs: number): Promise<void> {
    const cut = Math.round(((atMs - this.originMs) * SAMPLE_RATE) / 1000);
    for (let i = this.placed.length - 1; i >= 0; i--) {
      const p = this.placed[i];
      if (!p) continue;
      if (p.start >= cut) this.placed.splice(i, 1);
      else if (p.start + p.samples.length > cut) p.samples = p.samples.subarray(0, cut - p.start);
    }
  }

  /** The mix so far: sample 0 is `originMs`; as long as the last sound's end. */
  timeline(): Int16Array {
    const end = this.placed.reduce((n, p) => Math.max(n, p.start + p.samples.length), 0);
    const acc = new Int32Array(end);
    for (const p of this.placed) {
      const skip = Math.max(0, -p.start);
      for (let i = skip; i < p.samples.length; i++) acc[p.start + i] = (acc[p.start + i] ?? 0) + (p.samples[i] ?? 0);
    }
    const out = new Int16Array(end);
    for (let i = 0; i < end; i++) out[i] = Math.max(-32768, Math.min(32767, acc[i] ?? 0));
    return out;
  }

  /** Writes the WAV (also when nothing played: an empty file says so). Later calls do nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await writeWav16(this.path, this.timeline(), 1, SAMPLE_RATE);
  }
}

function resample(pcm: Int16Array, rate: number): Int16Array {
  const r = new Resampler(rate, SAMPLE_RATE, 1);
  const a = r.process(Float32Array.from(pcm));
  const b = r.flush();
  const out = new Int16Array(a.length + b.length);
  let i = 0;
  for (const v of a) out[i++] = Math.max(-32768, Math.min(32767, Math.round(v)));
  for (const v of b) out[i++] = Math.max(-32768, Math.min(32767, Math.round(v)));
  return out;
}

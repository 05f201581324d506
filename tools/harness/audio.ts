import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { spatialize, type MicPoint } from '../../hal/mic/talker.js';
import { DEFAULT_FRAME_SAMPLES, type MicFrame, type MicSource } from '../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { WavSource } from '../../hal/mic/wav-source.js';

/** Audio for a device's microphones: 16 kHz int16, `channels` interleaved (1 = one voice). */
export interface HarnessAudio {
  readonly samples: Int16Array;
  readonly channels: number;
}

/** The bundled "Alexa, what's the weather like today?" (wake word 1.50-2.03 s), shipped with the package. */
export const DEMO_WAV = path.join(packageRoot(), 'test', 'fixtures', 'demo', 'alexa-demo.wav');

/**
 * Reads a WAV file whole, converted to 16 kHz int16 at its own channel count (any common PCM
 * encoding and rate; see WavSource). Bad files fail with the WAV_* codes and a hint.
 */
export async function readWav(file: string): Promise<HarnessAudio> {
  const source = new WavSource(file, { fast: true });
  const pieces: Int16Array[] = [];
  let total = 0;
  try {
    for await (const frame of source.frames()) {
      pieces.push(frame.samples.slice()); // the source reuses its buffer
      total += frame.samples.length;
    }
  } finally {
    await source.close();
  }
  const samples = new Int16Array(total);
  let at = 0;
  for (const p of pieces) {
    samples.set(p, at);
    at += p.length;
  }
  return { samples, channels: source.info.channels };
}

/**
 * `ms` of a quiet room: low noise around ±30 LSB (about -60 dBFS), from a fixed seed so runs repeat.
 * The spotter was trained with background noise always present; pure digital zeros are out of its
 * distribution, and no real microphone delivers them.
 */
export function quietRoom(ms: number, seed = 12345): Int16Array {
  const out = new Int16Array(Math.round((ms * SAMPLE_RATE) / 1000));
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    out[i] = ((s >> 16) % 61) - 30;
  }
  return out;
}

/** `audio` with `beforeMs` of quiet room before and `afterMs` after, the room noise under the audio too. */
export function padWithQuiet(audio: HarnessAudio, beforeMs: number, afterMs: number): HarnessAudio {
  if (beforeMs <= 0 && afterMs <= 0) return audio;
  const C = audio.channels;
  const lead = Math.round((Math.max(0, beforeMs) * SAMPLE_RATE) / 1000);
  const frames = audio.samples.length / C;
  const total = lead + frames + Math.round((Math.max(0, afterMs) * SAMPLE_RATE) / 1000);
  const room = quietRoom((total * 1000) / SAMPLE_RATE);
  const out = new Int16Array(total * C);
  for (let i = 0; i < total; i++) {
    const voice = i >= lead && i < lead + frames;
    for (let c = 0; c < C; c++) {
      const v = (room[i] ?? 0) + (voice ? (audio.samples[(i - lead) * C + c] ?? 0) : 0);
      out[i * C + c] = Math.max(-32768, Math.min(32767, v));
    }
  }
  return { samples: out, channels: C };
}

/**
 * A mono voice as heard by the model's microphone array from `azimuthDeg` (counter-clockwise from
 * microphone 0, seen from above), so the light ring has a talker to point at.
 */
export function fromDirection(audio: HarnessAudio, micPositions: ReadonlyArray<MicPoint>, azimuthDeg: number): HarnessAudio {
  if (audio.channels !== 1) {
    throw new EchosimError('HARNESS_INVALID', `a talker direction needs one voice channel; this audio has ${audio.channels}`, {
      hint: 'pass mono audio with `fromDegrees`, or play the multichannel recording as it is',
    });
  }
  return { samples: spatialize(audio.samples, micPositions, azimuthDeg, { noiseRms: 20, seed: 7 }), channels: micPositions.length };
}

/** Audio from memory as a microphone source, in 80 ms frames stamped with their sample index. */
export class MemorySource implements MicSource {
  readonly info;
  private closed = false;

  constructor(
    private readonly audio: HarnessAudio,
    private readonly frameSamples = DEFAULT_FRAME_SAMPLES,
  ) {
    if (!Number.isInteger(audio.channels) || audio.channels < 1 || audio.samples.length % audio.channels !== 0) {
      throw new EchosimError('HARNESS_INVALID', `${audio.samples.length} samples do not split into ${audio.channels} channel(s)`, {
        hint: 'give interleaved samples, a whole number per channel, and the channel count',
      });
    }
    this.info = { description: 'harness audio', channels: audio.channels, sampleRate: SAMPLE_RATE } as const;
  }

  async *frames(): AsyncIterable<MicFrame> {
    const { samples, channels } = this.audio;
    const total = samples.length / channels;
    for (let i = 0; i < total && !this.closed; i += this.frameSamples) {
      const n = Math.min(this.frameSamples, total - i);
      yield { index: i, channels, samples: samples.slice(i * channels, (i + n) * channels) };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

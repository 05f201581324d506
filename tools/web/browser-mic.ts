import { MAX_AUDIO_MESSAGE_BYTES, MAX_QUEUED_AUDIO_MS } from './protocol/limits.js';
import { EchosimError } from '../../core/errors.js';
import { mappedFrames } from '../../hal/mic/mapped-frames.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import type { MicFrame, MicSource, MicSourceInfo } from '../../hal/mic/types.js';

const MAX_QUEUED_SAMPLES = (MAX_QUEUED_AUDIO_MS / 1000) * SAMPLE_RATE;

/**
 * The device's microphone with a browser on it: frames come from `inner` (the --mic source, which
 * sets the pace, e.g. a quiet room in real time) and audio a page sends (its getUserMedia microphone
 * or a dropped WAV, s16le mono 16 kHz) is added into them, on every channel, as it arrives. What
 * comes out goes to the device's mic-off switch like any microphone: with the microphones off,
 * browser audio is cut there too.
 *
 * Browser audio waits in a queue of at most MAX_QUEUED_AUDIO_MS; a frame beyond it is refused
 * (WEB_AUDIO_QUEUE_FULL), never grown into. `level` is the RMS of the last frame, dBFS.
 *
 * While no browser audio is queued a frame passes through untouched (the same object, its samples
 * not read, and no async generator of its own around the inner source's: hal/mic/mapped-frames.ts):
 * the wrapper is in the audio path of every device with a page, used or not, so it adds next to no
 * per-frame work there. The level is worked out when asked for (a few times a second while a page
 * watches), not for every frame.
 */
export class BrowserMic implements MicSource {
  readonly info: MicSourceInfo;
  private queue: Int16Array[] = [];
  private queueHead = 0;
  private queued = 0;
  private last: MicFrame | undefined;
  /** The level of `last`, once asked for. */
  private lastLevel: number | undefined;

  constructor(private readonly inner: MicSource) {
    this.info = { ...inner.info, description: `${inner.info.description} + the web page's microphone` };
  }

  /** RMS level of the last frame, dBFS (-120 for digital silence). */
  get level(): number {
    if (this.lastLevel === undefined) this.lastLevel = this.last ? rmsDbfs(this.last) : -120;
    return this.lastLevel;
  }

  get queuedMs(): number {
    return Math.round((this.queued / SAMPLE_RATE) * 1000);
  }

  /** One binary frame from a page: checked, then queued. Throws EchosimError and queues nothing on bad input. */
  push(pcm: Buffer): void {
    if (pcm.length === 0 || pcm.length % 2 !== 0 || pcm.length > MAX_AUDIO_MESSAGE_BYTES) {
      throw new EchosimError('WEB_AUDIO_INVALID', `audio frames are s16le mono 16 kHz, an even number of bytes from 2 to ${MAX_AUDIO_MESSAGE_BYTES}; got ${pcm.length}`, {
        hint: 'Send 16 kHz int16 little-endian PCM in frames of at most 0.5 s.',
      });
    }
    const n = pcm.length / 2;
    if (this.queued + n > MAX_QUEUED_SAMPLES) {
      throw new EchosimError('WEB_AUDIO_QUEUE_FULL', `more than ${MAX_QUEUED_AUDIO_MS / 1000} s of browser audio is waiting`, {
        hint: 'Send audio no faster than real time.',
      });
    }
    const samples = new Int16Array(n);
    for (let i = 0; i < n; i++) samples[i] = pcm.readInt16LE(i * 2);
    this.queue.push(samples);
    this.queued += n;
  }

  /** Drops what is still queued (a WAV being played). */
  reset(): void {
    this.queue = [];
    this.queueHead = 0;
    this.queued = 0;
  }

  /** The inner source's frames (iterated once, ending when it ends or is closed), with queued browser audio mixed in. */
  frames(): AsyncIterable<MicFrame> {
    return mappedFrames(this.inner.frames(), (frame) => {
      const heard = this.queued > 0 ? this.mix(frame) : frame;
      this.last = heard;
      this.lastLevel = undefined;
      return heard;
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private mix(frame: MicFrame): MicFrame {
    const ch = frame.channels;
    const n = frame.samples.length / ch;
    const out = Int16Array.from(frame.samples);
    for (let i = 0; i < n && this.queued > 0; i++) {
      const head = this.queue[0];
      if (!head) break;
      const s = head[this.queueHead++] ?? 0;
      if (this.queueHead >= head.length) {
        this.queue.shift();
        this.queueHead = 0;
      }
      this.queued--;
      for (let c = 0; c < ch; c++) {
        const j = i * ch + c;
        out[j] = Math.max(-32768, Math.min(32767, (out[j] ?? 0) + s));
      }
    }
    return { index: frame.index, channels: ch, samples: out };
  }
}

/** RMS of a frame's first channel, dBFS, floored at -120. */
export function rmsDbfs(frame: MicFrame): number {
  const { channels: ch, samples } = frame;
  const n = samples.length / ch;
  if (n === 0) return -120;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i * ch] ?? 0;
    sum += s * s;
  }
  const rms = Math.sqrt(sum / n) / 32768;
  return rms > 0 ? Math.max(-120, Math.round(20 * Math.log10(rms) * 10) / 10) : -120;
}

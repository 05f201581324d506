import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import wav from 'wav';
import { SystemClock, type Clock } from '../../core/clock.js';
import { EchosimError, isEchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { BaseMicSource } from './base-source.js';
import { FrameSlicer } from './frame-slicer.js';
import { RealtimePacer } from './pacer.js';
import { describeEncoding, floatToInt16, PcmDecoder } from './pcm-decode.js';
import { readChunks } from './readable-chunks.js';
import { Resampler } from './resample.js';
import { DEFAULT_FRAME_SAMPLES, type MicFrame, type MicSourceInfo } from './types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { probeWav, type WavHeader } from './wav-header.js';

export interface WavSourceOptions {
  /** Deliver frames as fast as the consumer pulls them instead of in real time. Default false. */
  readonly fast?: boolean;
  /** The clock real-time pacing follows. Default SystemClock. */
  readonly clock?: Clock;
  readonly frameSamples?: number;
  /**
   * Channels of the array. Default: the files' channel count. A mono file is copied to every
   * channel; any other mismatch is an error.
   */
  readonly channels?: number;
  readonly logger?: Logger;
}

/**
 * One or more WAV files played back to back as a microphone array: indices continue across files
 * and frames run across file boundaries (only the very last frame may be shorter). Any common PCM
 * (8-bit unsigned, 16/24/32-bit int, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE, RIFX) at any rate is
 * converted to 16 kHz int16 with a band-limited resampler. Headers are checked when the source is
 * created, so a bad file fails at once with a WAV_* error.
 */
export class WavSource extends BaseMicSource {
  readonly info: MicSourceInfo;
  readonly headers: readonly WavHeader[];
  private readonly fast: boolean;
  private readonly clock: Clock;
  private readonly frameSamples: number;
  private readonly log: Logger;
  private int16 = new Int16Array(0);

  constructor(files: string | readonly string[], options: WavSourceOptions = {}) {
    super();
    const paths = typeof files === 'string' ? [files] : [...files];
    if (paths.length === 0) throw new EchosimError('MIC_SPEC_INVALID', 'no WAV file given', { hint: 'use wav:FILE[,FILE...]' });
    this.headers = paths.map((p) => probeWav(p));
    const first = this.headers[0]!;
    const channels = options.channels ?? first.channels;
    for (const h of this.headers) {
      if (h.channels !== channels && h.channels !== 1) {
        throw new EchosimError(
          'AUDIO_FORMAT_INVALID',
          `${h.path} has ${h.channels} channels but the array has ${channels}`,
          {
            hint: `give files with the same channel count (or mono), e.g. \`sox "${h.path}" -c ${channels} out.wav\``,
            details: { path: h.path, channels: h.channels, expected: channels },
          },
        );
      }
    }
    this.fast = options.fast ?? false;
    this.clock = options.clock ?? new SystemClock();
    this.frameSamples = options.frameSamples ?? DEFAULT_FRAME_SAMPLES;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/mic/wav' });
    this.info = { description: `wav:${paths.join(',')}`, channels, sampleRate: SAMPLE_RATE };
  }

  protected async *generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined> {
    const pacer = this.fast ? undefined : new RealtimePacer(this.clock, signal);
    pacer?.begin();
    const slicer = new FrameSlicer(this.info.channels, this.frameSamples);
    const release = async (frame: MicFrame): Promise<boolean> =>
      !pacer || pacer.waitFor(frame.index + frame.samples.length / frame.channels);
    for (const header of this.headers) {
      for await (const samples of this.decodeFile(header, signal)) {
        for (const frame of slicer.pushSamples(samples)) {
          if (!(await release(frame))) return;
          yield frame;
        }
      }
      if (signal.aborted) return;
    }
    const { frame } = slicer.flush();
    if (frame && (await release(frame))) yield frame;
  }

  /** Yields one file's audio as interleaved 16 kHz int16 at the array's channel count (a reused buffer). */
  private async *decodeFile(h: WavHeader, signal: AbortSignal): AsyncGenerator<Int16Array, void, undefined> {
    this.log.debug(
      { path: h.path, sampleRate: h.sampleRate, channels: h.channels, encoding: describeEncoding(h.encoding) },
      'reading WAV',
    );
    if (!h.streamed && h.dataBytes < h.declaredDataBytes) {
      this.log.warn({ path: h.path, present: h.dataBytes, declared: h.declaredDataBytes }, 'WAV shorter than its header says; playing what is there');
    }
    const reader = new wav.Reader();
    let format: wav.Format | undefined;
    reader.on('format', (f: wav.Format) => {
      format = f;
    });
    const input = Readable.from(readerInput(h));
    input.on('error', (err) => reader.emit('error', err));
    input.pipe(reader);
    const output = new Readable().wrap(reader);
    const decoder = new PcmDecoder(h.encoding, h.channels, h.bigEndian);
    const resampler = h.sampleRate === SAMPLE_RATE ? undefined : new Resampler(h.sampleRate, SAMPLE_RATE, h.channels);
    let bytes = 0;
    try {
      for await (const chunk of readChunks(output, signal)) {
        if (bytes === 0) checkFormat(h, format);
        bytes += chunk.length;
        const samples = decoder.decode(chunk);
        yield this.toArray(resampler ? resampler.process(samples) : samples, h.channels);
      }
      if (signal.aborted) return;
      if (resampler) yield this.toArray(resampler.flush(), h.channels);
    } catch (cause) {
      if (isEchosimError(cause)) throw cause;
      throw new EchosimError('WAV_UNREADABLE', `cannot read the audio of ${h.path}: ${(cause as Error).message ?? String(cause)}`, {
        hint: `re-save it as plain 16-bit PCM, e.g. \`sox "${h.path}" -e signed-integer -b 16 converted.wav\``,
        cause,
        details: { path: h.path },
      });
    } finally {
      input.unpipe(reader);
      input.destroy();
      output.destroy();
    }
    if (bytes < h.dataBytes || decoder.pendingBytes > 0) {
      this.log.warn({ path: h.path, bytes, expected: h.dataBytes, partialFrameBytes: decoder.pendingBytes }, 'WAV data ended early or mid-sample');
    }
  }

  /** Float interleaved at the file's channel count to int16 at the array's (mono copied to all). */
  private toArray(f: Float32Array, fileChannels: number): Int16Array {
    const C = this.info.channels;
    const frames = f.length / fileChannels;
    const n = frames * C;
    if (this.int16.length < n) this.int16 = new Int16Array(Math.max(n, this.int16.length * 2));
    const out = this.int16;
    if (fileChannels === C) {
      for (let i = 0; i < n; i++) out[i] = floatToInt16(f[i]!);
    } else {
      for (let i = 0; i < frames; i++) {
        const v = floatToInt16(f[i]!);
        for (let c = 0; c < C; c++) out[i * C + c] = v;
      }
    }
    return out.subarray(0, n);
  }
}

/** What the `wav` Reader is fed: the RIFF header, the fmt chunk, then the data chunk (see wav-header.ts). */
async function* readerInput(h: WavHeader): AsyncGenerator<Buffer, void, undefined> {
  yield h.riff;
  const fd = await open(h.path, 'r');
  try {
    const fmt = Buffer.alloc(8 + h.fmtSize);
    const { bytesRead } = await fd.read(fmt, 0, fmt.length, h.fmtOffset);
    yield fmt.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
  yield* createReadStream(h.path, { start: h.dataOffset, end: h.dataOffset + 8 + h.dataBytes - 1 });
}

function checkFormat(h: WavHeader, f: wav.Format | undefined): void {
  if (!f || f.channels !== h.channels || f.sampleRate !== h.sampleRate || f.bitDepth !== h.bitsPerSample) {
    throw new EchosimError('WAV_UNREADABLE', `${h.path}: the WAV parser and the header walk disagree about the format`, {
      hint: `re-save it, e.g. \`sox "${h.path}" -e signed-integer -b 16 converted.wav\``,
      details: { path: h.path, parser: f, header: { channels: h.channels, sampleRate: h.sampleRate, bits: h.bitsPerSample } },
    });
  }
}

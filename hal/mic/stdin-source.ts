import type { Readable } from 'node:stream';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { BaseMicSource } from './base-source.js';
import { FrameSlicer } from './frame-slicer.js';
import { readChunks } from './readable-chunks.js';
import { DEFAULT_FRAME_SAMPLES, type MicFrame, type MicSourceInfo } from './types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';

export interface StdinSourceOptions {
  /** Where the raw PCM comes from. Default process.stdin. */
  readonly input?: Readable;
  /** Interleaved channels in the stream. Default 1. */
  readonly channels?: number;
  readonly frameSamples?: number;
  readonly logger?: Logger;
}

export const STDIN_HINT =
  'pipe raw signed 16-bit little-endian 16 kHz PCM into echosim, e.g. ' +
  '`sox in.wav -t raw -r 16000 -e signed-integer -b 16 -c 1 - | echosim ... --mic stdin` or ' +
  '`arecord -r 16000 -c 1 -f S16_LE -t raw | echosim ... --mic stdin`';

/**
 * Raw PCM (s16le, 16 kHz, interleaved channels) from a stream, by default the process's stdin. The
 * producer sets the pace; chunks may split anywhere, even inside a sample. The source ends with the
 * stream; `close()` stops reading and destroys the stream, process.stdin included (the source owns
 * it; a merely paused stdin pipe would keep the process alive until the producer exits).
 */
export class StdinSource extends BaseMicSource {
  readonly info: MicSourceInfo;
  private readonly input: Readable;
  private readonly frameSamples: number;
  private readonly log: Logger;

  constructor(options: StdinSourceOptions = {}) {
    super();
    const channels = options.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1) {
      throw new EchosimError('AUDIO_FORMAT_INVALID', `stdin: ${channels} is not a channel count`, {
        hint: 'give a whole number of channels, at least 1',
      });
    }
    this.input = options.input ?? process.stdin;
    if (this.input === process.stdin && process.stdin.isTTY) {
      throw new EchosimError('STDIN_UNAVAILABLE', 'stdin is a terminal, not a stream of audio', { hint: STDIN_HINT });
    }
    this.frameSamples = options.frameSamples ?? DEFAULT_FRAME_SAMPLES;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/mic/stdin' });
    this.info = { description: 'stdin', channels, sampleRate: SAMPLE_RATE };
  }

  protected async *generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined> {
    const slicer = new FrameSlicer(this.info.channels, this.frameSamples);
    try {
      for await (const chunk of readChunks(this.input, signal)) {
        yield* slicer.pushBytes(chunk);
      }
    } catch (cause) {
      throw new EchosimError('STDIN_UNAVAILABLE', `reading audio from stdin failed: ${(cause as Error).message ?? String(cause)}`, {
        hint: STDIN_HINT,
        cause,
      });
    }
    if (signal.aborted) return;
    const { frame, droppedSamples, droppedOddByte } = slicer.flush();
    if (droppedSamples > 0 || droppedOddByte) {
      this.log.warn({ droppedSamples, droppedOddByte }, 'stdin ended inside a sample frame; the incomplete part was dropped');
    }
    if (frame) yield frame;
  }

  protected override onClose(): Promise<void> {
    this.input.destroy();
    return Promise.resolve();
  }
}

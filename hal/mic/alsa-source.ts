import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { BaseMicSource } from './base-source.js';
import { FrameSlicer } from './frame-slicer.js';
import { readChunks } from './readable-chunks.js';
import { DEFAULT_FRAME_SAMPLES, type MicFrame, type MicSourceInfo } from './types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';

export interface AlsaSourceOptions {
  /** ALSA PCM name, e.g. `plughw:CARD=seeed4micvoicec,DEV=0`. Default 'default'. */
  readonly device?: string;
  /** Channels to capture. Default 1. */
  readonly channels?: number;
  /** Environment of the arecord process (PATH, HOME for ~/.asoundrc, ALSA_CONFIG_PATH). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The capture program. Default 'arecord' (looked up on the PATH of `env`). */
  readonly command?: string;
  readonly frameSamples?: number;
  readonly logger?: Logger;
}

/** The arecord command line: `-D <device> -r 16000 -c <N> -f S16_LE -t raw -q`, audio on stdout. */
export function arecordArgs(device: string, channels: number): string[] {
  return ['-D', device, '-r', String(SAMPLE_RATE), '-c', String(channels), '-f', 'S16_LE', '-t', 'raw', '-q'];
}

const STDERR_LIMIT = 8192;

/**
 * ALSA capture with `arecord`, raw s16le 16 kHz on a pipe. The process starts when `frames()` is
 * first pulled and stops on `close()` or when the consumer stops iterating.
 *
 * arecord is spawned here rather than through node-record-lpcm16 (whose `arecord` recorder produces
 * the same arguments with `audioType: 'raw'`) because that package cannot pass what this needs:
 * - no `env` for the child (its spawn options come from the recorder module, not from the caller),
 *   which the ALSA file-plugin tests and custom ALSA configs need (HOME / ALSA_CONFIG_PATH);
 * - it never listens for the child's 'error' event, so a missing arecord is an uncaught exception
 *   rather than an error we can name (ALSA_NOT_INSTALLED);
 * - it drops arecord's stderr (debug output only) and reports a failed exit as a bare string
 *   emitted on the audio stream, so ALSA_CAPTURE_FAILED could not say what ALSA said.
 */
export class AlsaSource extends BaseMicSource {
  readonly info: MicSourceInfo;
  readonly device: string;
  readonly args: readonly string[];
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly command: string;
  private readonly frameSamples: number;
  private readonly log: Logger;
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private exited: Promise<void> | undefined;

  constructor(options: AlsaSourceOptions = {}) {
    super();
    const channels = options.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1) {
      throw new EchosimError('AUDIO_FORMAT_INVALID', `alsa: ${channels} is not a channel count`, {
        hint: 'give a whole number of channels, at least 1 (the ReSpeaker 4-Mic Array has 4)',
      });
    }
    this.device = options.device ?? 'default';
    this.args = arecordArgs(this.device, channels);
    this.env = options.env;
    this.command = options.command ?? 'arecord';
    this.frameSamples = options.frameSamples ?? DEFAULT_FRAME_SAMPLES;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/mic/alsa' });
    this.info = { description: `alsa:${this.device}`, channels, sampleRate: SAMPLE_RATE };
  }

  /** Process id of the running arecord, if any. */
  get pid(): number | undefined {
    const c = this.child;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  protected async *generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined> {
    this.log.debug({ command: this.command, args: this.args }, 'starting capture');
    const child = spawn(this.command, [...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.env ? { env: this.env } : {}),
    });
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_LIMIT);
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.on('error', (err: NodeJS.ErrnoException) => {
        spawnError ??= err;
        resolve();
      });
      child.once('close', (code, sig) => {
        exit = { code, signal: sig };
        resolve();
      });
    });

    const slicer = new FrameSlicer(this.info.channels, this.frameSamples);
    try {
      try {
        for await (const chunk of readChunks(child.stdout, signal)) yield* slicer.pushBytes(chunk);
      } catch (cause) {
        if (!spawnError && !signal.aborted) throw this.failed(`reading arecord's output failed: ${String(cause)}`, stderr, cause);
      }
      if (signal.aborted) return;
      await this.exited;
      if (signal.aborted) return;
      if (spawnError) throw this.spawnFailed(spawnError);
      if (exit && exit.code !== 0) {
        const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        throw this.failed(`arecord ${how}`, stderr, undefined, exit);
      }
      const { frame } = slicer.flush();
      if (frame) yield frame;
    } finally {
      await this.stop();
    }
  }

  protected override onClose(): Promise<void> {
    return this.stop();
  }

  /** Stops arecord (its exit after being stopped is not a failure) and waits for it to go. */
  private async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGTERM');
    child.stdout.destroy();
    await this.exited;
  }

  private spawnFailed(err: NodeJS.ErrnoException): EchosimError {
    if (err.code === 'ENOENT') {
      return new EchosimError('ALSA_NOT_INSTALLED', `cannot capture from ALSA: ${this.command} was not found`, {
        hint: 'install alsa-utils (`sudo apt-get install alsa-utils`), or use --mic stdin / wav:FILE',
        cause: err,
        details: { command: this.command },
      });
    }
    return this.failed(`cannot start ${this.command}: ${err.message}`, '', err);
  }

  private failed(what: string, stderr: string, cause?: unknown, exit?: { code: number | null; signal: string | null }): EchosimError {
    const said = stderr.trim();
    return new EchosimError('ALSA_CAPTURE_FAILED', `ALSA capture from ${this.device} failed: ${what}${said ? `\n${said}` : ''}`, {
      hint: 'list capture devices with `arecord -L` (or `arecord -l`) and pass one as alsa:DEVICE, e.g. alsa:plughw:CARD=seeed4micvoicec,DEV=0; check the channel count the card supports',
      cause,
      details: { device: this.device, command: [this.command, ...this.args].join(' '), stderr: said, exitCode: exit?.code, signal: exit?.signal },
    });
  }
}

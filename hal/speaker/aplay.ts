import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { checkSampleRate, s16leBytes } from './pcm.js';
import type { SpeakerDriver } from './types.js';

export interface AplayDriverOptions {
  /** ALSA PCM, e.g. `plughw:CARD=seeed2micvoicec,DEV=0`. Default: aplay's default device. */
  readonly device?: string;
  /** Environment of aplay (PATH, HOME for ~/.asoundrc). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The playback program. Default 'aplay' (looked up on the PATH of `env`). */
  readonly command?: string;
  readonly logger?: Logger;
}

/** `aplay -q -t raw -f S16_LE -r RATE -c 1 [-D device]`: raw mono PCM from stdin. */
export function aplayArgs(sampleRate: number, device?: string): string[] {
  return ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', String(sampleRate), '-c', '1', ...(device === undefined ? [] : ['-D', device])];
}

export const APLAY_INSTALL_HINT = 'install alsa-utils: `sudo apt install alsa-utils` (or use --speaker wav:FILE / none)';
const STDERR_LIMIT = 8192;

/**
 * ALSA playback through `aplay`, one process per sound: the PCM goes to its stdin and the sound is
 * done when aplay exits (it drains the card's buffer first). A process per sound costs a few ms,
 * nothing next to an earcon, and means a stuck or failed sound never poisons the next one.
 *
 * Sounds queue: one given while another plays starts when that one has finished, so earcons never
 * fight over the card. `stop()` kills the one playing and drops the queue. aplay pads its last
 * period with silence, so a sound may be followed by up to one period (tens of ms) of zeros.
 * After `close()` sounds are dropped (their promises resolve): shutdown races are not errors.
 */
export class AplayDriver implements SpeakerDriver {
  private readonly command: string;
  private readonly log: Logger;
  private tail: Promise<void> = Promise.resolve();
  /** Bumped by stop(): sounds queued under an older generation are dropped. */
  private generation = 0;
  private current: ChildProcessByStdio<Writable, null, Readable> | undefined;
  private readonly killed = new WeakSet<object>();
  private closed = false;

  constructor(private readonly options: AplayDriverOptions = {}) {
    this.command = options.command ?? 'aplay';
    this.log = options.logger ?? rootLogger().child({ module: 'hal/speaker/aplay' });
  }

  /** Process id of the aplay playing now, if any. */
  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** `_atMs` is ignored: a real speaker plays now. */
  play(pcm: Int16Array, sampleRate: number, _atMs?: number): Promise<void> {
    try {
      checkSampleRate(sampleRate);
    } catch (err) {
      return Promise.reject(err);
    }
    const generation = this.generation;
    const run = this.tail.then(() => (generation === this.generation && !this.closed ? this.playNow(pcm, sampleRate) : undefined));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.generation++;
    const child = this.current;
    if (child && child.exitCode === null && child.signalCode === null) {
      this.killed.add(child);
      child.kill('SIGTERM');
    }
    await this.tail;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  private playNow(pcm: Int16Array, sampleRate: number): Promise<void> {
    const args = aplayArgs(sampleRate, this.options.device);
    this.log.debug({ command: this.command, args, samples: pcm.length }, 'playing');
    return new Promise<void>((resolve, reject) => {
      const child = spawn(this.command, args, { stdio: ['pipe', 'ignore', 'pipe'], ...(this.options.env ? { env: this.options.env } : {}) });
      this.current = child;
      let settled = false;
      const settle = (err?: EchosimError): void => {
        if (settled) return;
        settled = true;
        if (this.current === child) this.current = undefined;
        if (err) reject(err);
        else resolve();
      };
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => {
        stderr = (stderr + s).slice(-STDERR_LIMIT);
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        settle(
          err.code === 'ENOENT'
            ? new EchosimError('SPEAKER_UNAVAILABLE', `cannot play sound: ${this.command} was not found`, { hint: APLAY_INSTALL_HINT, cause: err })
            : this.failed(`cannot start ${this.command}: ${err.message}`, '', args, err),
        );
      });
      child.once('close', (code, signal) => {
        if (code === 0 || this.killed.has(child)) settle();
        else settle(this.failed(code === null ? `aplay was killed by ${signal}` : `aplay exited with code ${code}`, stderr.trim(), args));
      });
      // aplay dying early closes the pipe (EPIPE); its exit status and stderr say why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(s16leBytes(pcm));
    });
  }

  private failed(what: string, stderr: string, args: readonly string[], cause?: unknown): EchosimError {
    const device = this.options.device ?? 'default';
    return new EchosimError('SPEAKER_FAILED', `playing on ALSA device ${device} failed: ${what}${stderr ? `\n${stderr}` : ''}`, {
      hint: 'list playback devices with `aplay -L` and pass one as --speaker alsa:DEVICE, e.g. alsa:plughw:CARD=seeed2micvoicec,DEV=0',
      cause,
      details: { device, command: [this.command, ...args].join(' '), stderr },
    });
  }
}

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import {
  DEFAULT_GPIO_LINES,
  GPIOMON_INSTALL_HINT,
  detectGpiomonVersion,
  gpiomonArgs,
  parseGpioLineMap,
  parseGpiomonLine,
  type GpioBias,
  type GpioLineMap,
  type GpiomonVersion,
} from './gpiomon.js';
import { BUTTON_NAMES } from './types.js';
import type { ButtonDriver, ButtonEdge, ButtonName } from './types.js';

const STDERR_LIMIT = 4096;

export interface GpioButtonsOptions {
  readonly clock: Clock;
  /** The GPIO chip. Default 'gpiochip0' (the Raspberry Pi header on current kernels). */
  readonly chip?: string;
  /** Line offset -> button. Default DEFAULT_GPIO_LINES (GPIO17 as action). */
  readonly lines?: GpioLineMap;
  /** Buttons pull the line low when pressed (default true, with pull-ups: the usual wiring). */
  readonly activeLow?: boolean;
  /** Default 'pull-up'. */
  readonly bias?: GpioBias;
  /** The gpiomon program. Default 'gpiomon' (looked up on the PATH of `env`). */
  readonly command?: string;
  /** Environment of gpiomon and of the version check. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

export interface GpioButtonsEvents {
  /** gpiomon could not start or died: no more edges will come. */
  error: [EchosimError];
}

/**
 * Buttons on GPIO lines, watched by libgpiod's `gpiomon` (the kernel's GPIO character device has no
 * Node binding worth a native dependency, and gpiomon is packaged everywhere). Reports raw edges,
 * bounces and all: debouncing is the firmware's job (firmware/buttons/debouncer.ts).
 *
 * Edge times: gpiomon stamps each event in the kernel; a burst of events (a bouncing contact) often
 * reaches us in one read. The newest event of a read is taken to have happened at `clock.now()`
 * and the others keep their measured distances before it, so a bounce sequence that arrives in one
 * piece still shows its real microsecond spacing to the debouncer. Times never go backwards.
 *
 * gpiomon failing (no permission on /dev/gpiochipN, the line held by another program, a wrong chip)
 * is an 'error' event carrying its stderr, not an exception, so the rest of the device keeps running
 * without buttons. Without an 'error' listener it is logged.
 */
export class GpioButtons extends EventEmitter<GpioButtonsEvents> implements ButtonDriver {
  private readonly lines: ReadonlyMap<number, ButtonName>;
  private readonly activeLow: boolean;
  private readonly command: string;
  private readonly log: Logger;
  private detected: GpiomonVersion | undefined;
  private starting: Promise<void> | undefined;
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private exited: Promise<void> | undefined;
  private closing = false;
  private failed = false;
  private partial = '';
  private lastAt = Number.NEGATIVE_INFINITY;

  /**
   * @param options.version gpiomon's major version when known; otherwise `start()` asks
   *   `gpiomon --version` first (see also `GpioButtons.open`, which asks before constructing).
   */
  constructor(private readonly options: GpioButtonsOptions & { readonly version?: GpiomonVersion }) {
    super();
    const entries = Object.entries(options.lines ?? DEFAULT_GPIO_LINES).map(([k, v]) => [Number(k), v] as const);
    if (entries.length === 0) {
      throw new EchosimError('BUTTON_UNKNOWN', 'no GPIO lines to watch', { hint: 'map at least one line, e.g. 17:action' });
    }
    for (const [offset, button] of entries) {
      if (!Number.isInteger(offset) || offset < 0) {
        throw new EchosimError('CLI_ARGUMENT_INVALID', `GPIO line offset ${offset} is not a line number`, { hint: 'use offsets as gpioinfo lists them, e.g. 17' });
      }
      if (!BUTTON_NAMES.includes(button)) {
        throw new EchosimError('BUTTON_UNKNOWN', `GPIO line ${offset} maps to "${String(button)}", which is no button`, {
          hint: `buttons are ${BUTTON_NAMES.join(', ')}`,
        });
      }
    }
    this.lines = new Map(entries);
    this.detected = options.version;
    this.activeLow = options.activeLow ?? true;
    this.command = options.command ?? 'gpiomon';
    this.log = options.logger ?? rootLogger().child({ module: 'hal/buttons/gpio' });
  }

  /** Detects gpiomon's version (rejecting 'GPIO_UNAVAILABLE' when it is missing) and makes the driver. */
  static async open(options: GpioButtonsOptions): Promise<GpioButtons> {
    const version = await detectGpiomonVersion(options.command ?? 'gpiomon', options.env);
    return new GpioButtons({ ...options, version });
  }

  /**
   * A driver for a `17:action,27:mic-off` line map (see parseGpioLineMap; map errors throw here).
   * The version check happens in `start()`; its failure is an 'error' event like any other.
   */
  static fromMap(map: string, buttons: readonly ButtonName[], clock: Clock, options: Omit<GpioButtonsOptions, 'clock' | 'lines'> = {}): GpioButtons {
    return new GpioButtons({ ...options, clock, lines: parseGpioLineMap(map, buttons) });
  }

  /** gpiomon's major version, once known. */
  get version(): GpiomonVersion | undefined {
    return this.detected;
  }

  /** The gpiomon arguments, once the version is known. */
  get args(): readonly string[] | undefined {
    const v = this.detected;
    return v === undefined ? undefined : gpiomonArgs(v, this.options.chip ?? 'gpiochip0', [...this.lines.keys()], this.options.bias ?? 'pull-up');
  }

  /** Process id of the running gpiomon, if any. */
  get pid(): number | undefined {
    const c = this.child;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  /** Resolves once gpiomon has been spawned (or starting failed, which was reported as 'error'). */
  get started(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  start(onEdge: (e: ButtonEdge) => void): void {
    if (this.starting) throw new Error('GpioButtons.start() was already called');
    this.starting = (async () => {
      try {
        this.detected ??= await detectGpiomonVersion(this.command, this.options.env);
      } catch (err) {
        if (!this.closing) this.fail(err instanceof EchosimError ? err : new EchosimError('GPIO_UNAVAILABLE', String(err), { hint: GPIOMON_INSTALL_HINT, cause: err }));
        return;
      }
      if (!this.closing) this.spawn(this.detected, onEdge);
    })();
  }

  private spawn(version: GpiomonVersion, onEdge: (e: ButtonEdge) => void): void {
    const args = gpiomonArgs(version, this.options.chip ?? 'gpiochip0', [...this.lines.keys()], this.options.bias ?? 'pull-up');
    this.log.debug({ command: this.command, args }, 'watching GPIO buttons');
    const child = spawn(this.command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(this.options.env ? { env: this.options.env } : {}) });
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_LIMIT);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => this.onOutput(s, onEdge));
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        this.fail(
          err.code === 'ENOENT'
            ? new EchosimError('GPIO_UNAVAILABLE', `cannot watch GPIO buttons: ${this.command} was not found`, { hint: GPIOMON_INSTALL_HINT, cause: err })
            : new EchosimError('GPIO_UNAVAILABLE', `cannot start ${this.command}: ${err.message}`, { hint: GPIOMON_INSTALL_HINT, cause: err }),
        );
        resolve();
      });
      child.once('close', (code, signal) => {
        if (!this.closing) this.fail(this.died(code, signal, stderr.trim(), args));
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.starting;
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGTERM');
    await this.exited;
    child.stdout.removeAllListeners('data');
    child.stderr.removeAllListeners('data');
  }

  private onOutput(text: string, onEdge: (e: ButtonEdge) => void): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const events: Array<{ button: ButtonName; pressed: boolean; timeMs: number | undefined }> = [];
    for (const line of lines) {
      const ev = parseGpiomonLine(line);
      const button = ev ? this.lines.get(ev.offset) : undefined;
      if (!ev || !button) {
        if (line.trim() !== '') this.log.debug({ line }, 'ignoring gpiomon output');
        continue;
      }
      // Active-low wiring: the contact pulls the line to ground, so a falling edge is a press.
      events.push({ button, pressed: this.activeLow ? !ev.rising : ev.rising, timeMs: ev.timeMs });
    }
    if (events.length === 0 || this.closing) return;
    const now = this.options.clock.now();
    const newest = events[events.length - 1]?.timeMs;
    for (const e of events) {
      const before = newest !== undefined && e.timeMs !== undefined ? Math.max(0, newest - e.timeMs) : 0;
      const at = Math.min(now, Math.max(this.lastAt, now - before));
      this.lastAt = at;
      onEdge({ button: e.button, pressed: e.pressed, at });
    }
  }

  private died(code: number | null, signal: NodeJS.Signals | null, stderr: string, args: readonly string[]): EchosimError {
    const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
    let hint = 'check the chip and line offsets with `gpiodetect` and `gpioinfo`';
    if (/permission denied/i.test(stderr)) hint = 'let this user open /dev/gpiochip*: `sudo usermod -aG gpio $USER`, then log in again';
    else if (/busy/i.test(stderr)) hint = 'another program holds the line; `gpioinfo` shows its consumer';
    return new EchosimError('GPIO_UNAVAILABLE', `${this.command} ${how}${stderr ? `: ${stderr}` : ''}; GPIO buttons stopped`, {
      hint,
      details: { command: [this.command, ...args].join(' '), exitCode: code, signal, stderr },
    });
  }

  /** Reports the first failure only: a spawn error can be followed by a 'close' of the same process. */
  private fail(err: EchosimError): void {
    if (this.failed) return;
    this.failed = true;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else this.log.error({ err: err.toJSON() }, err.message);
  }
}

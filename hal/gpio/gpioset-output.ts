import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { SystemClock, type Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import type { GpioOutput } from '../leds/apa102.js';

/** Major version of the libgpiod command-line tools; their `gpioset` syntax differs. */
export type LibgpiodVersion = 1 | 2;

export interface GpioSetOutputOptions {
  /** GPIO chip name or path. Default 'gpiochip0' (the Raspberry Pi header's pins). */
  readonly chip?: string;
  /** Line offset on the chip, e.g. 5 for GPIO5 (the ReSpeaker 4-Mic HAT's LED power). */
  readonly line: number;
  /** Environment of the gpioset processes (its PATH finds the tool). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The tool. Default 'gpioset'. */
  readonly command?: string;
  /** For the start-up and shutdown waits. Default the system clock (these are real processes). */
  readonly clock?: Clock;
  /** How long gpioset must stay up before set() trusts it holds the line, ms. Default 100. */
  readonly settleMs?: number;
  /** How long a holder gets to exit after SIGTERM before SIGKILL, ms. Default 1000. */
  readonly killTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * The command line that drives `line` and keeps holding it until the process is killed:
 * libgpiod v1 needs `--mode=signal` (its default mode exits at once, and the line state after exit is
 * undefined); v2 holds by default and names the chip with `-c`.
 */
export function gpiosetArgs(version: LibgpiodVersion, chip: string, line: number, high: boolean): string[] {
  const value = `${line}=${high ? 1 : 0}`;
  return version === 1 ? ['--mode=signal', chip, value] : ['-c', chip, value];
}

/** The major version in `gpioset --version` output ("gpioset (libgpiod) v1.6.3", "gpioset v2.1"). */
export function parseGpiosetVersion(output: string): LibgpiodVersion | undefined {
  const m = /\bv(\d+)\.\d+/.exec(output);
  const major = m ? Number(m[1]) : NaN;
  return major === 1 ? 1 : major >= 2 ? 2 : undefined;
}

const INSTALL_HINT = 'install the libgpiod tools: `sudo apt install gpiod`';
const STDERR_LIMIT = 4096;

interface Holder {
  readonly child: ChildProcessByStdio<null, null, Readable>;
  readonly high: boolean;
  readonly exited: Promise<void>;
  stderr: string;
  /** Set when we asked it to go, so its exit is not reported as a failure. */
  stopping: boolean;
}

/**
 * A GPIO output driven with libgpiod's `gpioset` (Debian package gpiod), for boards where no native
 * GPIO module is installed. The character-device API only guarantees a line's value while the
 * requesting process holds it, so each level is held by a long-running gpioset: set(v) replaces the
 * holder with one driving v (low is held too: on a Raspberry Pi a released line keeps its last value,
 * so just killing a high holder could leave the LEDs powered); close() kills the holder and releases
 * the line.
 */
export class GpioSetOutput implements GpioOutput {
  readonly chip: string;
  readonly line: number;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly command: string;
  private readonly clock: Clock;
  private readonly settleMs: number;
  private readonly killTimeoutMs: number;
  private readonly log: Logger;
  private version: Promise<LibgpiodVersion> | undefined;
  private holder: Holder | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /**
   * gpioset is not a child that dies with us: if the process exits without close() (a crash, an
   * uncaught error), this kills the holder so the line is released rather than held by an orphan.
   */
  private readonly killOnExit = (): void => {
    this.holder?.child.kill('SIGTERM');
  };

  constructor(options: GpioSetOutputOptions) {
    if (!Number.isInteger(options.line) || options.line < 0) {
      throw new EchosimError('GPIO_UNAVAILABLE', `GPIO line ${options.line} is not a line offset`, {
        hint: 'give the line number on the chip, e.g. 5 for GPIO5 on gpiochip0',
      });
    }
    this.chip = options.chip ?? 'gpiochip0';
    this.line = options.line;
    this.env = options.env;
    this.command = options.command ?? 'gpioset';
    this.clock = options.clock ?? new SystemClock();
    this.settleMs = options.settleMs ?? 100;
    this.killTimeoutMs = options.killTimeoutMs ?? 1000;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/gpio/gpioset', chip: this.chip, line: this.line });
  }

  /** Process id of the gpioset holding the line, if any. */
  get pid(): number | undefined {
    const c = this.holder?.child;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  /** Which libgpiod the tool is (runs `gpioset --version` once); GPIO_UNAVAILABLE when it is missing. */
  probe(): Promise<LibgpiodVersion> {
    this.version ??= this.detectVersion();
    return this.version;
  }

  /** Drives the line and keeps holding it; resolves once gpioset has stayed up for settleMs. */
  set(high: boolean): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) {
        throw new EchosimError('GPIO_UNAVAILABLE', `${this.chip} line ${this.line} is closed`, { hint: 'create a new GpioSetOutput' });
      }
      if (this.holder && this.holder.high === high && this.pid !== undefined) return;
      const version = await this.probe();
      await this.release();
      await this.hold(version, high);
    });
  }

  /** Kills the holder (releasing the line) and refuses further sets. Safe to call twice. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      this.closed = true;
      await this.release();
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async detectVersion(): Promise<LibgpiodVersion> {
    const output = await new Promise<string>((resolve, reject) => {
      execFile(this.command, ['--version'], { env: this.env ?? process.env, timeout: 10_000 }, (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new EchosimError('GPIO_UNAVAILABLE', `cannot drive GPIO: ${this.command} was not found`, { hint: INSTALL_HINT, cause: err, details: { command: this.command } }));
        } else if (err) {
          reject(new EchosimError('GPIO_UNAVAILABLE', `\`${this.command} --version\` failed: ${err.message}`, { hint: INSTALL_HINT, cause: err }));
        } else resolve(`${stdout}\n${stderr}`);
      });
    });
    const version = parseGpiosetVersion(output);
    if (!version) {
      throw new EchosimError('GPIO_UNAVAILABLE', `cannot tell the libgpiod version from \`${this.command} --version\`: ${output.trim().slice(0, 200)}`, {
        hint: `${INSTALL_HINT} (libgpiod 1.x or 2.x)`,
      });
    }
    this.log.debug({ version }, 'gpioset found');
    return version;
  }

  private async hold(version: LibgpiodVersion, high: boolean): Promise<void> {
    const args = gpiosetArgs(version, this.chip, this.line, high);
    this.log.debug({ command: this.command, args }, 'driving GPIO line');
    const child = spawn(this.command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(this.env ? { env: this.env } : {}) });
    let spawnError: NodeJS.ErrnoException | undefined;
    let exitedEarly = false;
    const exited = new Promise<void>((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        spawnError = err;
        resolve();
      });
      child.once('close', () => resolve());
    });
    const holder: Holder = { child, high, exited, stderr: '', stopping: false };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      holder.stderr = (holder.stderr + s).slice(-STDERR_LIMIT);
    });
    this.holder = holder;
    process.once('exit', this.killOnExit);

    // gpioset says nothing when it holds the line, and exits at once when it cannot (line busy, no
    // permission, no such chip): staying up for settleMs is the signal of success.
    const settled = new Promise<void>((resolve) => {
      const t = this.clock.setTimeout(resolve, this.settleMs);
      void exited.then(() => {
        exitedEarly = true;
        this.clock.clearTimeout(t);
        resolve();
      });
    });
    await settled;
    if (exitedEarly) {
      this.holder = undefined;
      process.off('exit', this.killOnExit);
      if (spawnError?.code === 'ENOENT') {
        throw new EchosimError('GPIO_UNAVAILABLE', `cannot drive GPIO: ${this.command} was not found`, { hint: INSTALL_HINT, cause: spawnError });
      }
      const said = holder.stderr.trim();
      throw new EchosimError('GPIO_UNAVAILABLE', `${this.command} ${args.join(' ')} failed${said ? `: ${said}` : spawnError ? `: ${spawnError.message}` : ''}`, {
        hint: `check the chip and line (\`gpioinfo ${this.chip}\`), that no other program holds the line, and that the user is in the gpio group`,
        cause: spawnError,
        details: { command: this.command, args, code: child.exitCode, signal: child.signalCode },
      });
    }
    void exited.then(() => {
      if (holder.stopping) return;
      if (this.holder === holder) {
        this.holder = undefined;
        process.off('exit', this.killOnExit);
      }
      this.log.warn({ code: child.exitCode, signal: child.signalCode, stderr: holder.stderr.trim() }, 'gpioset stopped holding the line; the next set() starts it again');
    });
  }

  /** Stops the current holder: SIGTERM, then SIGKILL after killTimeoutMs. */
  private async release(): Promise<void> {
    const holder = this.holder;
    this.holder = undefined;
    if (!holder) return;
    process.off('exit', this.killOnExit);
    holder.stopping = true;
    const { child } = holder;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = this.clock.setTimeout(() => resolve(true), this.killTimeoutMs);
    });
    const stuck = await Promise.race([holder.exited.then(() => false), timedOut]);
    if (timer) this.clock.clearTimeout(timer);
    if (stuck) {
      this.log.warn({ pid: child.pid }, 'gpioset ignored SIGTERM; killing it');
      child.kill('SIGKILL');
      await holder.exited;
    }
  }
}

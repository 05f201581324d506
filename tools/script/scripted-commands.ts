import { EventEmitter } from 'node:events';
import type { LocalCommand } from '../../cloud-link/protocol/local-command.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ScriptedCommand } from './device-script.js';

/** What became of one scripted command: the runner's result, or the device's refusal. */
export interface CommandOutcome {
  readonly command: ScriptedCommand;
  /** Clock time it ran at, ms. */
  readonly at: number;
  readonly result?: Record<string, string>;
  /** Why it was refused: the feature's EchosimError (a plain Error only from a bug). */
  readonly error?: Error;
}

export interface ScriptedCommandsEvents {
  done: [CommandOutcome];
}

/** Runs one local command on the device (firmware/features/local-command-runner.ts). */
export type CommandRunner = (command: LocalCommand) => Promise<Record<string, string>>;

/**
 * Plays the local commands of a device script on the device's clock: each runs at its time
 * (`originMs` + its `atMs`) through `run`, the same runner the cloud's `local-command` job uses, and
 * its outcome is a `done` event. A refusal (a full timer list, ...) is an outcome with the feature's
 * error, not the end of the run: the cloud's job would be FAILED, the script goes on.
 *
 * `idle()` resolves once every command that has run is on flash: a runner that drives device time
 * (the audio feeder) awaits it before moving on, so what a command schedules (a timer's ring) is in
 * place before its time comes, and a `--fast` run stays deterministic.
 */
export class ScriptedCommands extends EventEmitter<ScriptedCommandsEvents> {
  private readonly commands: readonly ScriptedCommand[];
  private next = 0;
  private finished = 0;
  private timer: TimerHandle | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private reported: Promise<void> = Promise.resolve();
  private started = false;
  private closed = false;

  constructor(
    commands: readonly ScriptedCommand[],
    private readonly clock: Clock,
    private readonly run: CommandRunner,
    private readonly originMs = 0,
  ) {
    super();
    this.commands = [...commands].sort((a, b) => a.atMs - b.atMs);
  }

  /** Commands not yet finished (still to run, or running); 0 once the whole script has played. */
  get remaining(): number {
    return this.commands.length - this.finished;
  }

  start(): void {
    if (this.started) throw new Error('ScriptedCommands.start() was already called');
    this.started = true;
    this.arm();
  }

  /** Resolves when no command is running (their changes are on flash). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Runs nothing more, and waits for the commands already running. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  private arm(): void {
    const first = this.commands[this.next];
    if (this.closed || !first) return;
    this.timer = this.clock.setTimeout(() => this.fire(), this.originMs + first.atMs - this.clock.now());
  }

  /** Starts every command that is due, in script order, then arms the next. */
  private fire(): void {
    this.timer = undefined;
    for (;;) {
      const c = this.commands[this.next];
      if (this.closed || !c || this.originMs + c.atMs > this.clock.now()) break;
      this.next++;
      this.execute(c);
    }
    this.arm();
  }

  private execute(command: ScriptedCommand): void {
    const at = this.clock.now();
    const running = this.run(command.command).then(
      (result) => ({ command, at, result }),
      (err: unknown) => ({ command, at, error: err instanceof Error ? err : new Error(String(err)) }),
    );
    // Every command starts at its time (a timer's due time is computed then); outcomes are reported
    // in script order whichever write finishes first.
    const done = Promise.all([this.reported, running]).then(([, outcome]) => {
      this.inFlight.delete(done);
      this.finished++;
      this.emit('done', outcome);
    });
    this.reported = done;
    this.inFlight.add(done);
  }
}


import type { Clock, TimerHandle } from '../../core/clock.js';

export interface BatchPacerOptions {
  /**
   * The device's clock. A device runs on audio time: its timers fire while its microphone's frames
   * are fed in, so a batch paced by it rides a wakeup the device has anyway.
   */
  readonly device: Clock;
  /** Wall time: batches at least half an interval of it apart (a `--fast` device), and the stall guard. */
  readonly wall: Clock;
  /** A batch every this many ms of device time. */
  readonly intervalMs: number;
  /** Something waiting goes out after this many ms of wall time even if device time stands still. */
  readonly stallMs: number;
  readonly flush: () => void;
}

/**
 * When the device page's batches go out. A timer of the page's own would wake the device's process
 * for nothing else: on the project's 2-vCPU VM a wakeup costs 0.13-0.3 ms of CPU, and two such
 * timers (batches and levels, 14 wakeups a second) were about half of what a page cost its device
 * (BENCHMARKS.md section 10). So batches follow the device's clock, which moves with the audio the
 * device is hearing anyway. A wall-clock guard is armed only while something waits to be sent and
 * is cleared by every batch, so it fires only if the audio stops (a stalled microphone).
 */
export class BatchPacer {
  private tickTimer: TimerHandle | undefined;
  private guard: TimerHandle | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: BatchPacerOptions) {}

  get running(): boolean {
    return this.tickTimer !== undefined;
  }

  start(): void {
    if (this.tickTimer) return;
    this.tickTimer = this.o.device.setTimeout(this.tick, this.o.intervalMs);
  }

  stop(): void {
    if (this.tickTimer) this.o.device.clearTimeout(this.tickTimer);
    if (this.guard) this.o.wall.clearTimeout(this.guard);
    this.tickTimer = this.guard = undefined;
  }

  /** Something is waiting for the next batch: it goes out even if device time stops. */
  pending(): void {
    if (this.guard || !this.tickTimer) return;
    this.guard = this.o.wall.setTimeout(() => {
      this.guard = undefined;
      this.run();
    }, this.o.stallMs);
  }

  private readonly tick = (): void => {
    this.tickTimer = this.o.device.setTimeout(this.tick, this.o.intervalMs);
    // Half an interval: audio comes in 80 ms frames, so device time runs a little ahead of the wall at times.
    if (this.o.wall.now() - this.lastFlushAt >= this.o.intervalMs / 2) this.run();
  };

  private run(): void {
    this.lastFlushAt = this.o.wall.now();
    if (this.guard) this.o.wall.clearTimeout(this.guard);
    this.guard = undefined;
    this.o.flush();
  }
}

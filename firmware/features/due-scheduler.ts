import type { Clock, TimerHandle } from '../../core/clock.js';

/** How long the scheduler sleeps at most before it looks at the wall clock again, by default. */
export const DEFAULT_MAX_SLEEP_MS = 60_000;

/**
 * Keeps exactly one clock timer armed, for the nearest due time (epoch ms).
 *
 * Due times are absolute wall-clock instants (they must survive a restart), but timers run on the
 * monotonic clock, so the delay is recomputed from `wallNow()` each time. Sleeps are capped: a Pi
 * without an RTC boots with a wrong wall clock and NTP then steps it, and Node's setTimeout cannot
 * wait longer than ~24.8 days. Waking at least every `maxSleepMs` bounds how late an item can fire
 * after such a step, at the cost of one cheap wake-up per interval.
 */
export class DueScheduler {
  private handle: TimerHandle | undefined;
  private target: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
    private readonly maxSleepMs = DEFAULT_MAX_SLEEP_MS,
  ) {}

  /** The due time currently armed, if any. */
  get armedFor(): number | undefined {
    return this.target;
  }

  /** Arms for `dueAt` (replacing whatever was armed); undefined disarms. */
  arm(dueAt: number | undefined): void {
    this.stop();
    if (dueAt === undefined) return;
    this.target = dueAt;
    const delay = Math.min(Math.max(0, dueAt - this.clock.wallNow()), this.maxSleepMs);
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      if (this.clock.wallNow() >= dueAt) {
        this.target = undefined;
        this.onDue();
      } else {
        this.arm(dueAt);
      }
    }, delay);
  }

  stop(): void {
    if (this.handle) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.target = undefined;
  }
}

import type { Clock, TimerHandle } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { BookingRow, BookingStore } from '../db/booking-store.js';

export interface BookingReleaserOptions {
  bookings: BookingStore;
  clock: Clock;
  log: Logger;
  /**
   * The longest the releaser sleeps: a room profile that starts requiring a check-in (or changes its
   * window) is noticed within this long. Default one minute.
   */
  maxSleepMs?: number;
  /** Told about each release (the cloud's events). */
  onReleased?: (released: BookingRow[]) => void;
}

/**
 * A4B's check-in rule, driven by the cloud's clock: a booking not checked in within its room
 * profile's RequireCheckIn.ReleaseAfterMinutes of its start is released, and the room is free again.
 * One timer, set for the next release due (or maxSleepMs, whichever is sooner), set again after each
 * sweep and whenever a booking is made (`poke`).
 */
export class BookingReleaser {
  private timer: TimerHandle | undefined;
  private stopped = true;
  private readonly maxSleepMs: number;

  constructor(private readonly options: BookingReleaserOptions) {
    this.maxSleepMs = Math.max(1000, options.maxSleepMs ?? 60_000);
  }

  start(): void {
    this.stopped = false;
    this.sweep();
  }

  /** The calendar changed: sweep now and set the timer again. */
  poke(): void {
    if (!this.stopped) this.sweep();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const { bookings, clock, log } = this.options;
    if (this.timer) clock.clearTimeout(this.timer);
    this.timer = undefined;
    let next: number | undefined;
    try {
      const released = bookings.releaseDue(clock.wallNow());
      if (released.length > 0) {
        log.info({ bookings: released.map((b) => b.id) }, 'bookings released: nobody checked in');
        this.options.onReleased?.(released);
      }
      next = bookings.nextRelease();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'booking release sweep failed');
    }
    if (this.stopped) return;
    const wait = next === undefined ? this.maxSleepMs : Math.min(this.maxSleepMs, Math.max(1, next - clock.wallNow()));
    this.timer = clock.setTimeout(() => this.sweep(), wait);
  }
}

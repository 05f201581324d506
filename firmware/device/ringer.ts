import type { Clock, TimerHandle } from '../../core/clock.js';

export interface RingingItem {
  readonly kind: 'timer' | 'alarm';
  readonly id: string;
  readonly label?: string;
}

export interface RingerOptions {
  /** Time between chimes (default 2 s). */
  repeatMs?: number;
  /** A ringing item stops by itself after this long (default 60 s, as an Echo timer). */
  maxRingMs?: number;
}

/**
 * Rings fired timers and alarms: a chime now and every `repeatMs` until the action button dismisses
 * them or `maxRingMs` passes. Several items can ring at once; one press dismisses them all.
 */
export class Ringer {
  private readonly items = new Map<string, RingingItem>();
  private repeat: TimerHandle | undefined;
  private giveUp: TimerHandle | undefined;
  private readonly repeatMs: number;
  private readonly maxRingMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly chime: () => void,
    private readonly onStop: (items: RingingItem[], why: 'dismissed' | 'timed-out') => void,
    options: RingerOptions = {},
  ) {
    this.repeatMs = options.repeatMs ?? 2000;
    this.maxRingMs = options.maxRingMs ?? 60_000;
  }

  get ringing(): boolean {
    return this.items.size > 0;
  }

  ring(item: RingingItem): void {
    this.items.set(`${item.kind}:${item.id}`, item);
    if (this.giveUp) this.clock.clearTimeout(this.giveUp);
    this.giveUp = this.clock.setTimeout(() => this.stop('timed-out'), this.maxRingMs);
    if (!this.repeat) this.tick();
  }

  dismiss(): boolean {
    if (!this.ringing) return false;
    this.stop('dismissed');
    return true;
  }

  /** Forgets everything without reporting (reset of notifications, shutdown). */
  cancelAll(): void {
    this.items.clear();
    this.clearTimers();
  }

  private tick(): void {
    this.chime();
    this.repeat = this.clock.setTimeout(() => this.tick(), this.repeatMs);
  }

  private stop(why: 'dismissed' | 'timed-out'): void {
    const items = [...this.items.values()];
    this.items.clear();
    this.clearTimers();
    this.onStop(items, why);
  }

  private clearTimers(): void {
    if (this.repeat) this.clock.clearTimeout(this.repeat);
    if (this.giveUp) this.clock.clearTimeout(this.giveUp);
    this.repeat = undefined;
    this.giveUp = undefined;
  }
}

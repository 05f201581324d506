/**
 * Time is injected. Production code asks a Clock for the time and for timers; tests hand it a
 * VirtualClock and advance it, so device-in-the-loop runs are deterministic and faster than real time.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since an arbitrary epoch (monotonic). */
  now(): number;
  /** Wall-clock time, ms since the Unix epoch (for alarms and persisted due times). */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  sleep(ms: number): Promise<void>;
}

export class SystemClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    this.timers.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
}

interface VirtualTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** A clock that moves only when told to. Timers fire in due order, ties in creation order. */
export class VirtualClock implements Clock {
  private current: number;
  private readonly timers: VirtualTimer[] = [];
  private nextId = 1;
  private readonly epochMs: number;

  /**
   * @param start the monotonic time to start at, ms
   * @param epochMs the wall-clock time (ms since the Unix epoch) that `start` corresponds to;
   *   default 2026-01-05T09:00:00Z, a Monday, so runs are reproducible
   */
  constructor(start = 0, epochMs = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.current = start;
    this.epochMs = epochMs - start;
  }

  now(): number {
    return this.current;
  }

  wallNow(): number {
    return this.epochMs + this.current;
  }

  /** When the next timer falls due, or undefined when none is waiting. */
  nextDueTime(): number | undefined {
    return this.nextDue()?.due;
  }

  /**
   * Sets the time to `t` without running the timers that fall due on the way; they run at the next
   * advance. For a driver whose work is stamped `t` but must happen before those timers: audio
   * captured up to `t` is processed before a button press that came after its last sample. Call
   * `advanceTo(t)` right after the work.
   */
  jumpTo(t: number): void {
    if (t > this.current) this.current = t;
  }

  /**
   * Moves time forward to the absolute time `t`, firing what falls due on the way. A `t` at or before
   * now still fires the timers already due, without moving time back.
   */
  async advanceTo(t: number): Promise<void> {
    await this.advance(Math.max(0, t - this.current));
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.timers.findIndex((t) => t.id === handle.id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, and lets the
   * promise callbacks they trigger run before moving on.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue();
      if (!next || next.due > target) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.current = next.due;
      next.fn();
      await flushMicrotasks();
    }
    this.current = target;
    // What fired has settled above. With nothing due, only promise callbacks already queued run: a
    // busy process (a fleet) would otherwise pay five turns of its event loop per call.
    await Promise.resolve();
  }

  private nextDue(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}

/** One turn of the event loop: every promise callback a fired timer queued (and theirs) runs first. */
function flushMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

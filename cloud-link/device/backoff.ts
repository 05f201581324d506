/**
 * Reconnect delays: exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff and Jitter"): the n-th retry waits a uniformly random time in [0, min(cap, base * 2^n)).
 *
 * Why full jitter: when a broker restarts, a whole fleet loses its connection in the same instant.
 * Plain exponential backoff keeps them in lock-step and they hammer the broker in waves; spreading
 * each wait over the whole interval spreads the reconnects, at the cost of some retries coming
 * early. The cap (60 s by default) bounds how long a device stays offline after the broker is back.
 *
 * The attempt counter resets once a connection has stayed up for `resetAfterMs` (the cap by
 * default): a connection that drops right after it was made (the broker accepts, then kicks the
 * client) must not reset the backoff, or the device would retry at full speed forever.
 *
 * Pure arithmetic on times the caller passes in (its Clock's `now()`), so it is deterministic with an
 * injected `random` and needs no timers of its own.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's wait, ms; default 1000. */
  baseMs?: number;
  /** Largest ceiling, ms; default 60000. */
  capMs?: number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** A connection that lasted this long resets the attempts, ms; default `capMs`. */
  resetAfterMs?: number;
}

export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly resetAfterMs: number;
  private readonly random: () => number;
  private attempts = 0;
  private upSince: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.capMs = options.capMs ?? 60_000;
    this.resetAfterMs = options.resetAfterMs ?? this.capMs;
    this.random = options.random ?? Math.random;
    if (!(this.baseMs > 0) || !(this.capMs >= this.baseMs) || !(this.resetAfterMs >= 0)) {
      throw new RangeError(`invalid backoff: base ${this.baseMs} ms, cap ${this.capMs} ms, reset after ${this.resetAfterMs} ms`);
    }
  }

  /** Retries since the last reset (0 before the first failure). */
  get attempt(): number {
    return this.attempts;
  }

  /** The largest wait for retry number `attempt` (0-based): min(cap, base * 2^attempt). */
  ceilingMs(attempt: number): number {
    // 2^attempt overflows to Infinity for huge attempts, and min() handles that.
    return Math.min(this.capMs, this.baseMs * 2 ** attempt);
  }

  /** The wait before the next retry, ms (an integer), and counts the attempt. */
  next(): number {
    const ceiling = this.ceilingMs(this.attempts);
    this.attempts++;
    const r = Math.min(Math.max(this.random(), 0), 1 - Number.EPSILON);
    return Math.floor(r * ceiling);
  }

  /** The connection came up at `now` (ms on the caller's clock). */
  connected(now: number): void {
    this.upSince = now;
  }

  /** The connection went down at `now`; resets the attempts if it had been up long enough. */
  disconnected(now: number): void {
    if (this.upSince !== undefined && now - this.upSince >= this.resetAfterMs) this.attempts = 0;
    this.upSince = undefined;
  }

  reset(): void {
    this.attempts = 0;
    this.upSince = undefined;
  }
}

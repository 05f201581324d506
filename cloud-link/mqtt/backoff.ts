/**
 * Retry delays for requests (shadow and job requests left unanswered, 429/500 answers): exponential
 * backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"): the n-th
 * retry waits a uniformly random time in [0, min(cap, base * 2^n)).
 *
 * Why full jitter: when a service restarts, a whole fleet retries in the same instant. Plain
 * exponential backoff keeps them in lock-step and they hammer it in waves; spreading each wait over
 * the whole interval spreads the retries, at the cost of some coming early. The caller resets it
 * once a request succeeds. (Reconnecting has its own policy: reconnect-backoff.ts.)
 *
 * Pure arithmetic, deterministic with an injected `random`; no timers of its own.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's wait, ms; default 1000. */
  baseMs?: number;
  /** Largest ceiling, ms; default 60000. */
  capMs?: number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
}

export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  private readonly random: () => number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.capMs = options.capMs ?? 60_000;
    this.random = options.random ?? Math.random;
    if (!(this.baseMs > 0) || !(this.capMs >= this.baseMs)) {
      throw new RangeError(`invalid backoff: base ${this.baseMs} ms, cap ${this.capMs} ms`);
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
    return fullJitter(ceiling, this.random);
  }

  /** The request succeeded: the next failure starts from the first ceiling again. */
  reset(): void {
    this.attempts = 0;
  }
}

/** A wait uniform in [0, ceiling), ms, as an integer; never the ceiling itself, even if `random` misbehaves. */
export function fullJitter(ceilingMs: number, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * ceilingMs);
}

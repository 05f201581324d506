import type { Clock } from '../../../core/clock.js';

/**
 * Back-off for failed logins, checked before any credential is looked at, so wrong credentials cost
 * the cloud a few map lookups however fast they come.
 *
 * - Per source (an HTTP client's address, an MQTT username at an address): the first `freeFailures`
 *   failures are free (typos, a device retrying an old secret); each further one blocks the source
 *   for `baseDelayMs`, doubling up to `maxDelayMs`. Once in back-off a source gets one attempt at a
 *   time. A success clears the source; its failures are forgotten after `forgetAfterMs` of quiet.
 * - Global: failures from sources that have not logged in successfully lately draw from one token
 *   bucket (`globalFailuresPerSecond`, burst `globalBurst`). When it is empty such sources are refused
 *   until it refills, which bounds the work many attackers (many addresses, many usernames) can cause.
 *   Sources that logged in successfully in the last `trustForMs` are exempt, so a flood does not lock
 *   out the administrator or connected devices; they still have their own per-source back-off.
 *   The budget is generous on purpose: a check costs microseconds (keyed hashes), so it guards the
 *   guessing rate, not the CPU, and a sustained flood above it does keep sources the cloud has not
 *   seen log in lately (e.g. devices reconnecting after a restart) waiting until it subsides.
 *
 * Memory is bounded: at most `maxSources` failure records and `maxTrusted` trusted sources, the
 * least recently used forgotten first. Forgetting an attacker's record only resets its own back-off;
 * the global bucket still holds.
 */
export interface AuthThrottleOptions {
  clock: Clock;
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  forgetAfterMs?: number;
  maxSources?: number;
  globalFailuresPerSecond?: number;
  globalBurst?: number;
  maxTrusted?: number;
  trustForMs?: number;
}

export const AUTH_THROTTLE_DEFAULTS = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  forgetAfterMs: 15 * 60_000,
  maxSources: 10_000,
  globalFailuresPerSecond: 100,
  globalBurst: 500,
  maxTrusted: 10_000,
  trustForMs: 24 * 3600_000,
} as const;

/** An attempt let through: report how it went exactly once (cancel: it was not decided, e.g. the check was busy). */
export interface Admitted {
  readonly admitted: true;
  succeeded(): void;
  failed(): void;
  cancel(): void;
}

export interface Refused {
  readonly admitted: false;
  /** When trying again may be admitted (ms, at least 1). */
  readonly retryAfterMs: number;
  /** 'source': this source is in back-off; 'global': too many failures from everywhere. */
  readonly reason: 'source' | 'global';
}

export type Admission = Admitted | Refused;

interface SourceState {
  failures: number;
  pending: number;
  blockedUntil: number;
  lastFailureAt: number;
}

export class AuthThrottle {
  private readonly clock: Clock;
  private readonly o: Required<Omit<AuthThrottleOptions, 'clock'>>;
  /** Failure records, least recently touched first. */
  private readonly sources = new Map<string, SourceState>();
  /** Source -> trusted until (clock ms), least recently trusted first. */
  private readonly trusted = new Map<string, number>();
  private tokens: number;
  private refilledAt: number;

  constructor(options: AuthThrottleOptions) {
    this.clock = options.clock;
    const { clock: _clock, ...rest } = options;
    this.o = { ...AUTH_THROTTLE_DEFAULTS, ...stripUndefined(rest) };
    this.tokens = this.o.globalBurst;
    this.refilledAt = this.clock.now();
  }

  /** Failure records held (for tests and metrics). */
  get trackedSources(): number {
    return this.sources.size;
  }

  get trustedSources(): number {
    return this.trusted.size;
  }

  /** Decides, without touching any credential, whether an attempt from `source` may be checked. */
  admit(source: string): Admission {
    const now = this.clock.now();
    let state = this.sources.get(source);
    if (state && state.pending === 0 && now - state.lastFailureAt >= this.o.forgetAfterMs) {
      this.sources.delete(source);
      state = undefined;
    }
    if (state && now < state.blockedUntil) return refused('source', state.blockedUntil - now);
    if (state && state.failures >= this.o.freeFailures && state.pending > 0) return refused('source', this.o.baseDelayMs);
    const trusted = this.isTrusted(source, now);
    if (!trusted) {
      this.refill(now);
      if (this.tokens < 1) return refused('global', ((1 - this.tokens) / this.o.globalFailuresPerSecond) * 1000);
    }
    state ??= { failures: 0, pending: 0, blockedUntil: 0, lastFailureAt: now };
    state.pending++;
    this.remember(source, state);

    let settled = false;
    const settle = (outcome: 'ok' | 'failed' | 'cancel'): void => {
      if (settled) return;
      settled = true;
      const current = this.sources.get(source);
      if (current) current.pending = Math.max(0, current.pending - 1);
      if (outcome === 'ok') this.succeeded(source);
      else if (outcome === 'failed') this.failed(source, current, trusted);
    };
    return { admitted: true, succeeded: () => settle('ok'), failed: () => settle('failed'), cancel: () => settle('cancel') };
  }

  private succeeded(source: string): void {
    this.sources.delete(source);
    this.trusted.delete(source);
    this.trusted.set(source, this.clock.now() + this.o.trustForMs);
    if (this.trusted.size > this.o.maxTrusted) this.trusted.delete(this.trusted.keys().next().value!);
  }

  private failed(source: string, current: SourceState | undefined, trusted: boolean): void {
    const now = this.clock.now();
    const state = current ?? { failures: 0, pending: 0, blockedUntil: 0, lastFailureAt: now };
    state.failures++;
    state.lastFailureAt = now;
    const over = state.failures - this.o.freeFailures;
    if (over >= 0) state.blockedUntil = now + Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.min(over, 30));
    this.remember(source, state);
    if (!trusted) {
      this.refill(now);
      this.tokens = Math.max(this.tokens - 1, -this.o.globalBurst);
    }
  }

  /** Moves the record to the most recent end, forgetting the least recent one beyond the bound. */
  private remember(source: string, state: SourceState): void {
    this.sources.delete(source);
    this.sources.set(source, state);
    if (this.sources.size > this.o.maxSources) this.sources.delete(this.sources.keys().next().value!);
  }

  private isTrusted(source: string, now: number): boolean {
    const until = this.trusted.get(source);
    if (until === undefined) return false;
    if (now <= until) return true;
    this.trusted.delete(source);
    return false;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.refilledAt = now;
    this.tokens = Math.min(this.o.globalBurst, this.tokens + (elapsed / 1000) * this.o.globalFailuresPerSecond);
  }
}

function refused(reason: 'source' | 'global', ms: number): Refused {
  return { admitted: false, reason, retryAfterMs: Math.max(1, Math.ceil(ms)) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

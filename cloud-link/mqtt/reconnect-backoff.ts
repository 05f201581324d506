import { fullJitter } from './backoff.js';

/**
 * When a device's MQTT connection tries again: the reconnect policy of a fleet.
 *
 * Waits are "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"): uniform in
 * [0, ceiling), so a fleet that lost its broker in one instant comes back spread over the ceiling
 * instead of in one wave (1,000 devices over a 1 s ceiling: about 100 per 100 ms).
 *
 * The ceiling depends on the offline episode the device is in, not on how many attempts it made
 * in its life:
 *
 * - **Fast window.** A connection that was healthy drops (a broker restart, a network blip): for
 *   the next `fastWindowMs` the ceiling stays at `baseMs`. An outage shorter than the window ends
 *   with every device back within `baseMs` of the broker's return, however many outages came
 *   before: each one starts a fresh episode. The first wait is full jitter, [0, base), which
 *   spreads a fleet that dropped in one instant; later ones in the window are drawn from
 *   [base/2, base), so a device tries a down broker at most twice per base, and when the broker
 *   returns the fleet arrives flat: at most about 13 % of it in any tenth of `baseMs` (with full
 *   jitter throughout, 19 % would come in the first tenth).
 * - **Exponential growth.** Past the window (a long outage), and from boot until the first healthy
 *   connection, the ceiling doubles per attempt from `baseMs` up to `capMs`, so a fleet does not
 *   poll a broker that is gone for good.
 *
 * "Healthy" is a CONNACK and the SUBACK of every subscription (the broker authenticated the device
 * and answered a round trip); a connection refused, timed out or dropped before that is just a
 * failed attempt. A healthy connection that then drops within `stableMs` is a *flap*: a broker that
 * accepts and then kicks the client (a duplicate client id taking the session over, a broker
 * shedding load) would otherwise get a fast reconnect from every device forever. Flaps draw on a
 * budget (`flapBudget` fresh episodes, one more every `flapRefillMs`): a few restarts in a row
 * (ten 3 s outages with the broker up a few seconds between them) each get the fast window; a
 * kick loop uses the budget up, and from then on each flap continues the exponential growth
 * where the last one left it, up to the cap.
 *
 * Pure arithmetic on times the caller passes in (its Clock's `now()`), deterministic with an
 * injected `random`; no timers of its own.
 */
export interface ReconnectBackoffOptions {
  /** The ceiling of a wait in the fast window and of the first wait of exponential growth, ms; default 1000. */
  baseMs?: number;
  /** The largest ceiling, ms; default 60000. */
  capMs?: number;
  /** How long after a healthy connection dropped the ceiling stays at `baseMs`, ms; default 10000. */
  fastWindowMs?: number;
  /** A healthy connection that lasted this long was not a flap, ms; default 10000. */
  stableMs?: number;
  /** Flaps that still start a fresh episode with a fast window; default 10. */
  flapBudget?: number;
  /** One flap more is allowed every this long, ms; default 60000. */
  flapRefillMs?: number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
}

export class ReconnectBackoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly fastWindowMs: number;
  readonly stableMs: number;
  readonly flapBudget: number;
  readonly flapRefillMs: number;
  private readonly random: () => number;
  /** Doublings of the ceiling for the next wait outside a fast window. */
  private exponent = 0;
  /** Waits drawn since the connection was last healthy. */
  private attempts = 0;
  /** End of the current fast window, if the episode has one, and the waits drawn in it. */
  private fastUntil: number | undefined;
  private fastDraws = 0;
  private healthySince: number | undefined;
  private tokens: number;
  private tokensAt: number | undefined;

  constructor(options: ReconnectBackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.capMs = options.capMs ?? 60_000;
    this.fastWindowMs = options.fastWindowMs ?? 10_000;
    this.stableMs = options.stableMs ?? 10_000;
    this.flapBudget = options.flapBudget ?? 10;
    this.flapRefillMs = options.flapRefillMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.tokens = this.flapBudget;
    const ok =
      this.baseMs > 0 &&
      this.capMs >= this.baseMs &&
      this.fastWindowMs >= 0 &&
      this.stableMs >= 0 &&
      Number.isInteger(this.flapBudget) &&
      this.flapBudget >= 0 &&
      this.flapRefillMs > 0;
    if (!ok) {
      throw new RangeError(
        `invalid reconnect backoff: base ${this.baseMs} ms, cap ${this.capMs} ms, fast window ${this.fastWindowMs} ms, ` +
          `stable after ${this.stableMs} ms, flap budget ${this.flapBudget} per ${this.flapRefillMs} ms`,
      );
    }
  }

  /** Waits drawn since the connection was last healthy (0 before the first failure). */
  get attempt(): number {
    return this.attempts;
  }

  /** Whether a wait drawn at `now` falls in a fast window. */
  inFastWindow(now: number): boolean {
    return this.fastUntil !== undefined && now < this.fastUntil;
  }

  /** The ceiling of the next wait drawn at `now`, ms. */
  ceilingMs(now: number): number {
    if (this.inFastWindow(now)) return this.baseMs;
    // 2^exponent overflows to Infinity for huge exponents, and min() handles that.
    return Math.min(this.capMs, this.baseMs * 2 ** this.exponent);
  }

  /** The wait before the next attempt, drawn at `now`, ms (an integer in [0, ceiling)); counts the attempt. */
  next(now: number): number {
    const ceiling = this.ceilingMs(now);
    this.attempts++;
    if (this.inFastWindow(now)) {
      // The first wait spreads a fleet that dropped in one instant over [0, base); later ones keep at
      // least base/2 between attempts, which also keeps the fleet's arrival flat when the broker returns.
      const floor = this.fastDraws++ === 0 ? 0 : ceiling / 2;
      return Math.floor(floor + fullJitter(ceiling - floor, this.random));
    }
    this.fastUntil = undefined;
    if (ceiling < this.capMs) this.exponent++;
    return fullJitter(ceiling, this.random);
  }

  /** The connection became healthy at `now` (CONNACK and every SUBACK). */
  connected(now: number): void {
    this.healthySince = now;
    this.attempts = 0;
    this.fastUntil = undefined;
  }

  /**
   * The connection ended at `now`. After a healthy connection that lasted `stableMs`, a fresh
   * episode starts: a fast window, then growth from `baseMs`. After a shorter one (a flap) the fast
   * window comes out of the flap budget, and the growth past it continues where it was; with no
   * budget left there is no fast window. A connection that never became healthy changes nothing: it
   * was a failed attempt.
   */
  disconnected(now: number): void {
    const since = this.healthySince;
    if (since === undefined) return;
    this.healthySince = undefined;
    if (now - since >= this.stableMs) {
      this.exponent = 0;
      this.fastUntil = now + this.fastWindowMs;
    } else if (this.takeFlap(now)) {
      // A fast window, but a kick loop that refills one flap now and then keeps its growth.
      this.fastUntil = now + this.fastWindowMs;
    }
    this.fastDraws = 0;
  }

  /** Flaps still allowed a fast window at `now`. */
  flapsLeft(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  private takeFlap(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(now: number): void {
    if (this.tokensAt !== undefined && now > this.tokensAt) {
      this.tokens = Math.min(this.flapBudget, this.tokens + (now - this.tokensAt) / this.flapRefillMs);
    }
    this.tokensAt = now;
  }
}

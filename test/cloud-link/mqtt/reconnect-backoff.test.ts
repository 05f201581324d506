/**
 * The reconnect policy on its own: an injected random and times passed in, so every wait is exact.
 * `simulate` plays one device against a broker that is down in given intervals (a refused attempt
 * fails at once, as a closed port does) and records when the device got back after each outage.
 */
import { ReconnectBackoff, type ReconnectBackoffOptions } from '../../../cloud-link/mqtt/reconnect-backoff.js';

/** A fixed sequence of "random" numbers, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

/** A seeded linear congruential generator in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

interface Outage {
  from: number;
  to: number;
}

/**
 * One device from t=0 (connected and healthy at 0) through `outages` (sorted, disjoint): each outage
 * drops the connection at `from`; attempts before `to` are refused. Returns, per outage, how long
 * after `to` the device was connected again, and every wait it drew.
 */
function simulate(backoff: ReconnectBackoff, outages: Outage[], until = Infinity): { late: number[]; waits: number[] } {
  const late: number[] = [];
  const waits: number[] = [];
  backoff.connected(0);
  for (const [i, o] of outages.entries()) {
    backoff.disconnected(o.from);
    let t = o.from;
    for (let n = 0; ; n++) {
      if (n > 10_000) throw new Error(`outage ${i}: no progress after ${n} attempts`);
      const wait = backoff.next(t);
      waits.push(wait);
      t += wait;
      if (t >= until) return { late, waits };
      if (t >= o.to) break; // the attempt at t finds the broker back
    }
    const next = outages[i + 1];
    if (next && t >= next.from) throw new Error(`outage ${i}: still offline when the next one began`);
    backoff.connected(t);
    late.push(t - o.to);
  }
  return { late, waits };
}

/** `count` outages of `downMs`, the broker up `upMs` between them, the first at 60 s. */
function outagesEvery(count: number, downMs: number, upMs: number): Outage[] {
  return Array.from({ length: count }, (_, i) => {
    const from = 60_000 + i * (downMs + upMs);
    return { from, to: from + downMs };
  });
}

const policy = (options: ReconnectBackoffOptions = {}): ReconnectBackoff => new ReconnectBackoff(options);

describe('ReconnectBackoff', () => {
  it('grows from 1 s to the 60 s cap until the device has had a healthy connection', () => {
    const b = policy({ random: () => 0.5 });
    const waits = Array.from({ length: 10 }, () => b.next(0));
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(b.attempt).toBe(10);
    expect(b.inFastWindow(0)).toBe(false);
  });

  it('after a healthy connection drops, keeps the ceiling at 1 s for the fast window, then grows from 1 s', () => {
    // the first wait is full jitter, later ones in the window at least half the ceiling
    const low = policy({ random: () => 0 });
    low.connected(0);
    low.disconnected(30_000);
    expect([low.next(30_000), low.next(30_000), low.next(30_500)]).toEqual([0, 500, 500]);

    const b = policy({ random: () => 0.999 });
    b.connected(0);
    expect(b.attempt).toBe(0);
    b.disconnected(30_000);
    const at = [30_000, 30_500, 35_000, 39_999]; // inside the 10 s window
    expect(at.map((t) => b.ceilingMs(t))).toEqual([1000, 1000, 1000, 1000]);
    expect(at.map((t) => b.next(t))).toEqual([999, 999, 999, 999]);
    expect([40_000, 41_000, 43_000, 47_000, 55_000].map((t) => b.next(t))).toEqual([999, 1998, 3996, 7992, 15984]);
    expect(b.attempt).toBe(9);
  });

  it('brings a device back within 1 s of the broker after each of ten 3 s outages in a row, even when every draw is the worst', () => {
    for (const random of [() => 0.999, () => 0.001, sequence(0.001, 0.999), lcg(7)]) {
      // The broker comes back for 2 s between outages: every reconnect is a short-lived connection.
      const { late } = simulate(policy({ random }), outagesEvery(10, 3000, 2000));
      expect(late).toHaveLength(10);
      for (const l of late) expect(l).toBeLessThan(1000);
    }
  });

  it('keeps every outage fast however many came before, when the broker stays up 10 s between them', () => {
    const { late } = simulate(policy({ random: () => 0.999 }), outagesEvery(100, 3000, 12_000));
    expect(late).toHaveLength(100);
    expect(Math.max(...late)).toBeLessThan(1000);
  });

  it('backs off exponentially from the fast window on in a long outage, and the fleet is still back within 2x its length', () => {
    const b = policy({ random: () => 0.999 });
    const { late } = simulate(b, [{ from: 60_000, to: 60_000 + 120_000 }]);
    const [l] = late;
    // 10 s of 1 s waits, then 1, 2, 4 ... 64 s ceilings (capped at 60 s): the last wait is at most 60 s
    expect(l).toBeGreaterThan(0);
    expect(l).toBeLessThan(60_000);
  });

  it('does not hammer a broker that accepts and then kicks the client: the flap budget runs out and the waits grow to the cap', () => {
    const b = policy({ random: () => 0.5 });
    let t = 0;
    const connects: number[] = [];
    const waits: number[] = [];
    // Every attempt is accepted (CONNACK, SUBACK) and kicked 100 ms later, for 30 minutes.
    while (t < 30 * 60_000) {
      b.connected(t);
      connects.push(t);
      t += 100;
      b.disconnected(t);
      const w = b.next(t);
      waits.push(w);
      t += w;
    }
    // 10 fast reconnects, then one doubling per kick up to the cap, with a refilled flap now and then.
    expect(waits.slice(0, 10).every((w) => w === 500)).toBe(true);
    expect(waits.slice(10, 16)).toEqual([500, 1000, 2000, 4000, 8000, 16000]);
    expect(waits.filter((w) => w === 30_000).length).toBeGreaterThan(40);
    expect(connects.length).toBeLessThan(120); // vs about 3,000 with a reset on every CONNACK
    const lastTen = connects.slice(-10);
    expect(((lastTen.at(-1) ?? 0) - (lastTen[0] ?? 0)) / 9).toBeGreaterThan(15_000); // about 3 connects a minute
  });

  it('treats a connection refused or dropped before it became healthy as a failed attempt (no fast window)', () => {
    const b = policy({ random: () => 0.5 });
    b.connected(0);
    b.disconnected(60_000);
    expect(b.next(60_000)).toBe(500);
    // kicked before the SUBACK, again and again: never connected(), so the growth goes on
    b.disconnected(61_000);
    expect(b.next(61_000)).toBe(750); // still inside the fast window that began at 60 s: [500, 1000)
    b.disconnected(75_000);
    expect([b.next(75_000), b.next(75_000), b.next(75_000)]).toEqual([500, 1000, 2000]);
  });

  it('gives a stable connection a fresh fast window without touching the flap budget, and refills the budget over time', () => {
    const b = policy({ random: () => 0.5, flapBudget: 2, flapRefillMs: 60_000 });
    b.connected(0);
    b.disconnected(10_000); // lasted stableMs: not a flap
    expect(b.flapsLeft(10_000)).toBe(2);
    expect(b.inFastWindow(10_000)).toBe(true);
    for (const t of [20_000, 21_000]) {
      b.connected(t);
      b.disconnected(t + 500); // flaps
      expect(b.inFastWindow(t + 500)).toBe(true);
    }
    expect(b.flapsLeft(21_500)).toBe(0);
    b.connected(22_000);
    b.disconnected(22_500); // no budget: growth goes on from where it was
    expect(b.inFastWindow(22_500)).toBe(false);
    expect(b.next(22_500)).toBe(500);
    expect(b.next(23_000)).toBe(1000);
    expect(b.flapsLeft(22_000 + 60_000)).toBe(1); // one more a minute later
    b.connected(90_000);
    b.disconnected(90_500);
    expect(b.inFastWindow(90_500)).toBe(true);
  });

  it('spreads a fleet: 1,000 devices dropped in one instant first try again spread over 1 s, and come back spread after a 3 s outage', () => {
    const first = lcg(99);
    const tries = new Array<number>(10).fill(0);
    for (let d = 0; d < 1000; d++) {
      const b = policy({ random: first });
      b.connected(0);
      b.disconnected(60_000);
      tries[Math.floor(b.next(60_000) / 100)]! += 1;
    }
    for (const n of tries) expect(n).toBeGreaterThan(60); // about 100 in each 100 ms
    for (const n of tries) expect(n).toBeLessThan(140);

    const random = lcg(12345);
    const arrivals: number[] = [];
    for (let d = 0; d < 1000; d++) {
      const { late } = simulate(policy({ random }), [{ from: 60_000, to: 63_000 }]);
      arrivals.push(late[0] ?? Infinity);
    }
    expect(Math.max(...arrivals)).toBeLessThan(1000);
    const buckets = new Array<number>(10).fill(0);
    for (const a of arrivals) buckets[Math.floor(a / 100)]! += 1;
    // flat at about 133 per 100 ms over the first half second, then thinning out: never a wave
    expect(Math.max(...buckets)).toBeLessThan(170);
    expect(Math.min(...buckets.slice(0, 5))).toBeGreaterThan(100);
  });

  it('rejects nonsensical settings', () => {
    expect(() => policy({ baseMs: 0 })).toThrow(RangeError);
    expect(() => policy({ baseMs: 1000, capMs: 10 })).toThrow(RangeError);
    expect(() => policy({ fastWindowMs: -1 })).toThrow(RangeError);
    expect(() => policy({ stableMs: -1 })).toThrow(RangeError);
    expect(() => policy({ flapBudget: 1.5 })).toThrow(RangeError);
    expect(() => policy({ flapRefillMs: 0 })).toThrow(RangeError);
  });
});

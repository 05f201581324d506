import { Backoff } from '../../../cloud-link/mqtt/backoff.js';

/** A fixed sequence of "random" numbers, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('Backoff (full jitter)', () => {
  it('doubles the ceiling from 1 s up to the 60 s cap', () => {
    const b = new Backoff();
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50, 5000].map((n) => b.ceilingMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000,
    ]);
  });

  it('waits a uniform fraction of the ceiling: random() * min(cap, base * 2^attempt)', () => {
    const b = new Backoff({ random: sequence(0.5, 0.25, 0.999, 0, 0.5, 0.5, 0.5, 0.5) });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      500, 500, 3996, 0, 8000, 16000, 30000, 30000,
    ]);
    expect(b.attempt).toBe(8);
  });

  it('never reaches the ceiling itself, even if random() misbehaves', () => {
    const b = new Backoff({ baseMs: 100, capMs: 400, random: sequence(1, 1.5, -3) });
    expect([b.next(), b.next(), b.next()]).toEqual([99, 199, 0]);
  });

  it('spreads a fleet: 1000 devices retrying at once do not retry in lock-step', () => {
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const delays = Array.from({ length: 1000 }, () => {
      const b = new Backoff({ random });
      b.next();
      b.next();
      return b.next(); // third retry: ceiling 4 s
    });
    const buckets = new Array<number>(4).fill(0);
    for (const d of delays) buckets[Math.floor(d / 1000)]! += 1;
    expect(Math.max(...delays)).toBeLessThan(4000);
    for (const n of buckets) expect(n).toBeGreaterThan(180); // about 250 per second of the window
  });

  it('starts from the first ceiling again after reset()', () => {
    const b = new Backoff({ random: () => 0.5 });
    b.next();
    b.next();
    b.next();
    expect(b.attempt).toBe(3);
    expect(b.next()).toBe(4000);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(500);
  });

  it('rejects nonsensical settings', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 1000, capMs: 10 })).toThrow(RangeError);
  });
});

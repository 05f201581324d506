import { AuthThrottle, type Admission, type Admitted } from '../../../../cloud-link/cloud/auth/auth-throttle.js';
import { VirtualClock } from '../../../../core/clock.js';

function admitted(a: Admission): Admitted {
  if (!a.admitted) throw new Error(`refused (${a.reason}, retry after ${a.retryAfterMs} ms)`);
  return a;
}

/** Attempts `n` logins from `source` that all fail; returns how many were admitted. */
function failMany(t: AuthThrottle, source: string, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const a = t.admit(source);
    if (!a.admitted) continue;
    count++;
    a.failed();
  }
  return count;
}

describe('AuthThrottle', () => {
  test('a source has its free failures, then backs off exponentially up to the cap; refusals do not extend it', async () => {
    const clock = new VirtualClock();
    const t = new AuthThrottle({ clock, freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000 });
    expect(failMany(t, 'a', 10)).toBe(3);
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      const refusal = t.admit('a');
      if (refusal.admitted) throw new Error('admitted during back-off');
      expect(refusal.reason).toBe('source');
      waits.push(refusal.retryAfterMs);
      await clock.advance(refusal.retryAfterMs - 1);
      expect(t.admit('a')).toMatchObject({ admitted: false, retryAfterMs: 1 }); // not a millisecond early, and not extended
      await clock.advance(1);
      admitted(t.admit('a')).failed();
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    // another source is not affected
    expect(failMany(t, 'b', 3)).toBe(3);
  });

  test('a success clears the source; once in back-off only one attempt at a time is let through', async () => {
    const clock = new VirtualClock();
    const t = new AuthThrottle({ clock, freeFailures: 2, baseDelayMs: 500 });
    expect(failMany(t, 'a', 2)).toBe(2);
    await clock.advance(500);
    const first = admitted(t.admit('a'));
    expect(t.admit('a')).toMatchObject({ admitted: false, reason: 'source', retryAfterMs: 500 });
    first.succeeded();
    expect(failMany(t, 'a', 2)).toBe(2); // the count started again
    expect(t.admit('a').admitted).toBe(false);
  });

  test('before any failure, concurrent attempts from one source are all admitted (a client starting many calls at once)', () => {
    const t = new AuthThrottle({ clock: new VirtualClock(), freeFailures: 2 });
    const all = Array.from({ length: 25 }, () => admitted(t.admit('fleet')));
    for (const a of all) a.succeeded();
    expect(t.trackedSources).toBe(0);
    expect(t.trustedSources).toBe(1);
  });

  test('failures are forgotten after a quiet period', async () => {
    const clock = new VirtualClock();
    const t = new AuthThrottle({ clock, freeFailures: 3, forgetAfterMs: 60_000 });
    expect(failMany(t, 'a', 2)).toBe(2);
    await clock.advance(60_000);
    expect(failMany(t, 'a', 2)).toBe(2);
    expect(t.admit('a').admitted).toBe(true); // 2 + 2 would have been in back-off
  });

  test('each attempt is settled once; a cancelled one counts neither way', () => {
    const t = new AuthThrottle({ clock: new VirtualClock(), freeFailures: 2 });
    const a = admitted(t.admit('a'));
    a.failed();
    a.failed();
    a.succeeded();
    admitted(t.admit('a')).cancel();
    expect(t.admit('a').admitted).toBe(true); // one failure so far, below the free two
  });

  test('failures from everywhere share a global budget; trusted sources are exempt and it refills', async () => {
    const clock = new VirtualClock();
    const t = new AuthThrottle({ clock, freeFailures: 5, globalFailuresPerSecond: 10, globalBurst: 20 });
    admitted(t.admit('admin')).succeeded();
    let refused: Admission | undefined;
    let n = 0;
    for (; n < 100; n++) {
      const a = t.admit(`attacker-${n}`);
      if (!a.admitted) {
        refused = a;
        break;
      }
      a.failed();
    }
    expect(n).toBe(20);
    expect(refused).toEqual({ admitted: false, reason: 'global', retryAfterMs: 100 });
    expect(t.admit('a-new-device').admitted).toBe(false); // a source never seen waits too
    admitted(t.admit('admin')).succeeded(); // the administrator is not locked out
    admitted(t.admit('admin')).failed(); // and a trusted source's failure does not drain the budget
    await clock.advance(100);
    admitted(t.admit('late')).failed();
    expect(t.admit('later').admitted).toBe(false);
  });

  test('memory stays bounded however many sources an attacker uses', () => {
    const t = new AuthThrottle({ clock: new VirtualClock(), maxSources: 1000, maxTrusted: 100, globalBurst: 1e9, globalFailuresPerSecond: 1e9 });
    for (let i = 0; i < 50_000; i++) admitted(t.admit(`ip-${i}`)).failed();
    expect(t.trackedSources).toBe(1000);
    for (let i = 0; i < 5000; i++) admitted(t.admit(`ok-${i}`)).succeeded();
    expect(t.trustedSources).toBe(100);
    // the most recent attacker is still remembered (least recently used go first)
    expect(failMany(t, 'ip-49999', 10)).toBeLessThan(10);
  });
});

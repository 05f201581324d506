import { DEFAULT_MAX_IN_FLIGHT, InFlightLimiter } from '../../../cloud-link/protocol/in-flight-limiter.js';

describe('InFlightLimiter', () => {
  test('per device: the N+1th request is refused until one finishes; other devices are unaffected', () => {
    const limiter = new InFlightLimiter(2);
    const a1 = limiter.tryAcquire('a');
    const a2 = limiter.tryAcquire('a');
    expect(a1).toBeDefined();
    expect(a2).toBeDefined();
    expect(limiter.tryAcquire('a')).toBeUndefined();
    expect(limiter.tryAcquire('b')).toBeDefined();
    expect(limiter.inFlight('a')).toBe(2);
    a1?.();
    expect(limiter.inFlight('a')).toBe(1);
    expect(limiter.tryAcquire('a')).toBeDefined();
    expect(limiter.tryAcquire('a')).toBeUndefined();
  });

  test('releasing twice frees one slot only; idle devices leave no entry', () => {
    const limiter = new InFlightLimiter(1);
    const r = limiter.tryAcquire('a');
    const other = limiter.tryAcquire('b');
    r?.();
    r?.();
    expect(limiter.inFlight('a')).toBe(0);
    expect(limiter.busyDevices).toBe(1);
    const r2 = limiter.tryAcquire('a');
    r?.(); // a stale release must not free the new holder's slot
    expect(limiter.tryAcquire('a')).toBeUndefined();
    r2?.();
    other?.();
    expect(limiter.busyDevices).toBe(0);
  });

  test('AWS default of 10, and a positive integer limit is required', () => {
    const limiter = new InFlightLimiter();
    expect(limiter.maxPerDevice).toBe(DEFAULT_MAX_IN_FLIGHT);
    expect(Array.from({ length: 11 }, () => limiter.tryAcquire('x')).filter(Boolean)).toHaveLength(10);
    expect(() => new InFlightLimiter(0)).toThrow(RangeError);
    expect(() => new InFlightLimiter(1.5)).toThrow(RangeError);
  });
});

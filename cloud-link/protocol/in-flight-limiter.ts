/**
 * Per-device cap on shadow requests awaiting processing (AWS IoT: 10 in-flight requests per thing;
 * the next one is rejected with 429 "Too many requests"). A device that floods its shadow topic
 * then only hurts itself: its excess requests are refused at once instead of queueing behind the
 * whole fleet's.
 *
 * Usage: `const release = limiter.tryAcquire(id)`; undefined means reject with 429; otherwise call
 * `release()` when the request is done (in a `finally`). Releasing twice is harmless, so error paths
 * need no bookkeeping.
 */
export const DEFAULT_MAX_IN_FLIGHT = 10;

export type Release = () => void;

export class InFlightLimiter {
  private readonly counts = new Map<string, number>();

  constructor(readonly maxPerDevice: number = DEFAULT_MAX_IN_FLIGHT) {
    if (!Number.isInteger(maxPerDevice) || maxPerDevice < 1) {
      throw new RangeError(`maxPerDevice must be a positive integer, got ${maxPerDevice}`);
    }
  }

  /** A slot for one request of `deviceId`, or undefined when it already has `maxPerDevice` in flight. */
  tryAcquire(deviceId: string): Release | undefined {
    const n = this.counts.get(deviceId) ?? 0;
    if (n >= this.maxPerDevice) return undefined;
    this.counts.set(deviceId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(deviceId) ?? 1) - 1;
      // Idle devices leave no entry behind, so the map stays as small as the set of busy devices.
      if (left <= 0) this.counts.delete(deviceId);
      else this.counts.set(deviceId, left);
    };
  }

  inFlight(deviceId: string): number {
    return this.counts.get(deviceId) ?? 0;
  }

  /** How many devices have requests in flight. */
  get busyDevices(): number {
    return this.counts.size;
  }
}

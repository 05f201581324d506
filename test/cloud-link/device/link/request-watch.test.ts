import { VirtualClock } from '../../../../core/clock.js';
import { RequestWatch } from '../../../../cloud-link/device/link/request-watch.js';

/** A Backoff whose "random" draw is always 0.5: each delay is half its ceiling (0.5 s, 1 s, 2 s ...). */
const halfJitter = { random: () => 0.5 };

describe('RequestWatch', () => {
  it('reports a request lost after the timeout, and not when its answer came in time', async () => {
    const clock = new VirtualClock();
    const watch = new RequestWatch({ clock, timeoutMs: 5000 });
    const lost: string[] = [];
    watch.sent(() => lost.push('first'));
    expect(watch.awaitingAnswer).toBe(true);
    await clock.advance(4999);
    watch.answered();
    expect(watch.awaitingAnswer).toBe(false);
    await clock.advance(10_000);
    expect(lost).toEqual([]);
    watch.sent(() => lost.push('second'));
    await clock.advance(5000);
    expect(lost).toEqual(['second']);
    expect(watch.awaitingAnswer).toBe(false);
  });

  it('a new request replaces the answer timer of the one before it', async () => {
    const clock = new VirtualClock();
    const watch = new RequestWatch({ clock, timeoutMs: 1000 });
    const lost: string[] = [];
    watch.sent(() => lost.push('a'));
    await clock.advance(600);
    watch.sent(() => lost.push('b'));
    await clock.advance(600);
    expect(lost).toEqual([]);
    await clock.advance(400);
    expect(lost).toEqual(['b']);
  });

  it('retries after growing delays, back to the shortest after a success', async () => {
    const clock = new VirtualClock();
    const watch = new RequestWatch({ clock, backoff: { baseMs: 1000, capMs: 4000, ...halfJitter } });
    const at: number[] = [];
    const retry = (): void => void at.push(clock.now());
    const start = clock.now();
    for (let i = 0; i < 4; i++) {
      watch.retryLater(retry);
      await clock.advance(5000);
    }
    expect(at.map((t, i) => t - start - i * 5000)).toEqual([500, 1000, 2000, 2000]);
    watch.succeeded();
    const before = clock.now();
    watch.retryLater(retry);
    await clock.advance(5000);
    expect((at.at(-1) ?? 0) - before).toBe(500);
  });

  it('a retry scheduled again replaces the first; cancelRetry and stop drop it', async () => {
    const clock = new VirtualClock();
    const watch = new RequestWatch({ clock, backoff: { baseMs: 1000, capMs: 1000, ...halfJitter } });
    let retries = 0;
    watch.retryLater(() => retries++);
    watch.retryLater(() => retries++);
    await clock.advance(2000);
    expect(retries).toBe(1);
    watch.retryLater(() => retries++);
    watch.cancelRetry();
    await clock.advance(2000);
    expect(retries).toBe(1);
    let lost = 0;
    watch.retryLater(() => retries++);
    watch.sent(() => lost++);
    watch.stop();
    await clock.advance(60_000);
    expect({ retries, lost, awaiting: watch.awaitingAnswer }).toEqual({ retries: 1, lost: 0, awaiting: false });
  });
});

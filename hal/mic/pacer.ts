import type { Clock } from '../../core/clock.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * Sleeps on the injected clock; resolves early (with false) when `signal` aborts, clearing the timer
 * so nothing keeps the process alive. Resolves true when the time has passed.
 */
export function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      resolve(false);
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Real-time pacing for sources that could go faster than a microphone (files, synthetic audio).
 * A frame covering samples [index, index + n) is released no earlier than the moment a real
 * microphone would have finished capturing it: `start + (index + n) / 16 kHz`. The start is the
 * call to `begin()` (or else the first `waitFor`). A consumer that falls behind is not made to wait.
 */
export class RealtimePacer {
  private start: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {}

  /** Starts the timeline now; call it synchronously when the consumer first pulls. */
  begin(): void {
    this.start ??= this.clock.now();
  }

  /** Waits until sample `endIndex` (exclusive) is due. Returns false if the source was closed. */
  async waitFor(endIndex: number): Promise<boolean> {
    this.start ??= this.clock.now();
    const due = this.start + (endIndex * 1000) / SAMPLE_RATE;
    const wait = due - this.clock.now();
    if (wait <= 0) return !this.signal.aborted;
    return sleepUnlessAborted(this.clock, wait, this.signal);
  }
}

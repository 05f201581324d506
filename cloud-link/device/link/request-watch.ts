import type { Clock, TimerHandle } from '../../../core/clock.js';
import { Backoff, type BackoffOptions } from '../../mqtt/backoff.js';

export interface RequestWatchOptions {
  clock: Clock;
  /** How long a request may wait for its answer before it counts as lost; default 10 s. */
  timeoutMs?: number;
  /** Delays between retries; default base 1 s, cap 30 s. */
  backoff?: BackoffOptions;
}

/**
 * The retry policy of a request/answer exchange over MQTT (the shadow's get and update): one timer
 * for the answer of the request in flight, one for the next retry after a loss or a refusal for now
 * (429, 500), the retry delays growing on a Backoff so a fleet waiting for a cloud that is down does
 * not poll it in lock-step. All on the injected Clock.
 */
export class RequestWatch {
  private readonly backoff: Backoff;
  private readonly timeoutMs: number;
  private answerTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;

  constructor(private readonly options: RequestWatchOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoff = new Backoff({ baseMs: 1000, capMs: 30_000, ...options.backoff });
  }

  /** Whether a request is waiting for its answer. */
  get awaitingAnswer(): boolean {
    return this.answerTimer !== undefined;
  }

  /** A request went out: `onLost` runs if no answer is taken within the timeout. */
  sent(onLost: () => void): void {
    this.answered();
    this.answerTimer = this.options.clock.setTimeout(() => {
      this.answerTimer = undefined;
      onLost();
    }, this.timeoutMs);
  }

  /** The answer came (or is no longer wanted). */
  answered(): void {
    if (this.answerTimer) this.options.clock.clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
  }

  /** Runs `retry` after the next backoff delay, replacing any retry already scheduled. */
  retryLater(retry: () => void): void {
    this.cancelRetry();
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      retry();
    }, this.backoff.next());
  }

  /** A round completed: the next loss starts again from the shortest delay. */
  succeeded(): void {
    this.backoff.reset();
  }

  /** Forget everything in flight (disconnected or closed). */
  stop(): void {
    this.answered();
    this.cancelRetry();
  }

  /** The retry is being done now by other means (a fresh request). */
  cancelRetry(): void {
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}

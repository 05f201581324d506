import type { Clock, TimerHandle, VirtualClock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';

export interface WaitOptions {
  /**
   * Most real (wall-clock) time to wait, ms; default 10 000. The broker, the cloud and the sockets
   * between them run in real time whatever the devices' clocks do, so this is the budget that matters
   * when the network is slow.
   */
  readonly timeoutMs?: number;
  /**
   * Let device time pass while waiting (default true): when nothing has happened for a moment of real
   * time, the clocks move on a step, so timers (THINKING's 5 s, request retries, the link's backoff)
   * fire. false: the clocks stand still and only the network moves.
   */
  readonly advance?: boolean;
  /** Most device time to let pass, ms; default 120 000. */
  readonly maxDeviceMs?: number;
  /** What is awaited, for the timeout error (default: from the target). */
  readonly what?: string;
}

/** How waiting trades real time for device time. */
export interface Pace {
  /** Real ms without any event before the clocks are moved. Default 10: a localhost MQTT round trip is ~1 ms. */
  readonly idleMs: number;
  /** Device ms the clocks move per step. Default 100: waits run up to ~10x faster than real time. */
  readonly stepMs: number;
}

export const DEFAULT_PACE: Pace = { idleMs: 10, stepMs: 100 };
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_DEVICE_MS = 120_000;

/** What a wait needs from whoever owns the clock and the events (a device, or the whole simulation). */
export interface WaitSubject {
  /** `device-1`, `cloud`: who is waiting, for messages. */
  readonly who: string;
  /** The clock time used for the device-time budget. */
  now(): number;
  /** Moves the clock(s) forward `ms`, firing timers. */
  advance(ms: number): Promise<void>;
  /** Calls `wake` whenever something is recorded; returns the unsubscribe. */
  subscribe(wake: () => void): () => void;
  /** The current situation and the last events seen, for a timeout message. */
  describe(): string;
  /** Throws HARNESS_STOPPED once the simulation has stopped. */
  assertRunning(): void;
}

/**
 * Waits until `condition` holds, checking it whenever an event is recorded and between steps of
 * device time. Fails with HARNESS_TIMEOUT naming what was awaited, how long it waited (real and
 * device time) and the last events seen, so a failing test says why without a debugger.
 */
export async function waitUntil(subject: WaitSubject, condition: () => boolean, what: string, options: WaitOptions, pace: Pace, realClock: Clock): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const maxDeviceMs = options.maxDeviceMs ?? DEFAULT_MAX_DEVICE_MS;
  const advance = options.advance ?? true;
  const startReal = realClock.now();
  const startDevice = subject.now();
  let woke = false;
  let wakeNow: (() => void) | undefined;
  const unsubscribe = subject.subscribe(() => {
    woke = true;
    wakeNow?.();
  });
  try {
    for (;;) {
      subject.assertRunning();
      if (condition()) return;
      const waitedReal = realClock.now() - startReal;
      const waitedDevice = subject.now() - startDevice;
      if (waitedReal >= timeoutMs || (advance && waitedDevice >= maxDeviceMs)) {
        const budget = waitedReal >= timeoutMs ? `${timeoutMs} ms of real time` : `${maxDeviceMs} ms of device time`;
        throw new EchosimError(
          'HARNESS_TIMEOUT',
          `${subject.who}: gave up waiting for ${what} after ${budget} (${Math.round(waitedReal)} ms real, ${(waitedDevice / 1000).toFixed(1)} s device time); ${subject.describe()}`,
          {
            hint: advance
              ? 'check the last events above for what happened instead; if the device only needs longer, raise timeoutMs or maxDeviceMs'
              : 'the clocks were held still (advance: false): if a device timer has to fire first, wait with advance: true',
            details: { who: subject.who, what, waitedRealMs: Math.round(waitedReal), waitedDeviceMs: waitedDevice },
          },
        );
      }
      woke = false;
      await sleepUnlessWoken(realClock, pace.idleMs, (wake) => (wakeNow = wake));
      wakeNow = undefined;
      if (condition()) return;
      // Something just happened (a message arrived): look again before letting time pass.
      if (advance && !woke) await subject.advance(pace.stepMs);
    }
  } finally {
    unsubscribe();
  }
}

/** Real-time sleep of `ms` that ends early when the function handed to `onWake` is called. */
function sleepUnlessWoken(clock: Clock, ms: number, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let timer: TimerHandle | undefined;
    const done = (): void => {
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      resolve();
    };
    onWake(done);
    timer = clock.setTimeout(done, ms);
  });
}

/** Real-time sleep polling `condition` (woken early by events); resolves true if it held, false at the limit. */
export async function realWait(subject: Pick<WaitSubject, 'subscribe'>, condition: () => boolean, limitMs: number, realClock: Clock): Promise<boolean> {
  const start = realClock.now();
  let wakeNow: (() => void) | undefined;
  const unsubscribe = subject.subscribe(() => wakeNow?.());
  try {
    while (!condition()) {
      const left = limitMs - (realClock.now() - start);
      if (left <= 0) return false;
      await sleepUnlessWoken(realClock, Math.min(left, 20), (wake) => (wakeNow = wake));
      wakeNow = undefined;
    }
    return true;
  } finally {
    unsubscribe();
  }
}

/**
 * Awaits `work` while moving `clock` 50 ms per 10 ms of real time: for work whose bounded waits run
 * on a VirtualClock nobody else is moving (a link's close: outbox drain, the final offline message).
 * Gives up moving the clock after 10 s of device time; `work` is still awaited.
 */
export async function whileClockRuns(work: Promise<void>, clock: VirtualClock, realClock: Clock): Promise<void> {
  let done = false;
  const finished = work.finally(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) {
    await realWait({ subscribe: () => () => undefined }, () => done, 10, realClock);
    if (!done) await clock.advance(50);
  }
  await finished;
}

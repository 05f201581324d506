import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { DEFAULT_STATE_TIMEOUTS, TRANSITIONS, stateTimeout, type GuardContext, type StateTimeouts } from './device-states.js';
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';

export interface Transition {
  readonly from: DeviceState;
  readonly to: DeviceState;
  readonly input: DeviceInput;
  /** Clock time, ms. */
  readonly at: number;
  /** Free-form reason, e.g. the stream's end reason. */
  readonly detail?: string;
}

export interface StateMachineEvents {
  /** Every state change, self-transitions excluded. */
  transition: [Transition];
  /** An input the current state has no entry for. */
  ignored: [{ state: DeviceState; input: DeviceInput; at: number }];
}

/**
 * Runs the transition table. Inputs dispatched from inside a transition listener are queued and applied
 * after it, in order, so listeners always see a consistent sequence. Entering a state arms its timeout
 * (if it has one); leaving it disarms it.
 */
export class DeviceStateMachine extends EventEmitter<StateMachineEvents> {
  private current: DeviceState = 'BOOTING';
  private timer: TimerHandle | undefined;
  private readonly queue: Array<{ input: DeviceInput; detail: string | undefined }> = [];
  private dispatching = false;
  private stopped = false;
  private readonly timeouts: StateTimeouts;

  constructor(
    private readonly clock: Clock,
    private readonly context: () => GuardContext,
    timeouts: Partial<StateTimeouts> = {},
  ) {
    super();
    this.timeouts = { ...DEFAULT_STATE_TIMEOUTS, ...timeouts };
  }

  get state(): DeviceState {
    return this.current;
  }

  /** Applies an input; returns the state after it (and after anything queued behind it). */
  dispatch(input: DeviceInput, detail?: string): DeviceState {
    if (this.stopped) return this.current;
    this.queue.push({ input, detail });
    if (this.dispatching) return this.current;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) this.apply(next.input, next.detail);
    } finally {
      this.dispatching = false;
    }
    return this.current;
  }

  /** Would this input change anything in the current state? */
  accepts(input: DeviceInput): boolean {
    return TRANSITIONS[this.current][input] !== undefined;
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
    this.queue.length = 0;
  }

  private apply(input: DeviceInput, detail: string | undefined): void {
    const target = TRANSITIONS[this.current][input];
    const at = this.clock.now();
    if (target === undefined) {
      this.emit('ignored', { state: this.current, input, at });
      return;
    }
    const to = typeof target === 'function' ? target(this.context()) : target;
    if (to === this.current) return;
    const from = this.current;
    this.disarm();
    this.current = to;
    this.arm(to);
    this.emit('transition', { from, to, input, at, ...(detail === undefined ? {} : { detail }) });
  }

  private arm(state: DeviceState): void {
    const timeout = stateTimeout(state, this.timeouts);
    if (!timeout) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.current === state) this.dispatch(timeout.input, 'timeout');
    }, timeout.ms);
  }

  private disarm(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** True while a state timeout is armed (the runner waits for these before it calls a run finished). */
  get timeoutPending(): boolean {
    return this.timer !== undefined;
  }
}

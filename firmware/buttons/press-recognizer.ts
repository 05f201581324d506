import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ButtonEdge, ButtonName } from '../../hal/buttons/types.js';

export interface ButtonEvents {
  /** The button went down (debounced). `at` is when the contact closed, clock ms. */
  down: [{ button: ButtonName; at: number }];
  /** The button came up after `heldMs`. */
  up: [{ button: ButtonName; at: number; heldMs: number }];
  /** A short press: released before `longPressMs`. `at` is the release time. */
  click: [{ button: ButtonName; at: number }];
  /** Still held as the hold passes one of `holdThresholdsMs`; `at` = down time + `heldMs`. */
  hold: [{ button: ButtonName; at: number; heldMs: number }];
}

export interface PressRecognizerOptions {
  /** A press released before this is a click. Default 1000 ms. */
  readonly longPressMs?: number;
  /** Hold times that fire `hold` once each while the button stays down. Default [7000] (setup mode). */
  readonly holdThresholdsMs?: readonly number[];
}

export const DEFAULT_LONG_PRESS_MS = 1000;
/** Holding the action button this long puts an Echo into setup mode. */
export const DEFAULT_HOLD_THRESHOLDS_MS: readonly number[] = [7000];

interface Held {
  readonly at: number;
  readonly timers: TimerHandle[];
  /** Thresholds not yet reported, ascending. */
  readonly pending: number[];
}

/**
 * Turns debounced edges into gestures: down, up (with the hold time), click (a short press) and
 * hold (each threshold passed while still down). A long press that ends before any threshold gives
 * only down and up; the device decides what a plain long press means from `up.heldMs`.
 *
 * Hold timers run on the Clock from the press time, so a virtual-clock run fires them at exactly
 * down + threshold. If the release arrives and a threshold had already passed (its timer has not
 * run yet because edges arrived late), that hold is reported first, so the sequence is always
 * down, hold..., up.
 */
export class ButtonRecognizer extends EventEmitter<ButtonEvents> {
  readonly longPressMs: number;
  readonly holdThresholdsMs: readonly number[];
  private readonly held = new Map<ButtonName, Held>();
  private stopped = false;

  constructor(
    protected readonly clock: Clock,
    options: PressRecognizerOptions = {},
  ) {
    super();
    this.longPressMs = options.longPressMs ?? DEFAULT_LONG_PRESS_MS;
    const thresholds = options.holdThresholdsMs ?? DEFAULT_HOLD_THRESHOLDS_MS;
    if (!Number.isFinite(this.longPressMs) || this.longPressMs <= 0) throw new RangeError(`longPressMs must be > 0, got ${this.longPressMs}`);
    for (const t of thresholds) if (!Number.isFinite(t) || t <= 0) throw new RangeError(`hold thresholds must be > 0 ms, got ${t}`);
    this.holdThresholdsMs = [...new Set(thresholds)].sort((a, b) => a - b);
  }

  /** Buttons down right now. */
  get pressed(): ButtonName[] {
    return [...this.held.keys()];
  }

  /** Feeds one debounced edge. A second down or an up without a down is ignored. */
  edge(e: ButtonEdge): void {
    if (this.stopped) return;
    const held = this.held.get(e.button);
    if (e.pressed) {
      if (held) return;
      const state: Held = { at: e.at, timers: [], pending: [...this.holdThresholdsMs] };
      this.held.set(e.button, state);
      this.emit('down', { button: e.button, at: e.at });
      for (const t of this.holdThresholdsMs) {
        state.timers.push(this.clock.setTimeout(() => this.fireHolds(e.button, state, state.at + t), state.at + t - this.clock.now()));
      }
      return;
    }
    if (!held) return;
    const at = Math.max(e.at, held.at);
    this.fireHolds(e.button, held, at);
    for (const t of held.timers) this.clock.clearTimeout(t);
    this.held.delete(e.button);
    const heldMs = at - held.at;
    this.emit('up', { button: e.button, at, heldMs });
    if (heldMs < this.longPressMs) this.emit('click', { button: e.button, at });
  }

  /** Cancels hold timers and forgets held buttons; no more events come out. */
  stop(): void {
    this.stopped = true;
    for (const h of this.held.values()) for (const t of h.timers) this.clock.clearTimeout(t);
    this.held.clear();
  }

  /** Reports every pending threshold reached by time `until`. */
  private fireHolds(button: ButtonName, held: Held, until: number): void {
    while (this.held.get(button) === held && !this.stopped) {
      const next = held.pending[0];
      if (next === undefined || held.at + next > until) return;
      held.pending.shift();
      this.emit('hold', { button, at: held.at + next, heldMs: next });
    }
  }
}

import type { ButtonName } from '../../firmware/device-model.js';

export type { ButtonName };

/**
 * One raw level change of a button, as the hardware (or a script, or a keyboard) saw it. Drivers
 * report edges as they come, bounces included; the firmware debounces them.
 */
export interface ButtonEdge {
  readonly button: ButtonName;
  /** True when the button went down, false when it was released. */
  readonly pressed: boolean;
  /** Clock time of the change, ms (the injected Clock's `now()` scale). */
  readonly at: number;
}

/** A source of button edges: a script, the keyboard, GPIO lines. */
export interface ButtonDriver {
  /** Starts delivering edges to `onEdge`. Called once. */
  start(onEdge: (e: ButtonEdge) => void): void;
  /** Stops delivering edges and releases what the driver holds (timers, processes, the TTY). */
  close(): Promise<void>;
}

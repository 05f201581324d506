/** Every button a device can have (a device model, firmware/device-models/, lists which of them it has). */
export const BUTTON_NAMES = ['action', 'mic-off', 'mute', 'call', 'volume-up', 'volume-down'] as const;
export type ButtonName = (typeof BUTTON_NAMES)[number];

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

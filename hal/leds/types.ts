/** One LED's colour, 0..255 per channel. */
export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/** What the ring shows at one instant: one colour per LED, LED 0 first (clockwise from the front). */
export interface LedFrame {
  readonly leds: readonly Rgb[];
  /** Audio/clock time of the frame, ms. */
  readonly at: number;
}

/** A place frames go: a terminal ring, JSON events, or real APA102 LEDs. */
export interface LedRenderer {
  render(frame: LedFrame): Promise<void>;
  close(): Promise<void>;
}

export const OFF: Rgb = { r: 0, g: 0, b: 0 };

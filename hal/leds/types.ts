/** One LED's colour, 0..255 per channel. */
export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/**
 * What the ring shows at one instant: one colour per LED.
 *
 * Angle convention (the whole device uses it: microphone geometry, direction of arrival, LEDs):
 * azimuth in degrees, counter-clockwise as seen from above, 0 = the direction of microphone 0.
 * LED k of an L-LED ring sits at azimuth `360 * k / L`, so `leds[0]` points where microphone 0
 * points and indices grow counter-clockwise. "Clockwise" on the ring therefore means decreasing
 * azimuth, i.e. decreasing LED index.
 */
export interface LedFrame {
  readonly leds: readonly Rgb[];
  /** Audio/clock time of the frame, ms. */
  readonly at: number;
  /**
   * What the ring means, e.g. `listening` or `thinking+volume`, for renderers that print text (the
   * terminal ring, JSON events). Optional: hardware renderers ignore it.
   */
  readonly label?: string;
}

/** A place frames go: a terminal ring, JSON events, or real APA102 LEDs. */
export interface LedRenderer {
  render(frame: LedFrame): Promise<void>;
  close(): Promise<void>;
}

export const OFF: Rgb = { r: 0, g: 0, b: 0 };

/** Whether two colours are the same, channel for channel. */
export function sameRgb(a: Rgb, b: Rgb): boolean {
  return a.r === b.r && a.g === b.g && a.b === b.b;
}

/** Whether two frames show the same thing (same colours and label; the time does not count). */
export function sameFrame(a: LedFrame, b: LedFrame): boolean {
  if (a.leds.length !== b.leds.length || a.label !== b.label) return false;
  for (let i = 0; i < a.leds.length; i++) {
    const x = a.leds[i];
    const y = b.leds[i];
    if (!x || !y || !sameRgb(x, y)) return false;
  }
  return true;
}

/** `#rrggbb` for one colour (channels rounded and clamped to 0..255). */
export function rgbHex(c: Rgb): string {
  const h = (v: number): string => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0');
  return `#${h(c.r)}${h(c.g)}${h(c.b)}`;
}

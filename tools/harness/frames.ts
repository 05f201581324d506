import { rgbHex, type LedFrame } from '../../hal/leds/types.js';

/** A light-ring frame as `#rrggbb` strings, LED 0 first: easy to compare and to print in a failing test. */
export function frameHex(frame: LedFrame): string[] {
  return frame.leds.map(rgbHex);
}

import type { Rgb } from '../../hal/leds/types.js';

/**
 * The ring's palette (docs/light-ring.md#palette). Full-intensity values: the APA102 global brightness and the
 * pulse envelopes scale them down. Cyan and blue are far apart on purpose so the listening segment
 * stands out even on cheap LEDs whose green die is weak.
 */
export const COLORS = {
  blue: { r: 0, g: 0, b: 255 },
  cyan: { r: 0, g: 255, b: 255 },
  orange: { r: 255, g: 100, b: 0 },
  red: { r: 255, g: 0, b: 0 },
  yellow: { r: 255, g: 190, b: 0 },
  green: { r: 0, g: 255, b: 0 },
  /** Error (Wi-Fi / setup): a blue-leaning violet, distinct from the Do-Not-Disturb purple. */
  violet: { r: 140, g: 0, b: 255 },
  /** Do-Not-Disturb flash. */
  purple: { r: 160, g: 0, b: 160 },
  white: { r: 255, g: 255, b: 255 },
} as const satisfies Record<string, Rgb>;

/** A colour scaled by `k` (0..1), channels rounded to whole numbers so equal frames compare equal. */
export function scale(c: Rgb, k: number): Rgb {
  const f = clamp01(k);
  return { r: Math.round(c.r * f), g: Math.round(c.g * f), b: Math.round(c.b * f) };
}

/** Linear blend from `a` (w = 0) to `b` (w = 1), rounded to whole numbers. */
export function mix(a: Rgb, b: Rgb, w: number): Rgb {
  const f = clamp01(w);
  return {
    r: Math.round(a.r + (b.r - a.r) * f),
    g: Math.round(a.g + (b.g - a.g) * f),
    b: Math.round(a.b + (b.b - a.b) * f),
  };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0;
}

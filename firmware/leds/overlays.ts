import type { Rgb } from '../../hal/leds/types.js';
import { EchosimError } from '../../core/errors.js';
import { COLORS, mix, scale } from './colors.js';
import { wrapIndex } from './ring-geometry.js';

/**
 * Short-lived overlays drawn on top of whatever base pattern the ring shows (docs/light-ring.md#overlays): the white
 * volume arc and the Do-Not-Disturb flash. Both are pure functions of the base colours and time.
 */

/** How long the volume arc stays after the last change, ms. */
export const VOLUME_OVERLAY_MS = 1500;

/**
 * What the rest of the ring keeps of the base pattern under the volume arc. Not zero: a privacy
 * indicator (mic-off red) must stay visible while the volume is changed; not much, so the arc's
 * length reads at a glance.
 */
export const VOLUME_BACKGROUND_LEVEL = 0.2;

/** Brightness of the single LED that shows volume 0 (an arc of zero length would look like "off"). */
export const VOLUME_ZERO_LEVEL = 0.15;

/** How long the Do-Not-Disturb flash lasts, ms. */
export const DND_FLASH_MS = 600;

/**
 * The white volume arc: `round(level / max · L)` LEDs from the front (LED 0) going clockwise, at least
 * one for any level above 0; level 0 shows LED 0 dim white. The rest of the ring is the base dimmed
 * to VOLUME_BACKGROUND_LEVEL.
 */
export function volumeArc(base: readonly Rgb[], level: number, max: number): Rgb[] {
  checkVolume(level, max);
  const n = base.length;
  const out = base.map((c) => scale(c, VOLUME_BACKGROUND_LEVEL));
  if (n === 0) return out;
  const v = Math.min(Math.max(level, 0), max);
  if (v === 0) {
    out[0] = scale(COLORS.white, VOLUME_ZERO_LEVEL);
    return out;
  }
  const lit = Math.min(n, Math.max(1, Math.round((v / max) * n)));
  // Clockwise seen from above = decreasing azimuth = decreasing index: 0, L-1, L-2, ...
  for (let i = 0; i < lit; i++) out[wrapIndex(-i, n)] = COLORS.white;
  return out;
}

/** Throws when a volume level cannot be drawn (max not positive, values not finite). */
export function checkVolume(level: number, max: number): void {
  if (!Number.isFinite(max) || max <= 0 || !Number.isFinite(level)) {
    throw new EchosimError('LED_FRAME_INVALID', `cannot show volume ${level} of ${max}`, {
      hint: 'give a finite level and a maximum above 0 (e.g. level 5 of max 10)',
    });
  }
}

/**
 * The Do-Not-Disturb flash `t` ms after it began: the whole ring blends to purple and back
 * (half a sine over DND_FLASH_MS); outside the flash the base is returned unchanged.
 */
export function dndFlash(base: readonly Rgb[], t: number): Rgb[] {
  if (!(t >= 0 && t < DND_FLASH_MS)) return [...base];
  const w = Math.sin((Math.PI * t) / DND_FLASH_MS);
  return base.map((c) => mix(c, COLORS.purple, w));
}

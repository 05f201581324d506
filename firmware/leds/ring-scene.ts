import type { Rgb } from '../../hal/leds/types.js';
import { dndFlash, DND_FLASH_MS, volumeArc } from './overlays.js';
import { patternColors, type LedPattern } from './patterns.js';

/**
 * What the light ring means at a moment (docs/light-ring.md): its base pattern and when it began, the
 * talker's direction, the volume arc and the Do-Not-Disturb flash. Every frame the ring shows is a pure
 * function of a scene and the time (`sceneFrame`), so whoever holds the scene can draw the frames
 * itself: the device's ring engine does, and so does the device page in the browser, which gets only
 * the scene's changes (tools/web/device-web.ts). Times are ms on the device's clock.
 *
 * This module and what it imports run in the browser as they are compiled (no Node API).
 */
export interface RingScene {
  readonly pattern: LedPattern;
  /** When the base pattern began: its animation starts from there. */
  readonly since: number;
  /** The talker's azimuth, degrees, for 'listening'; undefined = unknown (the front). */
  readonly direction?: number | undefined;
  /** The white volume arc, shown until `until`. */
  readonly volume?: { readonly level: number; readonly max: number; readonly until: number } | undefined;
  /** When the last Do-Not-Disturb flash began (it lasts DND_FLASH_MS). */
  readonly dndSince?: number | undefined;
}

/** The colours of an `ledCount`-LED ring showing `scene` at `at`, and what they mean (e.g. `thinking+volume`). */
export function sceneFrame(scene: RingScene, at: number, ledCount: number): { leds: Rgb[]; label: string } {
  let leds = patternColors(scene.pattern, at - scene.since, ledCount, scene.direction);
  let label: string = scene.pattern;
  if (scene.dndSince !== undefined && at - scene.dndSince < DND_FLASH_MS) {
    leds = dndFlash(leds, at - scene.dndSince);
    label += '+dnd';
  }
  if (scene.volume && at < scene.volume.until) {
    leds = volumeArc(leds, scene.volume.level, scene.volume.max);
    label += '+volume';
  }
  return { leds, label };
}

/** `scene` without the overlays that are over by `at` (they no longer change any frame). */
export function withoutExpired(scene: RingScene, at: number): RingScene {
  const { volume, dndSince, ...rest } = scene;
  return {
    ...rest,
    ...(volume && at < volume.until ? { volume } : {}),
    ...(dndSince !== undefined && at - dndSince < DND_FLASH_MS ? { dndSince } : {}),
  };
}

import { loadDeviceModels } from '../../firmware/device-model.js';
import { patternFor } from '../../firmware/device/led-scene.js';
import { patternColors } from '../../firmware/leds/patterns.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import { rgbHex } from '../../hal/leds/types.js';

const DEFAULT_LEDS = 12;
let ledCounts: Map<string, number> | undefined;

/** LEDs of a device type's ring (its model file), 12 for a type echosim has no model for. */
export function ledCountOf(deviceType: string): number {
  ledCounts ??= new Map([...loadDeviceModels()].map(([id, m]) => [id, m.leds.count]));
  return ledCounts.get(deviceType) ?? DEFAULT_LEDS;
}

/**
 * What a device's ring shows `sinceMs` after it entered `state`, from the state it reported: the
 * same pattern functions the firmware's ring runs (no direction, no overlays: the cloud does not
 * hear them). MIC_OFF is red whatever else.
 */
export function ringThumbnail(state: DeviceState, sinceMs: number, ledCount: number): string[] {
  const pattern = patternFor(state, { micOn: state !== 'MIC_OFF', notification: false, callActive: false });
  return patternColors(pattern, Math.max(0, sinceMs), ledCount).map(rgbHex);
}

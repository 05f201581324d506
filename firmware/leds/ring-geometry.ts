/**
 * Where LEDs sit on the ring. The device-wide convention (hal/leds/types.ts): azimuth in degrees,
 * counter-clockwise seen from above, 0 = the direction of microphone 0; LED k of an L-LED ring sits at
 * azimuth 360·k/L. Clockwise therefore means decreasing azimuth and decreasing LED index.
 */

/** Azimuth of LED `k` on an `ledCount`-LED ring, degrees in [0, 360). */
export function ledAzimuth(k: number, ledCount: number): number {
  return normalizeAzimuth((360 * k) / ledCount);
}

/** Any angle in degrees mapped into [0, 360). */
export function normalizeAzimuth(deg: number): number {
  const a = deg % 360;
  return a < 0 ? a + 360 : a === 0 ? 0 : a; // `a === 0` folds -0 into 0
}

/** Shortest angular distance between two azimuths, degrees in [0, 180]. */
export function angularDistance(a: number, b: number): number {
  const d = Math.abs(normalizeAzimuth(a) - normalizeAzimuth(b));
  return d > 180 ? 360 - d : d;
}

/** Index in [0, n) of any integer, wrapping negatives (ring arithmetic). */
export function wrapIndex(i: number, n: number): number {
  return ((i % n) + n) % n;
}

/** The LED nearest to an azimuth (exactly halfway goes to the next LED counter-clockwise). */
export function nearestLed(azimuthDeg: number, ledCount: number): number {
  return wrapIndex(Math.round((normalizeAzimuth(azimuthDeg) * ledCount) / 360), ledCount);
}

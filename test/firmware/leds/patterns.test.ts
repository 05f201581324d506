import { COLORS } from '../../../firmware/leds/colors.js';
import { DND_FLASH_MS, dndFlash, volumeArc, VOLUME_BACKGROUND_LEVEL } from '../../../firmware/leds/overlays.js';
import { LED_PATTERNS, patternColors, PULSE_FLOOR, PULSE_PERIOD_MS, SPIN_PERIOD_MS } from '../../../firmware/leds/patterns.js';
import { ledAzimuth, nearestLed, normalizeAzimuth } from '../../../firmware/leds/ring-geometry.js';
import type { Rgb } from '../../../hal/leds/types.js';

const BLUE = { r: 0, g: 0, b: 255 };
const CYAN = { r: 0, g: 255, b: 255 };
const OFF = { r: 0, g: 0, b: 0 };
const WHITE = { r: 255, g: 255, b: 255 };

/** Index of the LED equal to `c`, asserting there is exactly one. */
function onlyIndexOf(leds: readonly Rgb[], c: Rgb): number {
  const hits = leds.flatMap((x, i) => (x.r === c.r && x.g === c.g && x.b === c.b ? [i] : []));
  expect(hits).toHaveLength(1);
  return hits[0]!;
}

describe('ring geometry', () => {
  test('LED k of L sits at 360·k/L degrees counter-clockwise from microphone 0', () => {
    expect(ledAzimuth(0, 12)).toBe(0);
    expect(ledAzimuth(3, 12)).toBe(90);
    expect(ledAzimuth(11, 12)).toBe(330);
    expect(nearestLed(90, 12)).toBe(3);
    expect(nearestLed(-30, 12)).toBe(11);
    expect(nearestLed(359, 12)).toBe(0);
    expect(normalizeAzimuth(-90)).toBe(270);
    expect(normalizeAzimuth(720)).toBe(0);
  });
});

describe('base patterns (docs/light-ring.md#patterns)', () => {
  test('listening at azimuth 90 on 12 LEDs: LED 3 cyan, its neighbours half cyan, the rest solid blue', () => {
    const leds = patternColors('listening', 0, 12, 90);
    expect(leds[3]).toEqual(CYAN);
    expect(leds[2]).toEqual({ r: 0, g: 128, b: 255 });
    expect(leds[4]).toEqual({ r: 0, g: 128, b: 255 });
    for (const k of [0, 1, 5, 6, 7, 8, 9, 10, 11]) expect(leds[k]).toEqual(BLUE);
  });

  test('listening with no known direction points at the front, LED 0; between two LEDs it lights both equally', () => {
    const front = patternColors('listening', 0, 12);
    expect(front[0]).toEqual(CYAN);
    expect(front[11]).toEqual(front[1]);
    const between = patternColors('listening', 0, 12, 105); // halfway between LED 3 (90°) and LED 4 (120°)
    expect(between[3]).toEqual(between[4]);
    expect(between[3]!.g).toBe(191); // weight 3/4
    expect(between[2]!.g).toBe(64); // weight 1/4
    expect(between[6]).toEqual(BLUE);
  });

  test('mic-off is solid red; off is dark', () => {
    expect(patternColors('mic-off', 1234, 12)).toEqual(Array(12).fill({ r: 255, g: 0, b: 0 }));
    expect(patternColors('off', 99, 3)).toEqual([OFF, OFF, OFF]);
  });

  test('setup: an orange head spinning clockwise (decreasing index) over a dark ring', () => {
    const step = SPIN_PERIOD_MS.setup / 12;
    const heads = [0, 1, 2, 3].map((i) => onlyIndexOf(patternColors('setup', i * step + 1, 12), COLORS.orange));
    expect(heads).toEqual([0, 11, 10, 9]);
    const f = patternColors('setup', step + 1, 12);
    // The tail trails where the head came from (higher indices), fading out.
    expect(f[0]).toEqual({ r: 115, g: 45, b: 0 });
    expect(f[1]).toEqual({ r: 38, g: 15, b: 0 });
    expect(f[5]).toEqual(OFF);
  });

  test('call-active: a green head spinning anticlockwise (increasing index)', () => {
    const step = SPIN_PERIOD_MS['call-active'] / 12;
    const heads = [0, 1, 2].map((i) => onlyIndexOf(patternColors('call-active', i * step, 12), COLORS.green));
    expect(heads).toEqual([0, 1, 2]);
  });

  test('booting and connecting: solid blue with a spinning cyan head', () => {
    for (const p of ['booting', 'connecting'] as const) {
      const f = patternColors(p, SPIN_PERIOD_MS[p] / 12, 12);
      expect(onlyIndexOf(f, CYAN)).toBe(11);
      expect(f[6]).toEqual(BLUE);
    }
  });

  test('thinking: even and odd LEDs swap blue and cyan', () => {
    const start = patternColors('thinking', 0, 12);
    const half = patternColors('thinking', PULSE_PERIOD_MS.thinking / 2, 12);
    expect(start.filter((_, k) => k % 2 === 0)).toEqual(Array(6).fill(CYAN));
    expect(start.filter((_, k) => k % 2 === 1)).toEqual(Array(6).fill(BLUE));
    expect(half.filter((_, k) => k % 2 === 0)).toEqual(Array(6).fill(BLUE));
    expect(half.filter((_, k) => k % 2 === 1)).toEqual(Array(6).fill(CYAN));
  });

  test('speaking: the whole ring breathes between cyan and blue, unlike thinking', () => {
    expect(patternColors('speaking', 0, 12)).toEqual(Array(12).fill(CYAN));
    expect(patternColors('speaking', PULSE_PERIOD_MS.speaking / 2, 12)).toEqual(Array(12).fill(BLUE));
    const q = patternColors('speaking', PULSE_PERIOD_MS.speaking / 4, 12);
    expect(new Set(q.map((c) => `${c.r},${c.g},${c.b}`)).size).toBe(1);
    expect(q).not.toEqual(patternColors('thinking', PULSE_PERIOD_MS.speaking / 4, 12));
  });

  test('notification, call-incoming and error pulse their colour between full and the floor, forever', () => {
    const cases = [
      ['notification', COLORS.yellow],
      ['call-incoming', COLORS.green],
      ['error', COLORS.violet],
    ] as const;
    for (const [p, c] of cases) {
      const period = PULSE_PERIOD_MS[p];
      expect(patternColors(p, 0, 12)[5]).toEqual(c);
      expect(patternColors(p, period / 2, 12)[5]).toEqual({
        r: Math.round(c.r * PULSE_FLOOR),
        g: Math.round(c.g * PULSE_FLOOR),
        b: Math.round(c.b * PULSE_FLOOR),
      });
      expect(patternColors(p, 10 * period, 12)[0]).toEqual(c);
    }
  });

  test('every pattern gives one colour per LED with whole-number channels, also on a 3-LED ring', () => {
    for (const p of LED_PATTERNS) {
      for (const t of [0, 37, 999, 12_345]) {
        const f = patternColors(p, t, 3, 200);
        expect(f).toHaveLength(3);
        for (const c of f) for (const v of [c.r, c.g, c.b]) expect(Number.isInteger(v) && v >= 0 && v <= 255).toBe(true);
      }
    }
    expect(() => patternColors('off', 0, 0)).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
  });
});

describe('overlays', () => {
  const base = Array.from({ length: 12 }, () => BLUE);
  const dim = { r: 0, g: 0, b: Math.round(255 * VOLUME_BACKGROUND_LEVEL) };

  test('volume 5 of 10 on 12 LEDs is a 6-LED white arc from the front, clockwise; the rest is the base dimmed', () => {
    const f = volumeArc(base, 5, 10);
    const white = f.flatMap((c, i) => (c.r === 255 && c.g === 255 ? [i] : []));
    expect(white).toEqual([0, 7, 8, 9, 10, 11]);
    for (const k of [1, 2, 3, 4, 5, 6]) expect(f[k]).toEqual(dim);
  });

  test('volume 0 is one dim white LED; full volume is the whole ring; any level above 0 lights at least one', () => {
    const zero = volumeArc(base, 0, 10);
    expect(zero[0]).toEqual({ r: 38, g: 38, b: 38 });
    expect(zero.slice(1)).toEqual(Array(11).fill(dim));
    expect(volumeArc(base, 10, 10)).toEqual(Array(12).fill(WHITE));
    expect(volumeArc(base, 0.2, 10).filter((c) => c.r === 255)).toHaveLength(1);
    expect(volumeArc(base, 99, 10)).toEqual(Array(12).fill(WHITE));
    expect(() => volumeArc(base, 1, 0)).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
  });

  test('the Do-Not-Disturb flash peaks purple halfway and leaves the base untouched outside it', () => {
    expect(dndFlash(base, DND_FLASH_MS / 2)).toEqual(Array(12).fill(COLORS.purple));
    expect(dndFlash(base, 0)).toEqual(base);
    expect(dndFlash(base, DND_FLASH_MS)).toEqual(base);
    const rising = dndFlash(base, DND_FLASH_MS / 6)[0]!; // sin(30°) = 0.5
    expect(rising).toEqual({ r: 80, g: 0, b: 208 });
  });
});

import type { Rgb } from '../../hal/leds/types.js';
import { OFF } from '../../hal/leds/types.js';
import { EchosimError } from '../../core/errors.js';
import { COLORS, mix, scale } from './colors.js';
import { angularDistance, ledAzimuth, wrapIndex } from './ring-geometry.js';

/**
 * The light ring's base patterns (docs/light-ring.md#patterns). Each is a pure function of the time since the
 * pattern began, so the same inputs always give the same frame: the ring engine can compute a frame
 * for any instant, and tests need no timers.
 */
export type LedPattern =
  | 'off'
  | 'booting'
  | 'setup'
  | 'connecting'
  | 'listening'
  | 'thinking'
  | 'speaking'
  | 'mic-off'
  | 'error'
  | 'notification'
  | 'call-incoming'
  | 'call-active';

export const LED_PATTERNS = [
  'off', 'booting', 'setup', 'connecting', 'listening', 'thinking', 'speaking',
  'mic-off', 'error', 'notification', 'call-incoming', 'call-active',
] as const satisfies readonly LedPattern[];

export function isLedPattern(x: unknown): x is LedPattern {
  return typeof x === 'string' && (LED_PATTERNS as readonly string[]).includes(x);
}

/** One full turn of a spinning pattern, ms. */
export const SPIN_PERIOD_MS = {
  booting: 1200,
  connecting: 1200,
  setup: 1500,
  'call-active': 2000,
} as const;

/** One full cycle of a pulsing pattern (bright → dim → bright), ms. */
export const PULSE_PERIOD_MS = {
  /** Even/odd LEDs swap blue and cyan and back. */
  thinking: 1000,
  /** The whole ring breathes between blue and cyan, slower than thinking so the two read differently. */
  speaking: 1600,
  error: 2000,
  notification: 2000,
  /** Faster than a notification: a call is urgent. */
  'call-incoming': 1000,
} as const;

/** The dimmest point of a brightness pulse, as a fraction of full: the ring never goes fully dark, so it is not mistaken for idle. */
export const PULSE_FLOOR = 0.15;

/**
 * The spinning head and its tail, brightest first: the head LED shows the spin colour, the ones behind
 * it fade back into the background. A stepped head (one LED at a time) rather than a smooth blend keeps
 * frames identical between steps, so hardware is written only when something moves.
 */
export const SPIN_TAIL = [1, 0.45, 0.15] as const;

/**
 * Half-width of the listening segment, in LED spacings: an LED's cyan weight falls linearly from 1 at
 * the talker's azimuth to 0 this far away. Aimed straight at an LED that is 3 lit LEDs (1, ½, ½);
 * between two LEDs it is 4 (¾, ¾, ¼, ¼), so the segment visibly follows the talker.
 */
export const LISTEN_SEGMENT_HALF_WIDTH_LEDS = 2;

/**
 * The colours of `pattern` at `t` ms after it began, for an `ledCount`-LED ring. `directionDeg` is the
 * talker's azimuth for 'listening' (undefined = unknown: the segment points to the front, LED 0).
 */
export function patternColors(pattern: LedPattern, t: number, ledCount: number, directionDeg?: number): Rgb[] {
  if (!Number.isInteger(ledCount) || ledCount < 1) {
    throw new EchosimError('LED_FRAME_INVALID', `an LED ring needs a whole number of LEDs, at least 1; got ${ledCount}`);
  }
  const time = Number.isFinite(t) && t > 0 ? t : 0;
  switch (pattern) {
    case 'off':
      return solid(OFF, ledCount);
    case 'mic-off':
      return solid(COLORS.red, ledCount);
    case 'booting':
    case 'connecting':
      // Solid blue with a cyan head going round clockwise.
      return spin(COLORS.blue, COLORS.cyan, time, SPIN_PERIOD_MS[pattern], ledCount, 'clockwise');
    case 'setup':
      return spin(OFF, COLORS.orange, time, SPIN_PERIOD_MS.setup, ledCount, 'clockwise');
    case 'call-active':
      return spin(OFF, COLORS.green, time, SPIN_PERIOD_MS['call-active'], ledCount, 'anticlockwise');
    case 'listening':
      return listening(ledCount, directionDeg ?? 0);
    case 'thinking': {
      const w = envelope(time, PULSE_PERIOD_MS.thinking);
      const even = mix(COLORS.blue, COLORS.cyan, w);
      const odd = mix(COLORS.blue, COLORS.cyan, 1 - w);
      return Array.from({ length: ledCount }, (_, k) => (k % 2 === 0 ? even : odd));
    }
    case 'speaking':
      return solid(mix(COLORS.blue, COLORS.cyan, envelope(time, PULSE_PERIOD_MS.speaking)), ledCount);
    case 'error':
      return solid(pulse(COLORS.violet, time, PULSE_PERIOD_MS.error), ledCount);
    case 'notification':
      return solid(pulse(COLORS.yellow, time, PULSE_PERIOD_MS.notification), ledCount);
    case 'call-incoming':
      return solid(pulse(COLORS.green, time, PULSE_PERIOD_MS['call-incoming']), ledCount);
    default: {
      const never: never = pattern;
      throw new EchosimError('LED_FRAME_INVALID', `unknown LED pattern ${String(never)}`, {
        hint: `use one of: ${LED_PATTERNS.join(', ')}`,
      });
    }
  }
}

/** 1 at the start of each period, 0 halfway through, smooth (raised cosine). */
export function envelope(t: number, periodMs: number): number {
  return (1 + Math.cos((2 * Math.PI * t) / periodMs)) / 2;
}

/** `color` breathing between full brightness (at t = 0) and PULSE_FLOOR. */
function pulse(color: Rgb, t: number, periodMs: number): Rgb {
  return scale(color, PULSE_FLOOR + (1 - PULSE_FLOOR) * envelope(t, periodMs));
}

function solid(color: Rgb, n: number): Rgb[] {
  return Array.from({ length: n }, () => color);
}

/**
 * A head of `head` colour stepping round a `background` ring, one LED per period/n ms, starting at
 * LED 0. Clockwise (seen from above) is decreasing azimuth, so decreasing index; the tail trails on
 * the side the head came from.
 */
function spin(background: Rgb, head: Rgb, t: number, periodMs: number, n: number, way: 'clockwise' | 'anticlockwise'): Rgb[] {
  const step = Math.floor((t * n) / periodMs);
  const dir = way === 'clockwise' ? -1 : 1;
  const at = wrapIndex(dir * step, n);
  const out = solid(background, n);
  // On tiny rings the tail would wrap onto the head: draw at most n LEDs, head last so it wins.
  for (let i = Math.min(SPIN_TAIL.length, n) - 1; i >= 0; i--) {
    out[wrapIndex(at - dir * i, n)] = mix(background, head, SPIN_TAIL[i] ?? 0);
  }
  return out;
}

/** Solid blue with a cyan segment centred on the talker's azimuth, brightest at the centre. */
function listening(n: number, directionDeg: number): Rgb[] {
  const spacing = 360 / n;
  return Array.from({ length: n }, (_, k) => {
    const d = angularDistance(ledAzimuth(k, n), directionDeg) / spacing;
    return mix(COLORS.blue, COLORS.cyan, 1 - d / LISTEN_SEGMENT_HALF_WIDTH_LEDS);
  });
}

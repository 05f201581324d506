import { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * The device's earcons, generated at 16 kHz (nothing to ship or license):
 * - `start-of-request`: a short rising two-tone, played when the device starts listening;
 * - `end-of-request`: the same two tones falling, when the stream closes;
 * - `chime`: a three-note bell for timers and alarms (the ringer repeats it);
 * - `volume`: a short tick at the new level while the volume changes;
 * - `error`: two low tones falling a fourth, held longer, when a request is lost with the link (the
 *   device cannot say why in words: the words come from the cloud).
 *
 * Every tone starts and ends on a raised-cosine (Hann) ramp, so each sound begins and ends at zero
 * and no sample jumps: a speaker clicks on any step discontinuity, which a sine cut mid-cycle is.
 * Peaks stay at or below -6 dBFS so the speaker's volume curve, not clipping, sets loudness.
 */
export type EarconName = 'start-of-request' | 'end-of-request' | 'chime' | 'volume' | 'error';

export const EARCON_NAMES: readonly EarconName[] = ['start-of-request', 'end-of-request', 'chime', 'volume', 'error'];

/** Peak amplitude of the earcons: half of full scale (-6 dBFS). */
export const EARCON_PEAK = 16_384;

const RATE = SAMPLE_RATE;

interface Note {
  readonly hz: number;
  /** Start within the sound, ms. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Relative amplitude 0..1. */
  readonly level: number;
  readonly attackMs: number;
  readonly releaseMs: number;
  /** Exponential decay time constant, ms (bell-like); undefined = sustained. */
  readonly decayMs?: number;
}

interface Tone {
  readonly hz: number;
  readonly durationMs: number;
}

/** Rising fifth: E5 then B5. Short enough (< 0.25 s) not to cover the first word of a request. */
const LOW: Tone = { hz: 659.25, durationMs: 100 };
const HIGH: Tone = { hz: 987.77, durationMs: 120 };

/** Two tones; the second starts as the first fades, so the pair sounds as one gesture. */
function twoTone(first: Tone, second: Tone): Note[] {
  return [
    { hz: first.hz, startMs: 0, durationMs: first.durationMs, level: 1, attackMs: 8, releaseMs: 25 },
    { hz: second.hz, startMs: first.durationMs - 15, durationMs: second.durationMs, level: 1, attackMs: 15, releaseMs: 40 },
  ];
}

const RECIPES: Readonly<Record<EarconName, readonly Note[]>> = {
  'start-of-request': twoTone(LOW, HIGH),
  'end-of-request': twoTone(HIGH, LOW),
  // C6, E6, G6 struck 150 ms apart, each ringing down like a small bell.
  chime: [1046.5, 1318.51, 1567.98].map((hz, i) => ({
    hz,
    startMs: i * 150,
    durationMs: 900 - i * 150,
    level: 0.6,
    attackMs: 4,
    releaseMs: 120,
    decayMs: 260,
  })),
  volume: [{ hz: 1000, startMs: 0, durationMs: 60, level: 1, attackMs: 20, releaseMs: 40 }],
  // A4 then E4, below every other earcon, so it cannot be taken for the start or end of a request.
  error: twoTone({ hz: 440, durationMs: 180 }, { hz: 329.63, durationMs: 320 }),
};

const cache = new Map<EarconName, Int16Array>();

/** The earcon's samples (16 kHz mono int16). A fresh copy each call: callers may scale it in place. */
export function earcon(name: EarconName): Int16Array {
  let pcm = cache.get(name);
  if (!pcm) {
    pcm = render(RECIPES[name]);
    cache.set(name, pcm);
  }
  return pcm.slice();
}

/** Duration of an earcon, ms. */
export function earconDurationMs(name: EarconName): number {
  return (earcon(name).length * 1000) / RATE;
}

function render(notes: readonly Note[]): Int16Array {
  const total = Math.max(...notes.map((n) => Math.round(((n.startMs + n.durationMs) * RATE) / 1000)));
  const mix = new Float64Array(total);
  for (const n of notes) {
    const start = Math.round((n.startMs * RATE) / 1000);
    const len = Math.round((n.durationMs * RATE) / 1000);
    for (let i = 0; i < len && start + i < total; i++) {
      const t = i / RATE;
      const decay = n.decayMs === undefined ? 1 : Math.exp((-1000 * t) / n.decayMs);
      mix[start + i] = (mix[start + i] ?? 0) + n.level * envelope(i, len, n.attackMs, n.releaseMs) * decay * Math.sin(2 * Math.PI * n.hz * t);
    }
  }
  let peak = 0;
  for (const v of mix) peak = Math.max(peak, Math.abs(v));
  const scale = peak > 0 ? EARCON_PEAK / peak : 0;
  const out = new Int16Array(total);
  for (let i = 0; i < total; i++) out[i] = Math.round((mix[i] ?? 0) * scale);
  return out;
}

/** Raised-cosine attack over `attackMs` and release over `releaseMs`: 0 at both ends, 1 between. */
function envelope(i: number, len: number, attackMs: number, releaseMs: number): number {
  const a = Math.max(1, Math.round((attackMs * RATE) / 1000));
  const r = Math.max(1, Math.round((releaseMs * RATE) / 1000));
  const last = len - 1;
  let g = 1;
  if (i < a) g *= 0.5 - 0.5 * Math.cos((Math.PI * i) / a);
  if (last - i < r) g *= 0.5 - 0.5 * Math.cos((Math.PI * (last - i)) / r);
  return g;
}

import { MAX_VOLUME, MIN_VOLUME } from '../../cloud-link/protocol/local-feature-limits.js';
import { EchosimError } from '../../core/errors.js';

/** Volume levels are integers 0 (silent) to 10 (full), as on an Echo; the range is the contract's. */
export { MAX_VOLUME, MIN_VOLUME };

/** Loudness between neighbouring levels: 4 dB, so 10 levels span 36 dB above silence. */
export const VOLUME_STEP_DB = 4;

/**
 * Gain of a level in dB: 0 dB at 10, 4 dB less per step down (level 5 is -20 dB, level 1 is -36 dB),
 * -Infinity at 0. Equal steps in dB are equal steps in perceived loudness; a linear amplitude
 * scale would crowd all the audible change into the bottom levels.
 */
export function volumeGainDb(level: number): number {
  checkLevel(level, 'volume');
  return level === 0 ? Number.NEGATIVE_INFINITY : (level - MAX_VOLUME) * VOLUME_STEP_DB;
}

/** Linear amplitude factor of a level (0 at level 0). */
export function volumeGain(level: number): number {
  const db = volumeGainDb(level);
  return db === Number.NEGATIVE_INFINITY ? 0 : 10 ** (db / 20);
}

/** `pcm` scaled by `gain`, rounded and clipped to int16. */
export function scalePcm(pcm: Int16Array, gain: number): Int16Array {
  const out = new Int16Array(pcm.length);
  if (gain === 0) return out;
  for (let i = 0; i < pcm.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round((pcm[i] ?? 0) * gain)));
  return out;
}

/** Throws 'FEATURE_INPUT_INVALID' unless `level` is an integer 0..10. */
export function checkLevel(level: number, what: 'volume' | 'maximum volume'): void {
  if (!Number.isInteger(level) || level < MIN_VOLUME || level > MAX_VOLUME) {
    throw new EchosimError('FEATURE_INPUT_INVALID', `${what} ${String(level)} is not a level`, {
      hint: `give a whole number from ${MIN_VOLUME} (silent) to ${MAX_VOLUME} (full)`,
      details: { [what === 'volume' ? 'volume' : 'maxVolume']: level },
    });
  }
}

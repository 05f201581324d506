import { gaussian } from '../../../hal/mic/synthetic-source.js';

/** The floor's level below the request's own RMS, dB: chosen on the validation voices (BENCHMARKS.md section 12). */
export const NOISE_FLOOR_DB = 25;
const SEED = 0x15ac;

/**
 * The request with seeded white noise added `belowDb` under its own RMS (a new copy; the input is not
 * changed). Synthetic and very clean speech leaves mel bands nearly empty between formants and in
 * pauses; their log energies are far outside what pocketsphinx's acoustic model (trained on real
 * recordings, which always have a floor) has seen, so formant voices were heard as the wrong words.
 * A floor 25 dB down fills those bands and changes nothing audible, nor anything for audio that
 * already has noise at that level. The seed is fixed so that one request always decodes the same.
 */
export function withNoiseFloor(audio: Int16Array, belowDb = NOISE_FLOOR_DB): Int16Array {
  let power = 0;
  for (const v of audio) power += v * v;
  const out = Int16Array.from(audio);
  if (power === 0) return out;
  const sigma = Math.sqrt(power / audio.length) * 10 ** (-belowDb / 20);
  const next = gaussian(SEED);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(audio[i]! + sigma * next())));
  return out;
}

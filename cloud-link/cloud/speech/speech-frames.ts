import { SAMPLE_RATE } from '../../../core/audio-format.js';

/** pocketsphinx's frame: 10 ms. */
const FRAME = SAMPLE_RATE / 100;
/** A frame is speech when its energy is this far above the request's floor, at least (dB)... */
const MIN_RISE_DB = 6;
/** ...or this share of the way from the floor to the loudest frame, when that is more. */
const RISE_SHARE = 0.25;

/**
 * How many 10 ms frames of the request hold speech, by energy: above the floor (the 10th percentile
 * of the frames' energies, the room or line noise) by 6 dB or a quarter of the way to the loudest
 * frame, whichever is more. The recognizer's likelihood ratio is spread over these frames, not over
 * the whole window: a short word ("stop") in a long window of room noise is otherwise diluted by the
 * frames both searches explain alike, whatever the word was.
 */
export function speechFrames(audio: Int16Array): number {
  const n = Math.floor(audio.length / FRAME);
  if (n === 0) return 0;
  const energy = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let sum = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += audio[i]! * audio[i]!;
    energy[f] = 10 * Math.log10(sum / FRAME + 1);
  }
  const sorted = Float64Array.from(energy).sort();
  const floor = sorted[Math.floor(n * 0.1)]!;
  const threshold = floor + Math.max(MIN_RISE_DB, (sorted[n - 1]! - floor) * RISE_SHARE);
  let speech = 0;
  for (const e of energy) if (e > threshold) speech++;
  return speech;
}

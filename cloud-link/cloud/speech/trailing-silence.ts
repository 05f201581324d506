import { SAMPLE_RATE } from '../../../core/audio-format.js';

const FRAME = SAMPLE_RATE / 50; // 20 ms
/** Silence kept after the last loud frame: the tail of the last word fades under the threshold. */
export const KEPT_TAIL_MS = 300;
/** A frame this far below the loudest one is silence (-40 dB in RMS). */
const RELATIVE_FLOOR = 10 ** (-40 / 20);

/**
 * The request without the silence the device's endpointer waited through before it closed the stream
 * (700 ms, models/vad/endpointer.ts): decoding it costs as much as decoding words and tells nothing.
 * Cut after the last 20 ms frame within 40 dB of the loudest, keeping KEPT_TAIL_MS; audio without a
 * clear peak is returned whole.
 */
export function withoutTrailingSilence(audio: Int16Array): Int16Array {
  const frames = Math.floor(audio.length / FRAME);
  if (frames < 2) return audio;
  const rms = new Float64Array(frames);
  let loudest = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += audio[i]! * audio[i]!;
    rms[f] = Math.sqrt(sum / FRAME);
    loudest = Math.max(loudest, rms[f]!);
  }
  if (loudest === 0) return audio;
  let last = frames - 1;
  while (last > 0 && rms[last]! < loudest * RELATIVE_FLOOR) last--;
  const end = (last + 1) * FRAME + Math.round((KEPT_TAIL_MS * SAMPLE_RATE) / 1000);
  return end >= audio.length ? audio : audio.subarray(0, end);
}

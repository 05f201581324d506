import { SAMPLE_RATE } from '../../../core/audio-format.js';

/**
 * What the device plays for an announcement (A4B SendAnnouncement). An Echo speaks the text with the
 * cloud's text-to-speech; echosim has no TTS, so it renders the announcement as tones a listener (and
 * a test) can recognise:
 *
 * 1. an attention chime: two bell notes falling a major third (E6 then C6), like the chime that
 *    precedes an Echo announcement;
 * 2. then one short tone per word of the text (SSML tags stripped), at most 60, each pitched on a C
 *    major pentatonic scale by the word's letters, so the announcement lasts about as long as its text
 *    would take to say (~0.3 s per word) and two different texts sound different.
 *
 * 16 kHz mono int16 at -6 dBFS peak; every note starts and ends on a raised-cosine ramp, so nothing
 * clicks (a step discontinuity is what a speaker turns into a click).
 */

const RATE = SAMPLE_RATE;
const PEAK = 16_384;
const MAX_WORDS = 60;
/** C major pentatonic, C5..A6: always consonant, whatever the words. */
const SCALE_HZ = [523.25, 587.33, 659.25, 783.99, 880.0, 1046.5, 1174.66, 1318.51, 1567.98, 1760.0];

const CHIME = [
  { hz: 1318.51, startMs: 0, durationMs: 450 },
  { hz: 1046.5, startMs: 250, durationMs: 650 },
];
const WORD_MS = 220;
const GAP_MS = 80;
const AFTER_CHIME_MS = 250;

/** The words of an announcement's Text, or of its Ssml with the markup removed. */
export function announcementWords(content: { Text?: string; Ssml?: string }): string[] {
  const text = content.Text ?? (content.Ssml ?? '').replace(/<[^>]*>/g, ' ');
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

function pitchOf(word: string): number {
  let h = 0;
  for (const ch of word.toLowerCase()) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return SCALE_HZ[h % SCALE_HZ.length] as number;
}

/** The announcement rendered as the attention chime and one tone per word. */
export function announcementAudio(content: { Text?: string; Ssml?: string }): Int16Array {
  const words = announcementWords(content).slice(0, MAX_WORDS);
  const notes: Array<{ hz: number; startMs: number; durationMs: number; bell: boolean }> = CHIME.map((n) => ({ ...n, bell: true }));
  let t = (CHIME.at(-1)?.startMs ?? 0) + AFTER_CHIME_MS;
  for (const w of words) {
    notes.push({ hz: pitchOf(w), startMs: t, durationMs: WORD_MS, bell: false });
    t += WORD_MS + GAP_MS;
  }
  const totalMs = Math.max(...notes.map((n) => n.startMs + n.durationMs));
  const mix = new Float64Array(Math.round((totalMs * RATE) / 1000));
  for (const n of notes) {
    const start = Math.round((n.startMs * RATE) / 1000);
    const len = Math.round((n.durationMs * RATE) / 1000);
    const ramp = Math.round((n.bell ? 0.004 : 0.02) * RATE);
    for (let i = 0; i < len && start + i < mix.length; i++) {
      const time = i / RATE;
      const decay = n.bell ? Math.exp(-time / 0.25) : 1;
      const attack = i < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * i) / ramp) : 1;
      const release = len - 1 - i < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * (len - 1 - i)) / ramp) : 1;
      mix[start + i] = (mix[start + i] ?? 0) + attack * release * decay * Math.sin(2 * Math.PI * n.hz * time);
    }
  }
  let peak = 0;
  for (const v of mix) peak = Math.max(peak, Math.abs(v));
  const out = new Int16Array(mix.length);
  const scale = peak > 0 ? PEAK / peak : 0;
  for (let i = 0; i < mix.length; i++) out[i] = Math.round((mix[i] ?? 0) * scale);
  return out;
}

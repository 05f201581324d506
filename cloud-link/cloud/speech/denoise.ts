import { Fft } from '../../../core/fft.js';

/** STFT frame (32 ms at 16 kHz) and hop (half of it): square-root Hann windows on both sides add back to one. */
const FRAME = 512;
const HOP = FRAME / 2;
const BINS = FRAME / 2 + 1;
/** The noise's spectrum is the mean of the quietest tenth of the frames (a request starts and ends with a pause). */
const QUIET_SHARE = 0.1;
/** Decision-directed smoothing of the a-priori SNR (Ephraim and Malah); chosen on validation (BENCHMARKS.md section 12.3). */
export const DENOISE_SMOOTHING = 0.9;
/** No bin is attenuated by more than this (dB): deeper gains made speech worse than the noise they removed. */
const MAX_ATTENUATION_DB = 15;
/** Added to the noise estimate so that digital silence (clean synthetic speech) leaves every gain at one. */
const NOISE_EPSILON = 1e-3;

/**
 * The request with stationary noise removed by a Wiener filter (a new copy; the input is not changed).
 * Broadband noise at 10 dB SNR buries the spectrum pocketsphinx's US English model needs between and
 * above the formants, and its own spectral subtraction (`-remove_noise`) was not enough: flite's voices
 * were heard as other words. Per 32 ms frame and frequency bin the gain is xi / (1 + xi), where the
 * a-priori SNR xi is smoothed from the previous frame's clean estimate ("decision-directed", which
 * avoids the musical noise of plain subtraction) and the noise's spectrum is that of the request's
 * quietest frames. On clean speech the noise estimate is near zero and the gains are one, so clean
 * requests decode exactly as before (validation, BENCHMARKS.md section 12.3).
 */
export function denoise(audio: Int16Array): Int16Array {
  // Half a frame of zeros before and at least that after, so every sample gets the full overlap-add.
  const padded = new Float64Array((Math.ceil((audio.length + HOP) / HOP) + 1) * HOP);
  for (let i = 0; i < audio.length; i++) padded[HOP + i] = audio[i]!;
  const frames = Math.floor((padded.length - FRAME) / HOP) + 1;
  const fft = new Fft(FRAME);
  const window = new Float64Array(FRAME);
  for (let i = 0; i < FRAME; i++) window[i] = Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / FRAME));
  const re = new Float64Array(FRAME);
  const im = new Float64Array(FRAME);
  const spectrum = (f: number): void => {
    for (let i = 0; i < FRAME; i++) re[i] = padded[f * HOP + i]! * window[i]!;
    im.fill(0);
    fft.forward(re, im);
  };

  // Each frame's spectrum is kept for the filtering pass (16 KB a frame: 10 MB for the longest request).
  const spectra = Array.from({ length: frames }, () => ({ re: new Float64Array(FRAME), im: new Float64Array(FRAME) }));
  const power = Array.from({ length: frames }, () => new Float64Array(BINS));
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    spectrum(f);
    spectra[f]!.re.set(re);
    spectra[f]!.im.set(im);
    const p = power[f]!;
    let sum = 0;
    for (let k = 0; k < BINS; k++) {
      p[k] = re[k]! * re[k]! + im[k]! * im[k]!;
      sum += p[k]!;
    }
    energy[f] = sum;
  }
  // The noise is measured on frames wholly inside the request, not on the padding's zeros.
  const inside = [...energy.keys()].filter((f) => f * HOP >= HOP && f * HOP + FRAME <= HOP + audio.length);
  const candidates = inside.length > 0 ? inside : [...energy.keys()];
  const quiet = candidates.sort((a, b) => energy[a]! - energy[b]!).slice(0, Math.max(1, Math.floor(candidates.length * QUIET_SHARE)));
  const noise = new Float64Array(BINS).fill(NOISE_EPSILON);
  for (const f of quiet) for (let k = 0; k < BINS; k++) noise[k] = noise[k]! + power[f]![k]! / quiet.length;

  const minGain = 10 ** (-MAX_ATTENUATION_DB / 20);
  const previous = new Float64Array(BINS);
  const gain = new Float64Array(BINS);
  const out = new Float64Array(padded.length);
  for (let f = 0; f < frames; f++) {
    re.set(spectra[f]!.re);
    im.set(spectra[f]!.im);
    const p = power[f]!;
    for (let k = 0; k < BINS; k++) {
      const posteriori = p[k]! / noise[k]!;
      const priori = (DENOISE_SMOOTHING * previous[k]!) / noise[k]! + (1 - DENOISE_SMOOTHING) * Math.max(posteriori - 1, 0);
      gain[k] = Math.max(minGain, priori / (1 + priori));
      previous[k] = gain[k]! * gain[k]! * p[k]!;
    }
    for (let k = 0; k < FRAME; k++) {
      const g = gain[k < BINS ? k : FRAME - k]!;
      re[k]! *= g;
      im[k]! *= g;
    }
    fft.inverse(re, im);
    for (let i = 0; i < FRAME; i++) out[f * HOP + i] = out[f * HOP + i]! + re[i]! * window[i]!;
  }
  const result = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) result[i] = Math.max(-32768, Math.min(32767, Math.round(out[HOP + i]!)));
  return result;
}

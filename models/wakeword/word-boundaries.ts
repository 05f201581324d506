import { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * openWakeWord scores chunks; it does not align the word. The AVS contract needs the wake word's
 * begin and end sample indices, so echosim estimates them from the score timing and a cheap energy
 * envelope (10 ms frames over the last few seconds):
 * - end: the chunk where the score first crossed the threshold, less the model's typical lag behind
 *   the end of the word (calibrated on labelled recordings, see BENCHMARKS.md);
 * - begin: walking back from the end (on pre-emphasised energy), the onset of the voiced stretch that holds the word, i.e. the
 *   end of the last quiet stretch long enough not to be a stop-consonant closure, kept within the
 *   plausible length of a wake word.
 */
export interface BoundaryOptions {
  /** Samples between the word's end and the end of the chunk whose score first crosses the threshold. */
  endLagSamples: number;
  /** Shortest and longest plausible wake word. */
  minWordSamples: number;
  maxWordSamples: number;
  /** A quiet stretch at least this long separates the word from what came before. */
  minGapSamples: number;
}

export const DEFAULT_BOUNDARY_OPTIONS: BoundaryOptions = {
  // Median lag measured on the labelled fixtures (tools: echosim bench wakeword): ~40 ms.
  endLagSamples: 640,
  minWordSamples: Math.round(0.3 * SAMPLE_RATE),
  maxWordSamples: Math.round(1.2 * SAMPLE_RATE),
  minGapSamples: Math.round(0.12 * SAMPLE_RATE),
};

const FRAME = 160;
const HISTORY_FRAMES = 400; // 4 s

export class EnergyEnvelope {
  private readonly db = new Float32Array(HISTORY_FRAMES);
  /** Absolute index of the sample after the last complete frame. */
  private end = 0;
  private frames = 0;
  private acc = 0;
  private accN = 0;
  /** Previous sample, for the pre-emphasis filter. */
  private prev = 0;

  reset(atIndex = 0): void {
    this.end = atIndex;
    this.frames = 0;
    this.acc = 0;
    this.accN = 0;
    this.prev = 0;
  }

  /** Adds samples that start at `index` (contiguous with the previous push, or a fresh start). */
  push(samples: Int16Array, index: number): void {
    if (index !== this.end + this.accN) this.reset(index);
    for (let i = 0; i < samples.length; i++) {
      // Pre-emphasis (1 - 0.97 z^-1) keeps the speech band and drops the low-frequency rumble of
      // brown or pink noise and of rooms, which would otherwise hide the word's onset.
      const x = samples[i]!;
      const s = x - 0.97 * this.prev;
      this.prev = x;
      this.acc += s * s;
      if (++this.accN === FRAME) {
        this.db[this.frames % HISTORY_FRAMES] = 10 * Math.log10(this.acc / FRAME + 1);
        this.frames++;
        this.end += FRAME;
        this.acc = 0;
        this.accN = 0;
      }
    }
  }

  /** Energy in dB of the 10 ms frame that ends at or before absolute sample `index`, if still held. */
  private frameDb(frameEnd: number): number | undefined {
    const back = (this.end - frameEnd) / FRAME;
    if (back < 0 || back >= Math.min(this.frames, HISTORY_FRAMES)) return undefined;
    return this.db[(this.frames - 1 - back) % HISTORY_FRAMES];
  }

  /** Estimates [begin, end) of the word whose score first crossed at the chunk ending `crossEndIndex`. */
  estimate(crossEndIndex: number, options: BoundaryOptions = DEFAULT_BOUNDARY_OPTIONS): { begin: number; end: number } {
    const alignedEnd = Math.floor(crossEndIndex / FRAME) * FRAME;
    const end = Math.max(0, alignedEnd - options.endLagSamples);
    const earliest = end - options.maxWordSamples;
    const latestBegin = end - options.minWordSamples;

    // Noise floor and speech level over the history before the end.
    const levels: number[] = [];
    for (let f = end; f > end - HISTORY_FRAMES * FRAME; f -= FRAME) {
      const v = this.frameDb(f);
      if (v === undefined) break;
      levels.push(v);
    }
    if (levels.length < 10) return { begin: Math.max(0, end - Math.round(0.6 * SAMPLE_RATE)), end };
    levels.sort((a, b) => a - b);
    const floor = levels[Math.floor(levels.length * 0.1)]!;
    const peak = levels[Math.floor(levels.length * 0.98)]!;
    const quiet = floor + Math.max(6, 0.3 * (peak - floor));

    // Walk back from the latest plausible begin until a long enough quiet stretch is found.
    let quietRun = 0;
    for (let f = latestBegin; f > earliest; f -= FRAME) {
      const v = this.frameDb(f);
      if (v === undefined) return { begin: Math.max(0, f), end };
      if (v < quiet) {
        quietRun += FRAME;
        if (quietRun >= options.minGapSamples) return { begin: f + quietRun - FRAME, end };
      } else {
        quietRun = 0;
      }
    }
    return { begin: Math.max(0, earliest + quietRun), end };
  }
}

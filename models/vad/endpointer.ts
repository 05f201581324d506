import { SAMPLE_RATE } from '../../core/audio-format.js';
import { VAD_WINDOW } from './silero-vad.js';

/**
 * Decides when the user has stopped talking, from per-window VAD probabilities (hysteresis on the
 * probability, then a trailing-silence time). Before any speech is heard a longer timeout applies,
 * so a false start does not hold the microphone open for the full maximum length.
 */
export interface EndpointerOptions {
  /** Probability at or above which a window is speech (default 0.5). */
  speechThreshold: number;
  /** Probability below which a window is silence (default 0.35). */
  silenceThreshold: number;
  /** Trailing silence that ends the utterance (default 700 ms). */
  trailingSilenceMs: number;
  /** Give up when no speech at all is heard after the wake word for this long (default 3 s). */
  noSpeechTimeoutMs: number;
  /**
   * Windows quieter than this (RMS, dBFS) are silence without running the VAD (quiet-gate.ts);
   * default -60, -Infinity runs the VAD on every window.
   */
  quietFloorDbfs: number;
}

export const DEFAULT_ENDPOINTER_OPTIONS: EndpointerOptions = {
  speechThreshold: 0.5,
  silenceThreshold: 0.35,
  trailingSilenceMs: 700,
  noSpeechTimeoutMs: 3000,
  quietFloorDbfs: -60,
};

export type EndpointDecision = { ended: false } | { ended: true; reason: 'end-of-speech' | 'no-speech'; windowsSeen: number };

export class Endpointer {
  private heard = false;
  private silentWindows = 0;
  private windows = 0;
  private readonly trailingWindows: number;
  private readonly noSpeechWindows: number;

  constructor(readonly options: EndpointerOptions = DEFAULT_ENDPOINTER_OPTIONS) {
    const perWindowMs = (VAD_WINDOW / SAMPLE_RATE) * 1000;
    this.trailingWindows = Math.ceil(options.trailingSilenceMs / perWindowMs);
    this.noSpeechWindows = Math.ceil(options.noSpeechTimeoutMs / perWindowMs);
  }

  get speechHeard(): boolean {
    return this.heard;
  }

  update(probability: number): EndpointDecision {
    this.windows++;
    if (probability >= this.options.speechThreshold) {
      this.heard = true;
      this.silentWindows = 0;
    } else if (probability < this.options.silenceThreshold) {
      this.silentWindows++;
    }
    if (this.heard && this.silentWindows >= this.trailingWindows) return { ended: true, reason: 'end-of-speech', windowsSeen: this.windows };
    if (!this.heard && this.windows >= this.noSpeechWindows) return { ended: true, reason: 'no-speech', windowsSeen: this.windows };
    return { ended: false };
  }

  reset(): void {
    this.heard = false;
    this.silentWindows = 0;
    this.windows = 0;
  }
}

import { dbfsToRms } from '../../core/audio-format.js';
import { EchosimError } from '../../core/errors.js';
import { VAD_WINDOW } from './silero-vad.js';
import type { VoiceActivityDetector } from './types.js';

/**
 * An energy gate in front of a VAD (docs/audio-pipeline.md#end-pointing): a 512-sample window whose
 * RMS is below `floorDbfs` is silence without asking the model (probability 0), and only the other
 * windows reach it, in order, all the windows of a push in one call. Speech a microphone can pick up
 * sits 30-60 dB above the floor a quiet room leaves at -60 dBFS, so the gate decides only windows the
 * model calls silence anyway; what it saves is the model's cost on them (most of a quiet room's
 * trailing silence). The model's recurrent state passes over gated windows unchanged.
 *
 * The inner VAD gets whole windows only, so its own partial-window buffer stays empty; the gate keeps
 * the partial window between pushes.
 */
export class QuietGate implements VoiceActivityDetector {
  private readonly partial = new Int16Array(VAD_WINDOW);
  private filled = 0;
  private readonly floorSum: number;
  /** Windows decided by the gate, and windows passed to the model, since construction. */
  gated = 0;
  scored = 0;

  constructor(
    private readonly inner: VoiceActivityDetector,
    readonly floorDbfs: number,
  ) {
    this.floorSum = dbfsToRms(floorDbfs) ** 2 * VAD_WINDOW;
  }

  reset(): void {
    this.filled = 0;
    this.inner.reset();
  }

  close(): void {
    this.inner.close?.();
  }

  async push(samples: Int16Array): Promise<number[]> {
    const windows = Math.floor((this.filled + samples.length) / VAD_WINDOW);
    if (windows === 0) {
      this.partial.set(samples, this.filled);
      this.filled += samples.length;
      return [];
    }
    const loud = new Int16Array(windows * VAD_WINDOW);
    const quiet: boolean[] = [];
    let loudCount = 0;
    let from = 0;
    for (let w = 0; w < windows; w++) {
      // The window: what the partial buffer holds, then fresh samples.
      const take = VAD_WINDOW - this.filled;
      this.partial.set(samples.subarray(from, from + take), this.filled);
      from += take;
      this.filled = 0;
      let sum = 0;
      for (let i = 0; i < VAD_WINDOW; i++) sum += this.partial[i]! * this.partial[i]!;
      const isQuiet = sum < this.floorSum;
      quiet.push(isQuiet);
      if (!isQuiet) loud.set(this.partial, loudCount++ * VAD_WINDOW);
    }
    this.partial.set(samples.subarray(from), 0);
    this.filled = samples.length - from;
    this.gated += windows - loudCount;
    this.scored += loudCount;
    const probabilities = loudCount === 0 ? [] : await this.inner.push(loud.subarray(0, loudCount * VAD_WINDOW));
    if (probabilities.length !== loudCount) {
      throw new EchosimError('MODEL_INFERENCE_FAILED', `the VAD returned ${probabilities.length} probabilities for ${loudCount} whole windows`);
    }
    let next = 0;
    return quiet.map((q) => (q ? 0 : probabilities[next++]!));
  }
}

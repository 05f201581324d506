import { DoaAccumulator, DoaEstimator, type DoaEstimate } from '../audio/doa/doa-estimator.js';
import { MultichannelHistory } from '../audio/doa/multichannel-history.js';
import type { MicFrame } from '../../hal/mic/types.js';

const BLOCK = 1280;

/**
 * Where the talker is, for the listening ring. Keeps the last few seconds of every microphone so the
 * direction can be taken from the wake word itself (the detection arrives after the word was said),
 * then keeps refining it from the speech that follows while the device listens. Does nothing for a
 * single microphone.
 */
export class DirectionTracker {
  private readonly history: MultichannelHistory;
  private readonly estimator: DoaEstimator;
  private readonly accumulator: DoaAccumulator;
  private following = false;

  constructor(
    readonly channels: number,
    positions: ReadonlyArray<{ x: number; y: number }>,
  ) {
    this.history = new MultichannelHistory(channels);
    this.estimator = new DoaEstimator(positions);
    this.accumulator = new DoaAccumulator(this.estimator);
  }

  /** Direction needs one channel per microphone of the model, in the model's order. */
  static usable(channels: number, positions: ReadonlyArray<{ x: number; y: number }>): boolean {
    return channels >= 2 && positions.length === channels;
  }

  /** Every frame the microphones deliver (after the mic-off switch). */
  write(frame: MicFrame): DoaEstimate | undefined {
    if (frame.channels !== this.channels) return undefined;
    this.history.write(frame);
    if (!this.following) return undefined;
    this.accumulator.addFrame(frame);
    return this.accumulator.result();
  }

  /** Starts following from the wake word's audio [begin, end). */
  startFromWakeWord(begin: number, end: number): DoaEstimate | undefined {
    this.accumulator.reset();
    this.following = true;
    const from = Math.max(begin, this.history.oldestIndex);
    for (let at = from; at < end; at += BLOCK) {
      const block = this.history.read(at, Math.min(end, at + BLOCK));
      if (block) this.accumulator.add(block);
    }
    return this.accumulator.result();
  }

  /** Starts following with no history (push-to-talk). */
  startFresh(): void {
    this.accumulator.reset();
    this.following = true;
  }

  stopFollowing(): void {
    this.following = false;
  }

  /** Mic-off: nothing heard before it may shape anything after it. */
  clear(): void {
    this.history.clear();
    this.accumulator.reset();
    this.following = false;
  }
}

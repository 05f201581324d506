/**
 * Turns a keyword head's per-chunk scores into detections: a threshold, a patience (consecutive
 * chunks at or above the threshold), and a refractory time after a detection during which the same
 * keyword cannot fire again. After the refractory time the score must also dip below the threshold
 * before the keyword re-arms, so one long utterance never fires twice.
 */
export interface DecisionOptions {
  threshold: number;
  /** Consecutive chunks at or above the threshold (1 = fire on the first). */
  patience: number;
  /** Samples after a detection during which the keyword cannot fire again. */
  refractorySamples: number;
}

export interface DecisionFire {
  /** Highest score of the run of chunks that fired. */
  readonly score: number;
  /** End index of the chunk where the run began (first chunk at or above the threshold). */
  readonly runStartEndIndex: number;
}

export class KeywordDecision {
  private run = 0;
  private runPeak = 0;
  private runStart = 0;
  private blockedUntil = -Infinity;
  private armed = true;

  constructor(readonly options: DecisionOptions) {
    if (!(options.threshold > 0 && options.threshold < 1)) throw new RangeError('threshold must be in (0, 1)');
    if (!Number.isInteger(options.patience) || options.patience < 1) throw new RangeError('patience must be a positive integer');
  }

  /** Feeds the score of the chunk ending at `endIndex`; returns a fire when a detection completes. */
  update(score: number, endIndex: number): DecisionFire | undefined {
    if (score < this.options.threshold) {
      this.run = 0;
      this.runPeak = 0;
      if (endIndex >= this.blockedUntil) this.armed = true;
      return undefined;
    }
    if (this.run === 0) this.runStart = endIndex;
    this.run++;
    this.runPeak = Math.max(this.runPeak, score);
    if (!this.armed || this.run < this.options.patience || endIndex < this.blockedUntil) return undefined;
    this.armed = false;
    this.blockedUntil = endIndex + this.options.refractorySamples;
    return { score: this.runPeak, runStartEndIndex: this.runStart };
  }

  reset(): void {
    this.run = 0;
    this.runPeak = 0;
    this.blockedUntil = -Infinity;
    this.armed = true;
  }
}

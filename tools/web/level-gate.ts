/** What the device page shows of the input level: whole dBFS (null with the microphones off) and the page audio still queued. */
export interface PageLevel {
  readonly dbfs: number | null;
  readonly queuedMs: number;
}

/**
 * When the input level goes to a device page. A level is sent only when it changed, and a batch
 * that holds nothing but a level goes out at most every `minIntervalMs` of device time; a batch that
 * goes out anyway (a state change, an event) carries the level whenever it changed. While page audio
 * is queued (or has just drained) the level goes in every batch: a page sending a WAV paces it by
 * the `queuedMs` it reads there (tools/web/public/device.js), and must not run dry.
 *
 * Why: while a device hears speech its level changes nearly every batch, and on the project's VM a
 * socket write to a page costs the device 0.2-0.5 ms of CPU (the loopback's work is done by the
 * sender). Level-only batches were 83 % of a page's writes during the demo loop (BENCHMARKS.md
 * section 10); at most two a second keeps the meter live and halves what it costs.
 */
export class LevelGate {
  private last: PageLevel | undefined;
  private sentAt = Number.NEGATIVE_INFINITY;

  constructor(readonly minIntervalMs: number) {}

  /** What the client already has (its snapshot's level): not sent again. */
  reset(known?: PageLevel): void {
    this.last = known;
    this.sentAt = Number.NEGATIVE_INFINITY;
  }

  /**
   * The level to put in the batch going out at device time `nowMs`, or undefined. `alongside`: the
   * batch holds other messages and goes out anyway.
   */
  take(nowMs: number, level: PageLevel, alongside: boolean): PageLevel | undefined {
    if (this.last && this.last.dbfs === level.dbfs && this.last.queuedMs === level.queuedMs) return undefined;
    const pageAudio = level.queuedMs > 0 || (this.last?.queuedMs ?? 0) > 0;
    if (!alongside && !pageAudio && nowMs - this.sentAt < this.minIntervalMs) return undefined;
    this.last = level;
    this.sentAt = nowMs;
    return level;
  }
}

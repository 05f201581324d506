import type { ChunkScorer, ScoreRequest } from './scorer.js';

interface Pending {
  readonly request: ScoreRequest;
  readonly resolve: (scores: Float32Array) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Runs the chunks streams submit as batches. When a batch slot is free a chunk goes out at once (a
 * lone device pays no batching delay); chunks submitted while the slots are busy wait and go out
 * together as the next batch. Under load that is what makes a fleet cheap: one model call for every
 * waiting stream instead of one per stream. A stream never has two chunks in flight; a second one
 * waits for the first's batch. With `maxInFlight` above 1 a new batch goes out while earlier ones
 * are still running, so a worker thread has the next batch queued instead of idling while its last
 * results travel back.
 */
export class ScoreQueue {
  private pending: Pending[] = [];
  private inFlight = 0;
  private readonly busy = new Set<number>();
  private scheduled = false;
  private nextStream = 0;

  constructor(
    private readonly runBatch: (batch: ScoreRequest[]) => Promise<Float32Array[]>,
    private readonly closeStream: (stream: number) => void = () => undefined,
    private readonly maxInFlight = 1,
  ) {}

  /** A scorer for a new stream whose chunks go through this queue. */
  open(): ChunkScorer {
    const stream = this.nextStream++;
    let reset = true;
    return {
      score: (chunk) => {
        const request = { stream, chunk, reset };
        reset = false;
        return new Promise<Float32Array>((resolve, reject) => {
          this.pending.push({ request, resolve, reject });
          if (this.inFlight < this.maxInFlight && !this.scheduled) void this.flush();
          else this.schedule();
        });
      },
      reset: () => void (reset = true),
      close: () => this.closeStream(stream),
    };
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch: Pending[] = [];
    const later: Pending[] = [];
    for (const p of this.pending) {
      if (this.busy.has(p.request.stream)) later.push(p);
      else {
        this.busy.add(p.request.stream);
        batch.push(p);
      }
    }
    this.pending = later;
    if (batch.length === 0) return;
    this.inFlight++;
    try {
      const results = await this.runBatch(batch.map((p) => p.request));
      batch.forEach((p, i) => p.resolve(results[i] as Float32Array));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight--;
      for (const p of batch) this.busy.delete(p.request.stream);
      if (this.pending.length > 0) this.schedule();
    }
  }
}

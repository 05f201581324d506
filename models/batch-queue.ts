/** One stream's input in a batch. */
export interface BatchRequest<I> {
  readonly stream: number;
  readonly input: I;
  /** Start the stream afresh before this input. */
  readonly reset: boolean;
}

/** A stream's handle on a BatchQueue. */
export interface QueuedStream<I, R> {
  /** Runs the input in a batch; the input is read before the promise settles, so its buffer may be reused after. */
  submit(input: I): Promise<R>;
  /** The next input starts the stream afresh. */
  reset(): void;
  /** Frees the stream's state wherever the batches run. */
  close(): void;
}

interface Pending<I, R> {
  readonly request: BatchRequest<I>;
  readonly resolve: (result: R) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Runs what many streams submit as batches, for a model whose runner keeps each stream's state
 * (wake-word features, VAD recurrent state). When a batch slot is free an input goes out at once (a
 * lone device pays no batching delay); inputs submitted while the slots are busy wait and go out
 * together as the next batch. Under load that is what makes a fleet cheap: one model call for every
 * waiting stream instead of one per stream. A stream never has two inputs in flight; a second one
 * waits for the first's batch. With `maxInFlight` above 1 a new batch goes out while earlier ones are
 * still running, so a worker thread has the next batch queued instead of idling while its last
 * results travel back.
 */
export class BatchQueue<I, R> {
  private pending: Pending<I, R>[] = [];
  private inFlight = 0;
  private readonly busy = new Set<number>();
  private scheduled = false;
  private nextStream = 0;

  constructor(
    private readonly runBatch: (batch: BatchRequest<I>[]) => Promise<R[]>,
    private readonly closeStream: (stream: number) => void = () => undefined,
    private readonly maxInFlight = 1,
  ) {}

  /** A handle for a new stream whose inputs go through this queue. */
  open(): QueuedStream<I, R> {
    const stream = this.nextStream++;
    let reset = true;
    return {
      submit: (input) => {
        const request = { stream, input, reset };
        reset = false;
        return new Promise<R>((resolve, reject) => {
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
    const batch: Pending<I, R>[] = [];
    const later: Pending<I, R>[] = [];
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
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight--;
      for (const p of batch) this.busy.delete(p.request.stream);
      if (this.pending.length > 0) this.schedule();
    }
  }
}

import type { MicFrame, MicSource, MicSourceInfo } from './types.js';

/**
 * The lifecycle every source shares: `frames()` may be iterated once; `close()` is idempotent, aborts
 * the signal the generator watches (so a pending `next()` settles with `done`), then runs the
 * source's own cleanup. Subclasses write `generate(signal)` and, if they hold resources, `onClose()`.
 */
export abstract class BaseMicSource implements MicSource {
  abstract readonly info: MicSourceInfo;
  private readonly abort = new AbortController();
  private iterated = false;
  private closing: Promise<void> | undefined;

  protected get signal(): AbortSignal {
    return this.abort.signal;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  frames(): AsyncIterable<MicFrame> {
    if (this.iterated) throw new Error(`${this.info.description}: frames() may be iterated only once`);
    this.iterated = true;
    return this.run();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      await this.onClose();
    })();
    return this.closing;
  }

  protected abstract generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined>;

  protected onClose(): Promise<void> {
    return Promise.resolve();
  }

  private async *run(): AsyncGenerator<MicFrame, void, undefined> {
    if (this.abort.signal.aborted) return;
    for await (const frame of this.generate(this.abort.signal)) {
      if (this.abort.signal.aborted) return;
      yield frame;
    }
  }
}

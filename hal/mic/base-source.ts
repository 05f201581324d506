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
    return guardedFrames(this.generate(this.abort.signal), this.abort.signal);
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
}

/**
 * `frames` of a source, ending (and finishing the generator, so its `finally` blocks run) as soon as
 * `signal` aborts: a frame the generator produces after `close()` is never handed out. A plain
 * iterator rather than a second async generator around the source's own: a frame then costs one
 * promise reaction here instead of a generator's resume, await and yield (this runs 12.5 times a
 * second for every device and every wrapping source).
 */
function guardedFrames(frames: AsyncGenerator<MicFrame, void, undefined>, signal: AbortSignal): AsyncIterable<MicFrame> {
  const done: IteratorReturnResult<void> = { done: true, value: undefined };
  const finish = (): Promise<IteratorResult<MicFrame, void>> => frames.return(undefined).then(() => done);
  const iterator: AsyncIterator<MicFrame, void> = {
    next: () => (signal.aborted ? finish() : frames.next().then((r) => (r.done || !signal.aborted ? r : finish()))),
    return: finish,
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

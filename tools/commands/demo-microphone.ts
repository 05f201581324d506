import type { Clock } from '../../core/clock.js';
import { mappedFrames } from '../../hal/mic/mapped-frames.js';
import { SyntheticSource } from '../../hal/mic/synthetic-source.js';
import type { MicFrame, MicSource, MicSourceInfo } from '../../hal/mic/types.js';

/**
 * The demo's microphone when the device stays up: the utterance, then a quiet room (the -70 dBFS
 * noise floor of `synthetic:silence`) in real time for as long as the device runs. It is one
 * continuous microphone (sample indices carry on), so the same device that heard the utterance keeps
 * listening: no second boot. The utterance plays at its own pace (`--fast` or real time); the quiet
 * room always in real time, so the device waits for the cloud's answer on the wall clock.
 */
export class UtteranceThenQuietRoom implements MicSource {
  readonly info: MicSourceInfo;
  /** Resolves when the utterance has been played to its end (not when the source is closed first). */
  readonly utteranceEnded: Promise<void>;
  private markEnded: () => void = () => undefined;
  private readonly quiet: SyntheticSource;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly utterance: MicSource,
    options: { clock?: Clock } = {},
  ) {
    this.info = { ...utterance.info, description: `${utterance.info.description}, then synthetic:silence` };
    this.quiet = new SyntheticSource({ kind: 'silence', channels: utterance.info.channels, ...(options.clock ? { clock: options.clock } : {}) });
    this.utteranceEnded = new Promise<void>((resolve) => (this.markEnded = resolve));
  }

  /**
   * The utterance's frames, then the quiet room's with their indices carried on. A plain iterator, not
   * an async generator around the two (hal/mic/mapped-frames.ts says why): this runs for every frame
   * of a device with a page.
   */
  frames(): AsyncIterable<MicFrame> {
    const utterance = this.utterance.frames()[Symbol.asyncIterator]();
    let quiet: AsyncIterator<MicFrame> | undefined;
    let next = 0;
    const fromQuiet = (): Promise<IteratorResult<MicFrame>> =>
      (quiet ??= mappedFrames(this.quiet.frames(), (f) => ({ ...f, index: next + f.index }))[Symbol.asyncIterator]()).next();
    const iterator: AsyncIterator<MicFrame> = {
      next: () => {
        if (quiet) return fromQuiet();
        return utterance.next().then((r) => {
          if (!r.done) {
            next = r.value.index + r.value.samples.length / r.value.channels;
            return r;
          }
          if (this.closed) return r;
          this.markEnded();
          return fromQuiet();
        });
      },
      return: async () => {
        await (quiet ?? utterance).return?.();
        return { done: true, value: undefined };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= Promise.all([this.utterance.close(), this.quiet.close()]).then(() => undefined);
    return this.closing;
  }
}

import type { Clock } from '../../core/clock.js';
import { BaseMicSource } from '../../hal/mic/base-source.js';
import { SyntheticSource } from '../../hal/mic/synthetic-source.js';
import type { MicFrame, MicSource, MicSourceInfo } from '../../hal/mic/types.js';

/**
 * The demo's microphone when the device stays up: the utterance, then a quiet room (the -70 dBFS
 * noise floor of `synthetic:silence`) in real time for as long as the device runs. It is one
 * continuous microphone (sample indices carry on), so the same device that heard the utterance keeps
 * listening: no second boot. The utterance plays at its own pace (`--fast` or real time); the quiet
 * room always in real time, so the device waits for the cloud's answer on the wall clock.
 */
export class UtteranceThenQuietRoom extends BaseMicSource {
  readonly info: MicSourceInfo;
  /** Resolves when the utterance has been played to its end (not when the source is closed first). */
  readonly utteranceEnded: Promise<void>;
  private markEnded: () => void = () => undefined;
  private readonly quiet: SyntheticSource;

  constructor(
    private readonly utterance: MicSource,
    options: { clock?: Clock } = {},
  ) {
    super();
    this.info = { ...utterance.info, description: `${utterance.info.description}, then synthetic:silence` };
    this.quiet = new SyntheticSource({ kind: 'silence', channels: utterance.info.channels, ...(options.clock ? { clock: options.clock } : {}) });
    this.utteranceEnded = new Promise<void>((resolve) => (this.markEnded = resolve));
  }

  protected async *generate(signal: AbortSignal): AsyncGenerator<MicFrame, void, undefined> {
    let next = 0;
    for await (const frame of this.utterance.frames()) {
      if (signal.aborted) return;
      yield frame;
      next = frame.index + frame.samples.length / frame.channels;
    }
    if (signal.aborted) return;
    this.markEnded();
    for await (const frame of this.quiet.frames()) {
      if (signal.aborted) return;
      yield { ...frame, index: next + frame.index };
    }
  }

  protected override async onClose(): Promise<void> {
    await Promise.all([this.utterance.close(), this.quiet.close()]);
  }
}

import type { MicFrame, MicSource } from '../../../../hal/mic/types.js';

/**
 * A microphone source that pauses before handing over a frame until `gate` says go. The device runs
 * on audio time and faster than real time, while the cloud answers over a real socket: the gate holds
 * the audio (and so device time) still until the answer has arrived, as a real-time device would
 * have waited for it.
 */
export class GatedSource implements MicSource {
  readonly info;

  constructor(
    private readonly inner: MicSource,
    private readonly gate: (frame: MicFrame) => Promise<void>,
  ) {
    this.info = inner.info;
  }

  async *frames(): AsyncIterable<MicFrame> {
    for await (const frame of this.inner.frames()) {
      await this.gate(frame);
      yield frame;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

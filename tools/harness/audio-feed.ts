import type { VirtualClock } from '../../core/clock.js';
import type { MicFrame, MicSource } from '../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { audioTimeline, deviceSettled, pushFrameOnTime, type AudioTimeline } from '../../firmware/device/audio-time.js';
import type { Device } from '../../firmware/device/device.js';
import type { CloudGate } from './cloud-gate.js';

export type FeedOutcome = 'paused' | 'ended';

/**
 * Plays one microphone source into a device on its VirtualClock, the way firmware/device/runner.ts
 * does (device time is audio time; frames are split at the instants timers fall due, so a button
 * pressed at 1.5 s acts between samples 23 999 and 24 000), with what a test harness adds:
 *
 * - frames are renumbered onto the device's own sample counter (`baseIndex`), so one device can hear
 *   many playbacks in a row without its ring buffer ever seeing an index go backwards;
 * - before each frame, the CloudGate holds device time until the cloud's answer is in (see there);
 * - it can pause between frames when a condition holds (`run(until)`) and resume later. A pause leaves
 *   any stream open; time that passes meanwhile (advance, press) passes without audio, and the next
 *   frame is heard at the clock's time then: audio and device time are re-aligned at every resume.
 */
export class AudioFeed {
  private readonly frames: AsyncIterator<MicFrame>;
  private ended = false;
  private stopRequested = false;
  private fedTo: number;

  constructor(
    private readonly device: Device,
    private readonly clock: VirtualClock,
    private readonly source: MicSource,
    private readonly baseIndex: number,
    private readonly gate: CloudGate,
  ) {
    this.frames = source.frames()[Symbol.asyncIterator]();
    this.fedTo = baseIndex;
  }

  /** Absolute index just past the last sample given to the device. */
  get position(): number {
    return this.fedTo;
  }

  get finished(): boolean {
    return this.ended;
  }

  /**
   * Plays frames until the source ends ('ended': the device was told, and any open stream closed with
   * `source-ended`) or `until()` holds before a frame ('paused').
   */
  async run(until?: () => boolean): Promise<FeedOutcome> {
    const { clock, device } = this;
    // Audio and device time are aligned at the first frame of each run: its first sample plays at the clock's time then.
    let timeline: AudioTimeline | undefined;
    while (!this.ended && !this.stopRequested) {
      if (until?.()) return 'paused';
      const next = await this.frames.next();
      if (next.done) break;
      const frame = renumber(next.value, this.baseIndex);
      await this.gate.beforeFrame(frame.index);
      timeline ??= audioTimeline(clock.now(), frame.index, SAMPLE_RATE);
      await pushFrameOnTime(device, clock, frame, timeline, (at) => {
        this.fedTo = at;
        this.gate.fed(at);
      });
    }
    await this.end();
    return 'ended';
  }

  /** Asks a running playback to end at the next frame boundary (the simulation is stopping). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Ends the playback where it stands: the device hears that its source ended. Idempotent. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.source.close();
    await this.frames.return?.();
    await this.device.endOfAudio();
  }

  /**
   * After the audio: lets device time run (gated on the cloud) until nothing is in progress (no
   * request, nothing playing or ringing, `busy` false) or `settleMs` have passed.
   */
  async settle(settleMs: number, busy: () => boolean): Promise<void> {
    const { clock, device } = this;
    const deadline = clock.now() + settleMs;
    while (clock.now() < deadline && !this.stopRequested) {
      if (deviceSettled(device, busy)) return;
      await this.gate.beforeAdvance();
      await clock.advanceTo(Math.min(clock.nextDueTime() ?? deadline, deadline));
    }
  }
}

function renumber(frame: MicFrame, base: number): MicFrame {
  return base === 0 ? frame : { index: frame.index + base, channels: frame.channels, samples: frame.samples };
}

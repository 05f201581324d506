import { toMono } from '../../hal/mic/channel-policy.js';
import type { MicPowerSwitch } from '../../hal/mic/mic-power.js';
import type { ChannelPolicy, MicFrame } from '../../hal/mic/types.js';
import type { AudioFrontEnd } from '../audio/front-end.js';
import type { DoaEstimate } from '../audio/doa/doa-estimator.js';
import type { DeviceModel } from '../device-model.js';
import { DirectionTracker } from './direction.js';

/**
 * The way a frame from the microphone array takes into the device (docs/architecture.md, steps 3 to 5):
 * through the mic-off switch first (while the microphones are off nothing gets past it), then, with two
 * or more usable microphones, the direction tracker, then the channel policy's mono mix into the audio
 * front end. It holds the only copies of past audio outside the front end, so `forget` clears both.
 */
export class MicPath {
  private tracker: DirectionTracker | undefined;
  private mono: Int16Array | undefined;

  constructor(
    private readonly mic: MicPowerSwitch,
    private readonly frontEnd: AudioFrontEnd,
    private readonly micPositions: DeviceModel['micPositions'],
    private readonly policy: ChannelPolicy,
    /** A new estimate of the talker's direction (the device points the ring with it while listening). */
    private readonly onDirection: (estimate: DoaEstimate) => void,
  ) {}

  /** The talker-direction tracker, once a frame came with two or more usable microphones. */
  get direction(): DirectionTracker | undefined {
    return this.tracker;
  }

  async push(frame: MicFrame): Promise<void> {
    const live = this.mic.pass(frame);
    if (!live) return;
    if (!this.tracker && live.channels >= 2 && DirectionTracker.usable(live.channels, this.micPositions)) {
      this.tracker = new DirectionTracker(live.channels, this.micPositions);
    }
    if (this.tracker) {
      const estimate = this.tracker.write(live);
      if (estimate) this.onDirection(estimate);
    }
    const n = live.samples.length / live.channels;
    if (!this.mono || this.mono.length !== n) this.mono = new Int16Array(n);
    await this.frontEnd.push(toMono(live, this.policy, this.mono));
  }

  /** Drops every sample held (the front end's ring buffer, the tracker's history): the microphones went off. */
  forget(): void {
    this.frontEnd.clear();
    this.tracker?.clear();
  }
}

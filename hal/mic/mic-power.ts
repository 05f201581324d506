import { EchosimError } from '../../core/errors.js';
import type { MicFrame } from './types.js';

export type MicPowerOrigin = 'button' | 'boot' | 'software';

/**
 * The microphone power switch, modelled as hardware (docs/privacy.md#mic-off): it sits between the array and
 * everything else, so while it is off no sample reaches any consumer (ring buffer, spotter, DOA,
 * stream). Time keeps running (the source is still read and its indices still advance); the audio is
 * simply not there.
 *
 * Only the physical button may turn the microphones on. A software request to turn them on (cloud
 * command, API, profile) is refused with MIC_OFF_HARDWARE_ONLY; a software request to turn them off
 * is honoured, since that can only make the device more private.
 */
export class MicPowerSwitch {
  private powered: boolean;
  private dropped = 0;

  constructor(initiallyOn = true) {
    this.powered = initiallyOn;
  }

  get on(): boolean {
    return this.powered;
  }

  /** Samples (per channel) withheld from every consumer while off. */
  get droppedSamples(): number {
    return this.dropped;
  }

  /** The button: flips the switch. Returns the new state. */
  toggle(): boolean {
    this.powered = !this.powered;
    return this.powered;
  }

  /** A request from anything but the button. Turning off is allowed; turning on is refused. */
  request(on: boolean, origin: Exclude<MicPowerOrigin, 'button'> = 'software'): boolean {
    if (on && !this.powered) {
      throw new EchosimError('MIC_OFF_HARDWARE_ONLY', `the microphones are off and cannot be turned on by ${origin}`, {
        hint: 'Only the mic-off button on the device turns the microphones back on.',
        details: { origin },
      });
    }
    this.powered = on && this.powered;
    return this.powered;
  }

  /** The frame as the rest of the device may see it: unchanged when on, nothing when off. */
  pass(frame: MicFrame): MicFrame | undefined {
    if (this.powered) return frame;
    this.dropped += frame.samples.length / frame.channels;
    return undefined;
  }
}

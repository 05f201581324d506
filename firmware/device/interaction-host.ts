import type { Clock } from '../../core/clock.js';
import type { AudioFrontEnd } from '../audio/front-end.js';
import type { DirectionTracker } from './direction.js';
import type { LocalFeatures } from '../features/local-features.js';
import type { LedRing } from '../leds/led-ring.js';
import type { Speaker } from '../speaker/speaker.js';
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { DeviceEvents } from './types.js';

/** The device events an interaction reports (the rest are the device's own). */
export type InteractionEventName = 'detection' | 'stream-start' | 'stream-end' | 'direction' | 'false-wake';

/**
 * What an Interaction (interaction.ts) needs from the device that owns it, and nothing more: the
 * Device builds one of these over its private parts, so the Interaction never sees the Device and
 * the Device exposes none of these to its other callers.
 */
export interface InteractionHost {
  readonly clock: Clock;
  /** The audio pipeline: its stream events, push-to-talk and cancellation. */
  readonly frontEnd: AudioFrontEnd;
  readonly speaker: Pick<Speaker, 'play' | 'stop' | 'stepVolume' | 'setVolume'>;
  readonly leds: Pick<LedRing, 'setDirection' | 'showVolume' | 'flashDnd'>;
  state(): DeviceState;
  microphonesOn(): boolean;
  /** The local features (settings, volume); throws DEVICE_NOT_RUNNING before boot. */
  features(): Pick<LocalFeatures, 'settings' | 'volume'>;
  /** The talker-direction tracker, once the array has two or more usable microphones. */
  direction(): DirectionTracker | undefined;
  dispatch(input: DeviceInput, detail?: string): DeviceState;
  accepts(input: DeviceInput): boolean;
  emit<K extends InteractionEventName>(event: K, ...args: DeviceEvents[K]): void;
  warn(code: string, message: string): void;
  linkUp(): void;
  linkDown(reason: string): void;
}

import type { Clock } from '../../core/clock.js';
import type { AudioFrontEnd } from '../audio/front-end.js';
import type { DirectionTracker } from './direction.js';
import type { LocalFeatures } from '../features/local-features.js';
import type { LedRing } from '../leds/led-ring.js';
import type { Speaker } from '../speaker/speaker.js';
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { EchosimError } from '../../core/errors.js';
import type { DeviceEvents } from './types.js';

/** The device events an interaction reports (the rest are the device's own); `intent` and `directive` come with the cloud's answer. */
export type InteractionEventName = 'detection' | 'stream-start' | 'stream-end' | 'direction' | 'false-wake' | 'intent' | 'directive';

/**
 * What an Interaction (interaction.ts) needs from the device that owns it, and nothing more: the
 * Device builds one of these over its private parts, so the Interaction never sees the Device and
 * the Device exposes none of these to its other callers. The cloud's answers (firmware/answers/: the
 * request's context, the directives) are part of an interaction and use a Pick of this same host.
 */
export interface InteractionHost {
  readonly clock: Clock;
  /** The audio pipeline: its stream events, push-to-talk and cancellation. */
  readonly frontEnd: AudioFrontEnd;
  readonly speaker: Pick<Speaker, 'play' | 'stop' | 'stepVolume' | 'setVolume' | 'volume'>;
  readonly leds: Pick<LedRing, 'setDirection' | 'showVolume' | 'flashDnd'>;
  state(): DeviceState;
  microphonesOn(): boolean;
  /** The local features (settings, volume; timers, alarms and lists for the cloud's directives); throws DEVICE_NOT_RUNNING before boot. */
  features(): Pick<LocalFeatures, 'settings' | 'volume' | 'timers' | 'alarms' | 'lists'>;
  /** Silences a ringing timer or alarm ("stop"); whether one was ringing. */
  dismissRinging(): boolean;
  /** The talker-direction tracker, once the array has two or more usable microphones. */
  direction(): DirectionTracker | undefined;
  dispatch(input: DeviceInput, detail?: string): DeviceState;
  accepts(input: DeviceInput): boolean;
  emit<K extends InteractionEventName>(event: K, ...args: DeviceEvents[K]): void;
  warn(code: string, message: string): void;
  /** A request the device will not carry out: logged and a `refused` event. */
  refuse(request: string, err: EchosimError): void;
  linkUp(): void;
  linkDown(reason: string): void;
}

import type { Clock } from '../../core/clock.js';
import type { EchosimError } from '../../core/errors.js';
import type { LocalFeatures } from '../features/local-features.js';
import type { DeviceEvents } from '../device/types.js';

/**
 * The part of the device that answers need (the request's context and the directives): its clock,
 * local features, speaker volume, ringer, and the `directive` event and refusals. Narrow so that
 * firmware/answers/ does not import the Device (no Device -> Interaction -> answers -> Device cycle).
 */
export interface AnswerHost {
  readonly clock: Clock;
  /** The local features; throws DEVICE_NOT_RUNNING before boot. */
  readonly features: LocalFeatures;
  readonly speaker: { readonly volume: number };
  readonly ringer: { dismiss(): boolean };
  emit(event: 'directive', ...args: DeviceEvents['directive']): boolean;
  refuse(request: string, err: EchosimError): void;
}

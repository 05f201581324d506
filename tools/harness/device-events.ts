import type { DeviceCloudLinkEvents } from '../../cloud-link/device/link/link-options.js';
import type { DeviceEvents } from '../../firmware/device/types.js';
import { DEVICE_STATES, type DeviceState } from '../../cloud-link/protocol/device-states.js';
import { EchosimError } from '../../core/errors.js';
import type { WakeWordRegistry } from '../../models/wakeword/registry.js';
import type { WakeWordVerifier } from '../../cloud-link/cloud/verification/verifier.js';
import type { Clock } from '../../core/clock.js';
import type { EventLog } from './event-log.js';
import type { HarnessModels } from './models.js';
import type { SimCloud } from './sim-cloud.js';
import type { Pace } from './wait.js';

/**
 * Everything a simulated device tells a test, in one typed map: the firmware's events (states, the
 * light ring's frames, streams, buttons, false wakes...), its cloud link's (connection, profiles
 * applied or refused, the cloud's answers, jobs), and the harness's own `cloud-late`.
 */
export interface SimDeviceEvents
  extends DeviceEvents,
    Pick<
      DeviceCloudLinkEvents,
      'connection' | 'profile-applied' | 'profile-rejected' | 'reported' | 'shadow-rejected' | 'job' | 'utterance-rejected' | 'utterance-response' | 'announcement' | 'malformed'
    > {
  /** The link carried on through a problem (its `warning`; the device's own warnings are `warning`). */
  'link-warning': [EchosimError];
  /**
   * The cloud's answer to a request did not reach the device within the harness's bound (real time):
   * the device carried on without it, so the run may differ from a normal one. Healthy runs have none.
   */
  'cloud-late': [{ utteranceId: number; waitingFor: 'verdict' | 'rejection' | 'answer'; waitedMs: number }];
}

export const FIRMWARE_EVENTS: ReadonlyArray<keyof DeviceEvents> = [
  'state', 'detection', 'stream-start', 'stream-end', 'button', 'leds', 'direction', 'microphones', 'volume', 'sound', 'notification', 'false-wake', 'refused', 'warning', 'wake-word', 'intent', 'directive',
];

export const LINK_EVENTS = [
  'connection', 'profile-applied', 'profile-rejected', 'reported', 'shadow-rejected', 'job', 'utterance-rejected', 'utterance-response', 'announcement', 'malformed',
] as const satisfies ReadonlyArray<keyof DeviceCloudLinkEvents & keyof SimDeviceEvents>;

/** Waits for a device event: `{ event: 'false-wake' }`, `{ event: 'profile-applied', match: (p) => p.version === 3 }`. */
export interface DeviceEventTarget<K extends keyof SimDeviceEvents = keyof SimDeviceEvents> {
  readonly event: K;
  readonly match?: (payload: SimDeviceEvents[K][0]) => boolean;
  /** Only events recorded after this mark (`device.mark`); default: after the call. 0 includes history. */
  readonly after?: number;
}

/**
 * What a device can be waited for (or a playback paused at): a state it is in (`'IDLE'`), a condition
 * that holds (`() => device.leds().label === 'mic-off'`), or an event it emits.
 */
export type DeviceWaitTarget = DeviceState | (() => boolean) | DeviceEventTarget;

/** A target as a condition over the device's log, with words for it and (for events) the payload found. */
export interface CompiledTarget {
  readonly what: string;
  readonly holds: () => boolean;
  /** The matching event's payload (event targets), after `holds()` returned true. */
  readonly found: () => unknown;
}

export function compileTarget(target: DeviceWaitTarget, log: EventLog<SimDeviceEvents>, state: () => DeviceState): CompiledTarget {
  if (typeof target === 'function') return { what: 'a condition', holds: target, found: () => undefined };
  if (typeof target === 'string') {
    if (!(DEVICE_STATES as readonly string[]).includes(target)) {
      throw new EchosimError('HARNESS_INVALID', `"${String(target)}" is not a device state`, {
        hint: `wait for one of ${DEVICE_STATES.join(', ')}, a condition (() => boolean) or an event ({ event: 'false-wake' })`,
      });
    }
    return { what: `state ${target}`, holds: () => state() === target, found: () => undefined };
  }
  const after = target.after ?? log.mark;
  let payload: unknown;
  return {
    what: `event "${String(target.event)}"${target.match ? ' (matching)' : ''}`,
    holds: () => (payload = log.find(target.event, target.match as never, after)) !== undefined,
    found: () => payload,
  };
}

/** What a Simulation hands each SimDevice it starts (internal to the harness). */
export interface SimDeviceSetup {
  readonly id: string;
  readonly secret: string;
  readonly modelId: string;
  /** The device's flash (inside the simulation's temporary directory). */
  readonly dataDir: string;
  readonly models: HarnessModels;
  readonly cloud: SimCloud;
  /** The words the device can spot: a room profile's WakeWord switches its spotter among them. */
  readonly registry: WakeWordRegistry;
  /** The cloud's verifier, if it verifies wake words: the gate needs to know where it decides. */
  readonly verifier: WakeWordVerifier | undefined;
  readonly realClock: Clock;
  readonly pace: Pace;
  /** Longest the gate waits (real ms) for one answer of the cloud before the device carries on. */
  readonly answerTimeoutMs: number;
  readonly tmpDir: string;
  assertRunning(): void;
}

/** A device-local view for assertions. */
export interface DeviceSnapshot {
  readonly state: DeviceState;
  readonly microphonesOn: boolean;
  readonly volume: number;
  /** The room profile's MaxVolumeLimit as the speaker enforces it. */
  readonly maxVolume: number;
  /** The profile version the device runs (undefined before its first profile). */
  readonly profileVersion: number | undefined;
  readonly linkConnected: boolean;
  readonly falseWakes: number;
}

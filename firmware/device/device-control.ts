import type { DeviceModel } from '../device-model.js';
import type { DeviceSettings } from '../features/device-settings.js';
import type { LocalFeatures } from '../features/local-features.js';
import type { ResetReport } from '../../cloud-link/protocol/reset-features.js';
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { HeadSpec } from '../../models/wakeword/registry.js';
import type { DeviceEvents } from './types.js';

/** The device events the cloud link follows (telemetry, announcements waiting for IDLE). */
export type DeviceControlEventName = 'state' | 'stream-start' | 'stream-end' | 'false-wake' | 'wake-word';

type Listener<A extends unknown[]> = (...args: A) => void;

/** What the link may do with the device's wake-word switch (firmware/device/wake-word-switch.ts). */
export interface WakeWordControl {
  /** The room-profile WakeWords the device has a head for. */
  readonly supported: readonly string[];
  /** The room-profile WakeWord the spotter runs now, when it runs exactly one. */
  readonly wakeWord: string | undefined;
  /** Loads the WakeWord's head (can fail: a missing or corrupt file). */
  prepare(wakeWord: string): Promise<HeadSpec>;
  /** Switches to it (cannot fail; deferred to the end of a request being captured). */
  request(head: HeadSpec): void;
}

/**
 * What the device's cloud link (cloud-link/device/link/) may see and do on the device: its facts for
 * the reported state and telemetry, the settings and limits a room profile sets, A4B resets, and
 * whether it can announce now. Declared by the firmware, implemented by Device; the link depends on
 * this and not on the Device's parts (speaker, microphones, state machine).
 */
export interface DeviceControl {
  readonly model: Pick<DeviceModel, 'id'>;
  readonly state: DeviceState;
  readonly volume: number;
  readonly maxVolume: number;
  readonly microphonesOn: boolean;
  /** The device's settings (name, DND, earcons, time zone); throws DEVICE_NOT_RUNNING before boot. */
  readonly settings: DeviceSettings;
  /**
   * The local features (timers, alarms, lists, settings, volume) a local command changes and the
   * reported state lists; throws DEVICE_NOT_RUNNING before boot.
   */
  readonly features: LocalFeatures;
  /** Sets the volume as the buttons do (ring, tone, kept on flash); returns the level in force. */
  setVolume(level: number): number;
  /** Switches the spotter to a room profile's WakeWord; undefined when the engine cannot switch (Porcupine). */
  readonly wakeWord: WakeWordControl | undefined;
  /** Whether the state machine would take `input` now (e.g. ANNOUNCE). */
  accepts(input: DeviceInput): boolean;
  /** Alexa for Business StartDeviceSync: clears exactly the named features. */
  reset(features: readonly string[]): Promise<ResetReport>;
  /** Room profile MaxVolumeLimit. */
  setMaxVolumeLimit(limit: number): void;
  /** Room profile SetupModeDisabled. */
  setSetupModeDisabled(disabled: boolean): void;
  /** Takes the device down (a reboot job without a reboot hook). */
  stop(): Promise<void>;
  on<K extends DeviceControlEventName>(event: K, listener: Listener<DeviceEvents[K]>): unknown;
  off<K extends DeviceControlEventName>(event: K, listener: Listener<DeviceEvents[K]>): unknown;
}

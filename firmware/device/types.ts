import type { DeviceModel } from '../device-model.js';
import type { ButtonName } from '../../hal/buttons/types.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { LedFrame, LedRenderer } from '../../hal/leds/types.js';
import type { ChannelPolicy } from '../../hal/mic/types.js';
import type { SpeakerDriver } from '../../hal/speaker/types.js';
import type { EndpointerOptions } from '../../models/vad/endpointer.js';
import type { VoiceActivityDetector } from '../../models/vad/types.js';
import type { WakeWordRegistry } from '../../models/wakeword/registry.js';
import type { WakeWordDetection } from '../../models/wakeword/types.js';
import type { FrontEndOptions } from '../audio/front-end.js';
import type { StreamEnd, StreamStart } from '../../cloud-link/protocol/stream.js';
import type { StateTimeouts } from '../state/device-states.js';
import type { Transition } from '../state/state-machine.js';
import type { DeviceLink } from './link.js';
import type { WakeWordChange } from './wake-word-switch.js';

export type ButtonAction = 'down' | 'up' | 'click' | 'hold';

export interface DeviceEvents {
  state: [Transition];
  detection: [WakeWordDetection & { accepted: boolean }];
  'stream-start': [StreamStart & { at: number }];
  'stream-end': [StreamEnd & { at: number }];
  button: [{ button: ButtonName; action: ButtonAction; at: number; effect: string }];
  leds: [LedFrame];
  /** The talker's direction while listening (only with two or more microphones). */
  direction: [{ azimuthDeg: number; confidence: number; at: number }];
  microphones: [{ on: boolean; at: number; origin: 'button' | 'software' | 'boot' }];
  volume: [{ level: number; requested: number; clamped: boolean; at: number }];
  sound: [{ label: string; at: number; durationMs: number }];
  notification: [{ kind: 'timer' | 'alarm'; id: string; label?: string; at: number; action: 'ringing' | 'dismissed' | 'missed' }];
  'false-wake': [{ id: number; at: number; reason: string }];
  /** A request the device refused, with the error code it gave. */
  refused: [{ request: string; code: string; message: string; at: number }];
  /** What the cloud understood from a request, and the time from the end of the stream to the answer. */
  intent: [{ id: number; name: string; slots: Record<string, string | number>; confidence: number; heard: string; latencyMs: number | null; at: number }];
  /** A directive from the cloud carried out (ok) or refused (detail: the error code). */
  directive: [{ type: string; ok: boolean; detail: string; at: number }];
  /** A problem the device carried on through (storage corruption, a renderer failing) or a fault. */
  warning: [{ code: string; message: string; at: number }];
  /** The spotter switched to another word (a room profile's WakeWord). */
  'wake-word': [WakeWordChange];
}

export interface DeviceOptions {
  model: DeviceModel;
  /** Device time. The runner drives a VirtualClock from the audio, so events carry audio time. */
  clock: Clock;
  /** The device's "flash": settings, features and the mic switch persist here. */
  dataDir: string;
  engine: FrontEndOptions['engine'];
  /**
   * The words the device can switch its spotter to (a room profile's WakeWord), with an engine that
   * can switch (openWakeWord). Without it the device runs its engine's words only.
   */
  wakeWords?: WakeWordRegistry;
  vad?: VoiceActivityDetector;
  endpointer?: Partial<EndpointerOptions>;
  /** Which microphone(s) feed the spotter (default channel 0). */
  channelPolicy?: ChannelPolicy;
  maxStreamSamples?: number;
  /** Run without a cloud on purpose: spot, stream to nowhere, show states. */
  offline?: boolean;
  /** The cloud link; without one and without `offline` the device goes to SETUP. */
  link?: DeviceLink;
  leds?: LedRenderer[];
  ledFps?: number;
  speaker?: SpeakerDriver;
  timeouts?: Partial<StateTimeouts>;
  /** Room profile MaxVolumeLimit (1..10, default 10). */
  maxVolumeLimit?: number;
  /** Room profile SetupModeDisabled: holding action does not enter setup. */
  setupModeDisabled?: boolean;
  log?: Logger;
}

import type { DeviceContext } from '../../cloud-link/protocol/directives.js';
import type { UtteranceAnswer } from '../../cloud-link/protocol/utterance-answer.js';
import type { StreamAudio, StreamEnd, StreamStart } from '../../cloud-link/protocol/stream.js';

/** What the cloud link tells the device. */
export interface DeviceLinkEvents {
  up: [];
  down: [reason: string];
  /** Cloud verification did not confirm the wake word: stop capture at once (a false wake). */
  'utterance-rejected': [{ id: number; reason: string }];
  /** The cloud's answer to an utterance: audio to play (or nothing), what it understood, what to do. */
  'utterance-response': [UtteranceAnswer];
  /** Something to say while idle (Alexa for Business SendAnnouncement). */
  announcement: [{ audio: Int16Array; sampleRate?: number }];
}

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * The device's view of its cloud connection (cloud-link/device/link/device-cloud-link.ts implements
 * it over MQTT). The device streams each utterance through it and reacts to what comes back; without
 * a link (`--offline`) utterances go nowhere and THINKING ends on its timeout.
 *
 * Implementations may emit more events than these (an EventEmitter over a wider event map); the
 * device listens to these only, and removes its listeners when it stops.
 */
export interface DeviceLink {
  readonly connected: boolean;
  on<K extends keyof DeviceLinkEvents>(event: K, listener: Listener<DeviceLinkEvents[K]>): unknown;
  off<K extends keyof DeviceLinkEvents>(event: K, listener: Listener<DeviceLinkEvents[K]>): unknown;
  /** `context`: the local state an answer may need (timers, the shopping list, ...). */
  utteranceStart(start: StreamStart, context?: DeviceContext): void;
  utteranceAudio(audio: StreamAudio): void;
  utteranceEnd(end: StreamEnd): void;
}

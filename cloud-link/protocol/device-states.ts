/**
 * The device's states and the inputs that move it between them: part of the device-cloud contract
 * (telemetry reports every transition as from/to/input, and the cloud's tools wait on these names).
 * The transition table itself is the firmware's (firmware/state/device-states.ts).
 *
 * States follow the AVS dialog UX states plus the device-level ones an Echo has: BOOTING, SETUP
 * (orange spin), CONNECTING, MIC_OFF and ERROR. Inputs are everything that can move the device:
 * buttons, the audio front end, the cloud link and the state machine's own timeouts.
 */
export const DEVICE_STATES = ['BOOTING', 'SETUP', 'CONNECTING', 'IDLE', 'LISTENING', 'THINKING', 'SPEAKING', 'MIC_OFF', 'ERROR'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export const DEVICE_INPUTS = [
  /** Boot finished on a device run without a cloud on purpose (`--offline`). */
  'BOOTED_OFFLINE',
  /** Boot finished and no cloud is configured: the device needs setting up. */
  'BOOTED_UNCONFIGURED',
  /** Boot finished with a cloud configured. */
  'BOOTED_CONFIGURED',
  /** The action button was held 7 s (refused earlier when the profile sets SetupModeDisabled). */
  'SETUP_REQUESTED',
  /** Setup finished or was left (a cloud is configured now, or the user pressed action). */
  'SETUP_DONE',
  'SETUP_TIMEOUT',
  'LINK_UP',
  'LINK_DOWN',
  'CONNECT_TIMEOUT',
  'RETRY',
  /** The on-device spotter detected the wake word. */
  'WAKE_WORD',
  /** Push-to-talk: the action button. */
  'TAP',
  /** The utterance was captured (end of speech, maximum length, or the source ended). */
  'STREAM_ENDED',
  /** The end-pointer heard no speech after the wake word. */
  'NO_SPEECH',
  /** The device's own cap on listening passed without the stream ending. */
  'LISTEN_TIMEOUT',
  /** The user stopped the interaction (action button). */
  'CANCEL',
  /** Cloud verification did not confirm the wake word: stop at once. */
  'FALSE_WAKE',
  /** The cloud answered with something to play. */
  'RESPONSE',
  /** The cloud answered with nothing to play. */
  'NO_RESPONSE',
  'THINK_TIMEOUT',
  'SPEECH_DONE',
  /** An announcement or a ringing notification to play while idle. */
  'ANNOUNCE',
  'MIC_OFF',
  'MIC_ON',
  /** Something the device cannot work without failed (e.g. the microphone source). */
  'FAULT',
] as const;
export type DeviceInput = (typeof DEVICE_INPUTS)[number];

/**
 * The device's states and the explicit transition table between them.
 *
 * States follow the AVS dialog UX states (docs/device-states.md) plus the device-level ones an Echo has:
 * BOOTING, SETUP (orange spin), CONNECTING, MIC_OFF and ERROR. Inputs are everything that can move the
 * device: buttons, the audio front end, the cloud link and the state machine's own timeouts.
 *
 * A (state, input) pair missing from the table is ignored (and reported as such), so an input can never
 * put the device somewhere the table does not say. Targets that depend on the device's situation (is
 * the microphone on? is the cloud reachable?) are guards evaluated on a small context.
 */
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';

/** What guards may look at. */
export interface GuardContext {
  readonly micOn: boolean;
  readonly linkUp: boolean;
  /** Run without a cloud on purpose: never CONNECTING. */
  readonly offline: boolean;
  /** A cloud is configured (setup has been done). */
  readonly configured: boolean;
}

export type Target = DeviceState | ((ctx: GuardContext) => DeviceState);

/** Where a device goes when an interaction is over: IDLE, or MIC_OFF, or CONNECTING when the cloud is not there. */
export const ready = (ctx: GuardContext): DeviceState =>
  !ctx.micOn ? 'MIC_OFF' : ctx.offline || ctx.linkUp ? 'IDLE' : 'CONNECTING';

const leaveSetup = (ctx: GuardContext): DeviceState => (ctx.offline ? ready(ctx) : ctx.micOn ? (ctx.linkUp ? 'IDLE' : 'CONNECTING') : 'MIC_OFF');
const afterSetupTimeout = (ctx: GuardContext): DeviceState => (ctx.configured || ctx.offline ? leaveSetup(ctx) : 'SETUP');
const onLinkDown = (ctx: GuardContext): DeviceState => (ctx.offline ? ready(ctx) : 'CONNECTING');

export const TRANSITIONS: Readonly<Record<DeviceState, Readonly<Partial<Record<DeviceInput, Target>>>>> = {
  BOOTING: {
    BOOTED_OFFLINE: ready,
    BOOTED_UNCONFIGURED: 'SETUP',
    BOOTED_CONFIGURED: (ctx) => (ctx.micOn ? 'CONNECTING' : 'MIC_OFF'),
    FAULT: 'ERROR',
  },
  SETUP: {
    SETUP_DONE: leaveSetup,
    SETUP_TIMEOUT: afterSetupTimeout,
    FAULT: 'ERROR',
  },
  CONNECTING: {
    LINK_UP: ready,
    CONNECT_TIMEOUT: 'ERROR',
    MIC_OFF: 'MIC_OFF',
    SETUP_REQUESTED: 'SETUP',
    ANNOUNCE: 'SPEAKING',
    FAULT: 'ERROR',
  },
  IDLE: {
    WAKE_WORD: 'LISTENING',
    TAP: 'LISTENING',
    ANNOUNCE: 'SPEAKING',
    MIC_OFF: 'MIC_OFF',
    LINK_DOWN: onLinkDown,
    SETUP_REQUESTED: 'SETUP',
    FAULT: 'ERROR',
  },
  LISTENING: {
    STREAM_ENDED: 'THINKING',
    NO_SPEECH: ready,
    LISTEN_TIMEOUT: ready,
    CANCEL: ready,
    FALSE_WAKE: ready,
    MIC_OFF: 'MIC_OFF',
    LINK_DOWN: onLinkDown,
    FAULT: 'ERROR',
  },
  THINKING: {
    RESPONSE: 'SPEAKING',
    NO_RESPONSE: ready,
    THINK_TIMEOUT: ready,
    FALSE_WAKE: ready,
    CANCEL: ready,
    MIC_OFF: 'MIC_OFF',
    LINK_DOWN: onLinkDown,
    FAULT: 'ERROR',
  },
  SPEAKING: {
    // Playback is local: a lost link or a mic-off press does not cut the answer short.
    SPEECH_DONE: ready,
    CANCEL: ready,
    FAULT: 'ERROR',
  },
  MIC_OFF: {
    MIC_ON: ready,
    ANNOUNCE: 'SPEAKING',
    SETUP_REQUESTED: 'SETUP',
    FAULT: 'ERROR',
  },
  ERROR: {
    RETRY: (ctx) => (ctx.offline ? ready(ctx) : ctx.micOn ? 'CONNECTING' : 'MIC_OFF'),
    LINK_UP: ready,
    SETUP_REQUESTED: 'SETUP',
  },
};

/** Per-state timeouts: the device never hangs waiting for something that does not come. */
export interface StateTimeouts {
  /** Longest LISTENING may last, whatever the stream does (default 10 s). */
  listeningMs: number;
  /** THINKING falls back to IDLE after this long without a response (AVS: 5 s). */
  thinkingMs: number;
  /** CONNECTING gives up and shows the error ring after this long (default 30 s). */
  connectingMs: number;
  /** ERROR retries after this long (default 10 s). */
  errorRetryMs: number;
  /** SETUP ends after this long when there is somewhere to go (default 15 min). */
  setupMs: number;
  /** Longest SPEAKING may last if playback never reports its end (default 120 s). */
  speakingMs: number;
}

export const DEFAULT_STATE_TIMEOUTS: StateTimeouts = {
  listeningMs: 10_000,
  thinkingMs: 5_000,
  connectingMs: 30_000,
  errorRetryMs: 10_000,
  setupMs: 15 * 60_000,
  speakingMs: 120_000,
};

/** Which input each state's timeout dispatches. */
export function stateTimeout(state: DeviceState, t: StateTimeouts): { ms: number; input: DeviceInput } | undefined {
  switch (state) {
    case 'LISTENING':
      return { ms: t.listeningMs, input: 'LISTEN_TIMEOUT' };
    case 'THINKING':
      return { ms: t.thinkingMs, input: 'THINK_TIMEOUT' };
    case 'CONNECTING':
      return { ms: t.connectingMs, input: 'CONNECT_TIMEOUT' };
    case 'ERROR':
      return { ms: t.errorRetryMs, input: 'RETRY' };
    case 'SETUP':
      return { ms: t.setupMs, input: 'SETUP_TIMEOUT' };
    case 'SPEAKING':
      return { ms: t.speakingMs, input: 'SPEECH_DONE' };
    default:
      return undefined;
  }
}

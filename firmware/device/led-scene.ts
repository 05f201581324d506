import type { LedPattern } from '../leds/patterns.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';

export interface SceneContext {
  readonly micOn: boolean;
  /** A timer or alarm is ringing, or a notification waits. */
  readonly notification: boolean;
  /** Trio: a call is in progress. */
  readonly callActive: boolean;
}

/**
 * What the ring shows for a state (docs/light-ring.md#states). Solid red wins whenever the microphones are off,
 * except in setup (orange, so setup can be seen) and error (violet): a muted device must never look
 * like one that could be listening.
 */
export function patternFor(state: DeviceState, ctx: SceneContext): LedPattern {
  switch (state) {
    case 'BOOTING':
      return 'booting';
    case 'SETUP':
      return 'setup';
    case 'ERROR':
      return 'error';
    case 'LISTENING':
      return 'listening';
    case 'THINKING':
      return 'thinking';
    case 'SPEAKING':
      return ctx.micOn ? 'speaking' : 'mic-off';
    case 'MIC_OFF':
      return 'mic-off';
    case 'CONNECTING':
      return ctx.micOn ? 'connecting' : 'mic-off';
    case 'IDLE':
      if (!ctx.micOn) return 'mic-off';
      if (ctx.notification) return 'notification';
      return ctx.callActive ? 'call-active' : 'off';
  }
}

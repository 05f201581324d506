import type { ButtonName } from '../../hal/buttons/types.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { ButtonAction } from './types.js';

export type ButtonIntent =
  | 'toggle-mic'
  | 'push-to-talk'
  | 'cancel'
  | 'dismiss-notification'
  | 'enter-setup'
  | 'leave-setup'
  | 'volume-up'
  | 'volume-down'
  | 'toggle-call';

export interface IntentContext {
  readonly micOn: boolean;
  readonly ringing: boolean;
}

/**
 * What a button does, decided from the press and the state, before anything happens:
 * - mic-off (Trio: mute) acts on the way down, at once, whatever the state: privacy first;
 * - action: a click dismisses a ringing timer or alarm, else is push-to-talk when idle, stops an
 *   interaction in progress, or leaves setup; holding it 7 s enters setup;
 * - volume buttons act on the way down;
 * - call (Trio) toggles a call.
 * Returns undefined (with the reason) when the press does nothing in this state.
 */
export function buttonIntent(
  button: ButtonName,
  action: ButtonAction,
  state: DeviceState,
  ctx: IntentContext,
): { intent: ButtonIntent } | { ignored: string } | undefined {
  switch (button) {
    case 'mic-off':
    case 'mute':
      return action === 'down' ? { intent: 'toggle-mic' } : undefined;
    case 'volume-up':
      return action === 'down' ? { intent: 'volume-up' } : undefined;
    case 'volume-down':
      return action === 'down' ? { intent: 'volume-down' } : undefined;
    case 'call':
      return action === 'click' ? { intent: 'toggle-call' } : undefined;
    case 'action':
      if (action === 'hold') return { intent: 'enter-setup' };
      if (action !== 'click') return undefined;
      if (ctx.ringing) return { intent: 'dismiss-notification' };
      switch (state) {
        case 'IDLE':
          return { intent: 'push-to-talk' };
        case 'MIC_OFF':
          return { ignored: 'microphones are off: push-to-talk is ignored' };
        case 'LISTENING':
        case 'THINKING':
        case 'SPEAKING':
          return { intent: 'cancel' };
        case 'SETUP':
          return { intent: 'leave-setup' };
        default:
          return { ignored: `nothing to do in ${state}` };
      }
  }
}

import type { Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import type { ButtonName } from '../../hal/buttons/types.js';
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { Subscriptions } from '../../core/subscriptions.js';
import { ButtonInput } from '../buttons/button-input.js';
import type { DeviceModel } from '../device-model.js';
import { buttonIntent, type ButtonIntent } from './button-intents.js';
import type { ButtonAction, DeviceEvents } from './types.js';

/** What the buttons need from the device that owns them: what an intent depends on and what it does. */
export interface ButtonActionsHost {
  readonly clock: Clock;
  readonly model: Pick<DeviceModel, 'id' | 'buttons'>;
  state(): DeviceState;
  microphonesOn(): boolean;
  /** A timer or alarm is ringing. */
  ringing(): boolean;
  emit(event: 'button', press: DeviceEvents['button'][0]): void;
  refuse(request: string, err: EchosimError): void;
  dispatch(input: DeviceInput, detail: string): void;
  /** The mic-off switch (mic-privacy.ts). */
  toggleMicrophones(): void;
  pushToTalk(): void;
  dismissRinging(): void;
  stepVolume(step: 1 | -1): void;
  updateLeds(): void;
}

/**
 * The device's buttons: raw edges in (debounced and recognised by ButtonInput), each gesture decided
 * into an intent for the state it came in (button-intents.ts), reported as a `button` event with its
 * effect, and carried out. Holds the two things only the buttons change: whether a call is active
 * (Trio) and whether the room profile disabled setup mode.
 */
export class ButtonActions {
  /** Room profile SetupModeDisabled: holding action does not enter setup. */
  setupModeDisabled: boolean;
  private active = false;
  private readonly input: ButtonInput;

  constructor(
    private readonly host: ButtonActionsHost,
    setupModeDisabled: boolean,
  ) {
    this.setupModeDisabled = setupModeDisabled;
    this.input = new ButtonInput(host.clock);
  }

  /** Trio: a call is in progress (the call button toggles it). */
  get callActive(): boolean {
    return this.active;
  }

  /** A raw (undebounced) edge from a driver; a button the model does not have is refused. */
  edge(e: { button: ButtonName; pressed: boolean; at?: number }): void {
    if (!this.host.model.buttons.includes(e.button)) {
      this.host.refuse(`button ${e.button}`, new EchosimError('BUTTON_UNKNOWN', `${this.host.model.id} has no ${e.button} button`));
      return;
    }
    this.input.edge({ button: e.button, pressed: e.pressed, at: e.at ?? this.host.clock.now() });
  }

  wire(subs: Subscriptions): void {
    subs.on(this.input, 'down', (e) => this.onButton(e.button, 'down', e.at));
    subs.on(this.input, 'up', (e) => this.onButton(e.button, 'up', e.at));
    subs.on(this.input, 'click', (e) => this.onButton(e.button, 'click', e.at));
    subs.on(this.input, 'hold', (e) => this.onButton(e.button, 'hold', e.at));
  }

  stop(): void {
    this.input.stop();
  }

  private onButton(button: ButtonName, action: ButtonAction, at: number): void {
    const decided = buttonIntent(button, action, this.host.state(), { micOn: this.host.microphonesOn(), ringing: this.host.ringing() });
    if (!decided) return;
    if ('ignored' in decided) {
      this.host.emit('button', { button, action, at, effect: `ignored: ${decided.ignored}` });
      return;
    }
    this.host.emit('button', { button, action, at, effect: decided.intent });
    this.perform(decided.intent);
  }

  private perform(intent: ButtonIntent): void {
    switch (intent) {
      case 'toggle-mic':
        return this.host.toggleMicrophones();
      case 'push-to-talk':
        return this.host.pushToTalk();
      case 'cancel':
        return this.host.dispatch('CANCEL', 'action button');
      case 'dismiss-notification':
        return this.host.dismissRinging();
      case 'enter-setup':
        if (this.setupModeDisabled) {
          this.host.refuse('setup mode', new EchosimError('SETUP_MODE_DISABLED', 'setup mode is disabled by the room profile (SetupModeDisabled)'));
          return;
        }
        return this.host.dispatch('SETUP_REQUESTED', 'action held');
      case 'leave-setup':
        return this.host.dispatch('SETUP_DONE', 'action button');
      case 'volume-up':
      case 'volume-down':
        return this.host.stepVolume(intent === 'volume-up' ? 1 : -1);
      case 'toggle-call':
        this.active = !this.active;
        this.host.updateLeds();
        return;
    }
  }
}

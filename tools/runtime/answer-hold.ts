import type { DeviceState } from '../../cloud-link/protocol/device-states.js';

/** What holding device time for the cloud's answer reads of the device and its link. */
export interface AnswerHoldView {
  readonly device: {
    readonly state: DeviceState;
    on(event: 'state', listener: () => void): unknown;
    off(event: 'state', listener: () => void): unknown;
  };
  readonly link: { readonly connected: boolean };
}

/** The longest real time device time is held for one answer (the recognizer's own decode bound). */
export const ANSWER_HOLD_MS = 10_000;

/**
 * In a run faster than real time (`--fast`), device time is audio time and races ahead of the cloud,
 * which answers in real time: the device would give up THINKING (5 s of device time) long before a
 * spoken answer (recognition and synthesis, most of a second of real time) can arrive. Awaited
 * before each step of device time, this holds device time still while the device is THINKING with
 * its link up, until it leaves THINKING (the answer, the error tone when the link drops), at most
 * `maxMs` of real time per request; a request whose answer is that late then times out as on a real
 * device. Real-time runs need none of this. (The harness's CloudGate does the same for simulations.)
 */
export class AnswerHold {
  private givenUp = false;
  private readonly onState = (): void => {
    if (this.view.device.state !== 'THINKING') this.givenUp = false;
  };

  constructor(
    private readonly view: AnswerHoldView,
    private readonly maxMs = ANSWER_HOLD_MS,
  ) {
    view.device.on('state', this.onState);
  }

  async beforeStep(): Promise<void> {
    const { device, link } = this.view;
    if (device.state !== 'THINKING' || !link.connected || this.givenUp) return;
    const left = await new Promise<boolean>((resolve) => {
      const done = (leftThinking: boolean): void => {
        clearTimeout(timer);
        device.off('state', onState);
        resolve(leftThinking);
      };
      const onState = (): void => void (device.state !== 'THINKING' && done(true));
      const timer = setTimeout(() => done(false), this.maxMs);
      device.on('state', onState);
    });
    if (!left) this.givenUp = true;
  }

  close(): void {
    this.view.device.off('state', this.onState);
  }
}

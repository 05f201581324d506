import type { Clock } from '../../core/clock.js';
import { isEchosimError, type EchosimError } from '../../core/errors.js';
import { describeCorruptSlot, type SettingsStore } from '../../core/settings-store.js';
import type { MicPowerSwitch } from '../../hal/mic/mic-power.js';
import { openPrivacyStore, type PrivacyState } from './privacy-store.js';
import type { DeviceEvents } from './types.js';

/** What MicPrivacy needs from the device that owns it. */
export interface MicPrivacyHost {
  readonly clock: Clock;
  /** Drops every sample the device holds (mic-path.ts). */
  forgetAudio(): void;
  emit(event: 'microphones', change: DeviceEvents['microphones'][0]): void;
  dispatch(input: 'MIC_OFF' | 'MIC_ON', detail: string): void;
  updateLeds(): void;
  warn(code: string, message: string): void;
  refuse(request: string, err: EchosimError): void;
}

/**
 * The mic-off switch's consequences (docs/privacy.md#mic-off): its position kept on flash so a device
 * muted before a power cut comes back muted (privacy-store.ts), and what turning the microphones off or
 * on does to the device, in the hardware's order: power is already cut (the switch), then nothing held
 * may survive, then the event, the state machine and the ring. Software may turn them off, never on.
 */
export class MicPrivacy {
  private readonly store: SettingsStore<PrivacyState>;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly mic: MicPowerSwitch,
    dataDir: string,
    private readonly host: MicPrivacyHost,
  ) {
    this.store = openPrivacyStore(dataDir);
  }

  /** At boot: the switch goes where it was left (a corrupt store is reported and read as on). */
  restore(): void {
    const privacy = this.store.load();
    for (const c of privacy.corrupt) this.host.warn('SETTINGS_INVALID', describeCorruptSlot('privacy store', c, privacy.source));
    if (privacy.value.microphonesOff) {
      this.mic.request(false, 'boot');
      this.host.emit('microphones', { on: false, at: this.host.clock.now(), origin: 'boot' });
    }
  }

  /** The mic-off (Trio: mute) button. */
  toggle(): void {
    if (this.mic.toggle()) this.wentOn();
    else this.wentOff('button');
  }

  /**
   * A software request (cloud command, API, profile). Turning them off is honoured; turning them on
   * is refused with MIC_OFF_HARDWARE_ONLY (a `refused` event, and thrown).
   */
  request(on: boolean, origin: string): void {
    try {
      const wasOn = this.mic.on;
      this.mic.request(on);
      if (wasOn && !this.mic.on) this.wentOff('software');
    } catch (err) {
      if (isEchosimError(err)) this.host.refuse(`microphones on (${origin})`, err);
      throw err;
    }
  }

  /** Resolves once every position switched to so far is on flash (or reported as not saved). */
  saved(): Promise<void> {
    return this.saving;
  }

  private wentOff(origin: 'button' | 'software'): void {
    this.host.forgetAudio();
    this.persist(true);
    this.host.emit('microphones', { on: false, at: this.host.clock.now(), origin });
    this.host.dispatch('MIC_OFF', origin);
    this.host.updateLeds();
  }

  private wentOn(): void {
    this.persist(false);
    this.host.emit('microphones', { on: true, at: this.host.clock.now(), origin: 'button' });
    this.host.dispatch('MIC_ON', 'button');
    this.host.updateLeds();
  }

  private persist(off: boolean): void {
    this.saving = this.saving
      .then(() => this.store.save({ microphonesOff: off }))
      .catch((err: unknown) => this.host.warn('SETTINGS_INVALID', `could not save the mic switch: ${String(err)}`));
  }
}

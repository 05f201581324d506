import { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { MicPowerSwitch } from '../../hal/mic/mic-power.js';
import type { MicFrame } from '../../hal/mic/types.js';
import type { ButtonName } from '../../hal/buttons/types.js';
import { NullSpeakerDriver } from '../../hal/speaker/null.js';
import { AudioFrontEnd } from '../audio/front-end.js';
import type { DeviceModel } from '../device-model.js';
import type { DeviceSettings } from '../features/device-settings.js';
import { LocalFeatures, type ResetFeature, type ResetReport } from '../features/local-features.js';
import { LedRing } from '../leds/led-ring.js';
import { Speaker } from '../speaker/speaker.js';
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';
import { DeviceStateMachine, type Transition } from '../state/state-machine.js';
import { ButtonActions } from './button-actions.js';
import { relayPartEvents } from './event-relay.js';
import { patternFor } from './led-scene.js';
import type { DeviceControl } from './device-control.js';
import { Interaction } from './interaction.js';
import { MicPath } from './mic-path.js';
import { MicPrivacy } from './mic-privacy.js';
import { NotificationRinging } from './notification-ringing.js';
import type { DeviceEvents, DeviceOptions } from './types.js';
import { Subscriptions } from '../../core/subscriptions.js';
import { wakeWordSwitchFor, type WakeWordSwitch } from './wake-word-switch.js';

/** States in which nothing is left in progress once the audio has ended. */
const SETTLED_STATES: ReadonlySet<DeviceState> = new Set(['IDLE', 'MIC_OFF', 'SETUP', 'ERROR']);

/**
 * One Echo- or Trio-class device: the microphone switch, the audio front end, the state machine, the
 * light ring, buttons, speaker, local features and the cloud link wired together. Audio comes in
 * through `pushFrame` (an AudioFeeder feeds it from a microphone source), button edges through
 * `buttonEdge`, and everything the device does comes out as typed events.
 *
 * Its cloud link sees it as a DeviceControl (device-control.ts). Each concern is a part that sees the
 * device only through a narrow host built here: a frame's way in (mic-path.ts), the mic-off switch
 * (mic-privacy.ts), the buttons (button-actions.ts), ringing timers and alarms (notification-ringing.ts),
 * a request (interaction.ts, over an InteractionHost); event-relay.ts restates the parts' events. The
 * parts left readonly public are the ones callers observe: the audio pipeline (`frontEnd`: its ring
 * buffer and stream events), the microphone switch (`mic`), the light ring (`leds`) and the speaker.
 */
export class Device extends EventEmitter<DeviceEvents> implements DeviceControl {
  readonly model: DeviceModel;
  readonly clock: Clock;
  readonly frontEnd: AudioFrontEnd;
  readonly leds: LedRing;
  readonly speaker: Speaker;
  readonly mic: MicPowerSwitch;
  /** Switches the spotter's word (a room profile's WakeWord); undefined when it cannot switch. */
  readonly wakeWord: WakeWordSwitch | undefined;
  private readonly machine: DeviceStateMachine;
  private readonly buttons: ButtonActions;
  private readonly notifications: NotificationRinging;
  private featureStore: LocalFeatures | undefined;
  private readonly interaction: Interaction;
  private readonly privacy: MicPrivacy;
  private readonly micPath: MicPath;
  private readonly subs = new Subscriptions();
  private readonly log: Logger;
  private linkUp = false;
  private running = false;

  constructor(private readonly options: DeviceOptions) {
    super();
    this.model = options.model;
    this.clock = options.clock;
    this.log = options.log ?? rootLogger().child({ component: 'device', model: options.model.id });
    this.mic = new MicPowerSwitch(true);
    this.machine = new DeviceStateMachine(this.clock, () => this.guardContext(), options.timeouts);
    this.frontEnd = new AudioFrontEnd({
      engine: options.engine,
      ...(options.vad ? { vad: options.vad } : {}),
      ...(options.endpointer ? { endpointer: options.endpointer } : {}),
      ...(options.maxStreamSamples ? { maxStreamSamples: options.maxStreamSamples } : {}),
      acceptDetection: () => this.mic.on && this.machine.state === 'IDLE',
    });
    this.leds = new LedRing({ ledCount: options.model.leds.count, clock: this.clock, renderers: options.leds ?? [], fps: options.ledFps ?? 20 });
    this.speaker = new Speaker({ driver: options.speaker ?? new NullSpeakerDriver(), clock: this.clock, maxVolume: options.maxVolumeLimit ?? 10 });
    // What the parts' hosts share: device time, the device's events, the state machine, the ring, ringing.
    const host = {
      clock: this.clock,
      state: () => this.state,
      microphonesOn: () => this.mic.on,
      emit: <K extends keyof DeviceEvents>(event: K, ...args: DeviceEvents[K]) => void (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      dispatch: (input: DeviceInput, detail?: string) => this.dispatch(input, detail),
      warn: (code: string, message: string) => this.warn(code, message),
      refuse: (request: string, err: EchosimError) => this.refuse(request, err),
      updateLeds: () => this.updateLeds(),
      ringing: () => this.notifications.ringing,
      dismissRinging: () => this.notifications.dismiss(),
    };
    this.privacy = new MicPrivacy(this.mic, options.dataDir, { ...host, forgetAudio: () => this.micPath.forget() });
    this.micPath = new MicPath(this.mic, this.frontEnd, options.model.micPositions, options.channelPolicy ?? { kind: 'channel', index: 0 }, (estimate) => {
      if (this.state === 'LISTENING') this.interaction.pointAt(estimate);
    });
    this.notifications = new NotificationRinging({ ...host, log: this.log, chime: () => void this.interaction.playEarcon('chime') });
    this.buttons = new ButtonActions(
      {
        ...host,
        model: this.model,
        toggleMicrophones: () => this.privacy.toggle(),
        pushToTalk: () => this.interaction.pushToTalk(),
        stepVolume: (step) => this.interaction.stepVolume(step),
      },
      options.setupModeDisabled ?? false,
    );
    this.interaction = new Interaction(
      {
        ...host,
        frontEnd: this.frontEnd,
        speaker: this.speaker,
        leds: this.leds,
        features: () => this.features,
        direction: () => this.micPath.direction,
        accepts: (input) => this.machine.accepts(input),
        linkUp: () => this.linkChanged(true),
        linkDown: (reason) => this.linkChanged(false, reason),
      },
      options.link,
    );
    this.wakeWord = wakeWordSwitchFor(options.engine, options.wakeWords, {
      listening: () => this.state === 'LISTENING' || this.frontEnd.streaming,
      changed: (c) => {
        this.log.info({ keywords: c.keywords, wakeWord: c.wakeWord, deferred: c.deferred }, 'wake word switched');
        this.emit('wake-word', c);
      },
      now: () => this.clock.now(),
    });
  }

  get state(): DeviceState {
    return this.machine.state;
  }

  get features(): LocalFeatures {
    if (!this.featureStore) throw new EchosimError('DEVICE_NOT_RUNNING', 'the device has not booted', { hint: 'Call boot() first.' });
    return this.featureStore;
  }

  get falseWakes(): number {
    return this.interaction.falseWakes;
  }

  get volume(): number {
    return this.speaker.volume;
  }

  get maxVolume(): number {
    return this.speaker.maxVolume;
  }

  get microphonesOn(): boolean {
    return this.mic.on;
  }

  /** The device's settings (a local feature); throws DEVICE_NOT_RUNNING before boot. */
  get settings(): DeviceSettings {
    return this.features.settings;
  }

  /**
   * Nothing in progress: no request (IDLE, MIC_OFF, SETUP or ERROR), nothing playing or ringing.
   * What a feeder waits for after the audio ends.
   */
  get settled(): boolean {
    return SETTLED_STATES.has(this.state) && !this.speaker.playing && !this.notifications.ringing;
  }

  /** Whether the state machine would take `input` now. */
  accepts(input: DeviceInput): boolean {
    return this.machine.accepts(input);
  }

  /** Loads the flash, starts the ring and leaves BOOTING for SETUP, CONNECTING or IDLE. */
  async boot(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.leds.start();
    this.updateLeds();
    this.privacy.restore();
    this.featureStore = await LocalFeatures.open({ dir: this.options.dataDir, clock: this.clock, log: this.log });
    this.speaker.setVolume(this.featureStore.volume.get());
    this.wire(this.featureStore);
    const link = this.options.link;
    if (this.options.offline) this.dispatch('BOOTED_OFFLINE');
    else if (link) {
      this.dispatch('BOOTED_CONFIGURED');
      if (link.connected) this.linkChanged(true);
    } else this.dispatch('BOOTED_UNCONFIGURED');
  }

  /** One frame from the microphone array. While the microphones are off nothing gets past the switch. */
  async pushFrame(frame: MicFrame): Promise<void> {
    if (!this.running) throw new EchosimError('DEVICE_NOT_RUNNING', 'audio pushed to a device that is not running', { hint: 'Boot the device first.' });
    await this.micPath.push(frame);
  }

  /** The microphone source has ended: close any stream where it stands. */
  async endOfAudio(): Promise<void> {
    await this.frontEnd.end();
  }

  /** A raw (undebounced) button edge from a driver. */
  buttonEdge(e: { button: ButtonName; pressed: boolean; at?: number }): void {
    this.buttons.edge(e);
  }

  /**
   * A software request to switch the microphones (cloud command, API, profile). Turning them off is
   * honoured; turning them on is refused with MIC_OFF_HARDWARE_ONLY: only the button does that.
   */
  requestMicrophones(on: boolean, origin = 'software'): void {
    this.privacy.request(on, origin);
  }

  /** Alexa for Business StartDeviceSync: clears exactly the named features. */
  async reset(features: readonly string[]): Promise<ResetReport> {
    const report = await this.features.reset(features as ResetFeature[]);
    if (report.cleared.includes('VOLUME')) this.speaker.setVolume(this.features.volume.get());
    if (report.cleared.includes('NOTIFICATIONS')) this.notifications.cancelAll();
    this.updateLeds();
    return report;
  }

  /** Sets the speaker's volume as the volume buttons do (ring, tone, flash); returns the level in force. */
  setVolume(level: number): number {
    return this.interaction.setVolume(level);
  }

  /** Room profile MaxVolumeLimit. */
  setMaxVolumeLimit(limit: number): void {
    this.speaker.setMaxVolume(limit);
  }

  /** Room profile SetupModeDisabled. */
  setSetupModeDisabled(disabled: boolean): void {
    this.buttons.setupModeDisabled = disabled;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.frontEnd.cancel('cancelled');
    this.machine.stop();
    this.notifications.cancelAll();
    this.buttons.stop();
    this.speaker.stopAll();
    this.subs.removeAll();
    await this.leds.stop();
    await this.privacy.saved();
    await this.featureStore?.close();
    await this.options.speaker?.close();
    this.frontEnd.removeAllListeners();
  }

  // ---- internals ------------------------------------------------------------------------------

  private dispatch(input: DeviceInput, detail?: string): DeviceState {
    return this.machine.dispatch(input, detail);
  }

  private guardContext(): { micOn: boolean; linkUp: boolean; offline: boolean; configured: boolean } {
    return { micOn: this.mic.on, linkUp: this.linkUp, offline: this.options.offline === true, configured: this.options.link !== undefined };
  }

  private updateLeds(): void {
    this.leds.setPattern(patternFor(this.state, { micOn: this.mic.on, notification: this.notifications.ringing, callActive: this.buttons.callActive }));
  }

  private warn(code: string, message: string): void {
    this.log.warn({ code }, message);
    this.emit('warning', { code, message, at: this.clock.now() });
  }

  private refuse(request: string, err: EchosimError): void {
    this.log.info({ code: err.code, request }, err.message);
    this.emit('refused', { request, code: err.code, message: err.message, at: this.clock.now() });
  }

  private linkChanged(up: boolean, reason?: string): void {
    this.linkUp = up;
    this.dispatch(up ? 'LINK_UP' : 'LINK_DOWN', reason);
  }

  private wire(features: LocalFeatures): void {
    relayPartEvents(this, { clock: this.clock, machine: this.machine, speaker: this.speaker, leds: this.leds, features, warn: (c, m) => this.warn(c, m) }, this.subs);
    this.subs.on(this.machine, 'transition', (t: Transition) => this.interaction.onTransition(t));
    this.subs.on(this.machine, 'transition', () => this.updateLeds());
    // A wake-word switch asked for during a request is made once the request is over.
    this.subs.on(this.machine, 'transition', (t: Transition) => void (t.from === 'LISTENING' && this.wakeWord?.requestEnded()));
    this.subs.on(this.frontEnd, 'stream-end', () => this.wakeWord?.requestEnded());
    this.buttons.wire(this.subs);
    this.notifications.wire(features, this.subs);
    this.interaction.wire(this.subs);
  }
}

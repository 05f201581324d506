import { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import { EchosimError, isEchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { toMono } from '../../hal/mic/channel-policy.js';
import { MicPowerSwitch } from '../../hal/mic/mic-power.js';
import type { ChannelPolicy, MicFrame } from '../../hal/mic/types.js';
import { canSwitchKeywords } from '../../models/wakeword/types.js';
import { NullSpeakerDriver } from '../../hal/speaker/null.js';
import { AudioFrontEnd } from '../audio/front-end.js';
import { ButtonInput } from '../buttons/button-input.js';
import type { DeviceModel } from '../device-model.js';
import type { DeviceSettings } from '../features/device-settings.js';
import { LocalFeatures, type ResetFeature, type ResetReport } from '../features/local-features.js';
import { LedRing } from '../leds/led-ring.js';
import { Speaker } from '../speaker/speaker.js';
import type { DeviceInput, DeviceState } from '../../cloud-link/protocol/device-states.js';
import { DeviceStateMachine, type Transition } from '../state/state-machine.js';
import { describeCorruptSlot, type SettingsStore } from '../../core/settings-store.js';
import { buttonIntent, type ButtonIntent } from './button-intents.js';
import { DirectionTracker } from './direction.js';
import { patternFor } from './led-scene.js';
import type { DeviceControl } from './device-control.js';
import { Interaction } from './interaction.js';
import type { InteractionHost } from './interaction-host.js';
import { openPrivacyStore, type PrivacyState } from './privacy-store.js';
import { Ringer } from './ringer.js';
import type { DeviceEvents, DeviceOptions } from './types.js';
import { Subscriptions } from '../../core/subscriptions.js';
import { WakeWordSwitch } from './wake-word-switch.js';

/**
 * One Echo- or Trio-class device: the microphone switch, the audio front end, the state machine, the
 * light ring, buttons, speaker, local features and the cloud link wired together. Audio comes in
 * through `pushFrame` (an AudioFeeder feeds it from a microphone source), button edges through
 * `buttonEdge`, and everything the device does comes out as typed events.
 *
 * Its cloud link sees it as a DeviceControl (device-control.ts) and its Interaction as an
 * InteractionHost (interaction-host.ts), built here over private parts. The parts left readonly
 * public are the ones callers observe: the audio pipeline (`frontEnd`: its ring buffer and stream
 * events), the microphone switch (`mic`), the light ring (`leds`, its current frame) and the speaker.
 */
/** States in which nothing is left in progress once the audio has ended. */
const SETTLED_STATES: ReadonlySet<DeviceState> = new Set(['IDLE', 'MIC_OFF', 'SETUP', 'ERROR']);

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
  private readonly buttons: ButtonInput;
  private readonly ringer: Ringer;
  private featureStore: LocalFeatures | undefined;
  private readonly interaction: Interaction;
  private readonly privacy: SettingsStore<PrivacyState>;
  private direction: DirectionTracker | undefined;
  private readonly subs = new Subscriptions();
  private readonly policy: ChannelPolicy;
  private readonly log: Logger;
  private mono: Int16Array | undefined;
  private linkUp = false;
  private callActive = false;
  private running = false;
  private setupModeDisabled: boolean;
  private privacySaving: Promise<void> = Promise.resolve();

  constructor(private readonly options: DeviceOptions) {
    super();
    this.model = options.model;
    this.clock = options.clock;
    this.log = options.log ?? rootLogger().child({ component: 'device', model: options.model.id });
    this.policy = options.channelPolicy ?? { kind: 'channel', index: 0 };
    this.setupModeDisabled = options.setupModeDisabled ?? false;
    this.privacy = openPrivacyStore(options.dataDir);
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
    this.buttons = new ButtonInput(this.clock);
    this.ringer = new Ringer(
      this.clock,
      () => void this.interaction.playEarcon('chime'),
      (items, why) => {
        for (const item of items) this.emit('notification', { ...item, at: this.clock.now(), action: 'dismissed' });
        this.log.info({ items: items.length, why }, 'notification stopped');
        this.updateLeds();
      },
    );
    this.interaction = new Interaction(this.interactionHost(), options.link);
    const engine = options.engine;
    this.wakeWord =
      options.wakeWords && canSwitchKeywords(engine)
        ? new WakeWordSwitch(engine, options.wakeWords, {
            listening: () => this.state === 'LISTENING' || this.frontEnd.streaming,
            changed: (c) => {
              this.log.info({ keywords: c.keywords, wakeWord: c.wakeWord, deferred: c.deferred }, 'wake word switched');
              this.emit('wake-word', c);
            },
            now: () => this.clock.now(),
          })
        : undefined;
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
    return SETTLED_STATES.has(this.state) && !this.speaker.playing && !this.ringer.ringing;
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
    const privacy = this.privacy.load();
    for (const c of privacy.corrupt) this.warn('SETTINGS_INVALID', describeCorruptSlot('privacy store', c, privacy.source));
    if (privacy.value.microphonesOff) {
      this.mic.request(false, 'boot');
      this.emit('microphones', { on: false, at: this.clock.now(), origin: 'boot' });
    }
    this.featureStore = await LocalFeatures.open({ dir: this.options.dataDir, clock: this.clock, log: this.log });
    this.speaker.setVolume(this.featureStore.volume.get());
    this.wire(this.featureStore);
    const link = this.options.link;
    if (this.options.offline) this.dispatch('BOOTED_OFFLINE');
    else if (link) {
      this.dispatch('BOOTED_CONFIGURED');
      if (link.connected) this.onLinkUp();
    } else this.dispatch('BOOTED_UNCONFIGURED');
  }

  /** One frame from the microphone array. While the microphones are off nothing gets past the switch. */
  async pushFrame(frame: MicFrame): Promise<void> {
    if (!this.running) throw new EchosimError('DEVICE_NOT_RUNNING', 'audio pushed to a device that is not running', { hint: 'Boot the device first.' });
    const live = this.mic.pass(frame);
    if (!live) return;
    if (!this.direction && live.channels >= 2 && DirectionTracker.usable(live.channels, this.model.micPositions)) {
      this.direction = new DirectionTracker(live.channels, this.model.micPositions);
    }
    if (this.direction) {
      const estimate = this.direction.write(live);
      if (estimate && this.state === 'LISTENING') this.interaction.pointAt(estimate);
    }
    const n = live.samples.length / live.channels;
    if (!this.mono || this.mono.length !== n) this.mono = new Int16Array(n);
    await this.frontEnd.push(toMono(live, this.policy, this.mono));
  }

  /** The microphone source has ended: close any stream where it stands. */
  async endOfAudio(): Promise<void> {
    await this.frontEnd.end();
  }

  /** A raw (undebounced) button edge from a driver. */
  buttonEdge(e: { button: Parameters<typeof buttonIntent>[0]; pressed: boolean; at?: number }): void {
    if (!this.model.buttons.includes(e.button)) {
      this.refuse(`button ${e.button}`, new EchosimError('BUTTON_UNKNOWN', `${this.model.id} has no ${e.button} button`));
      return;
    }
    this.buttons.edge({ button: e.button, pressed: e.pressed, at: e.at ?? this.clock.now() });
  }

  /**
   * A software request to switch the microphones (cloud command, API, profile). Turning them off is
   * honoured; turning them on is refused with MIC_OFF_HARDWARE_ONLY: only the button does that.
   */
  requestMicrophones(on: boolean, origin = 'software'): void {
    try {
      const wasOn = this.mic.on;
      this.mic.request(on);
      if (wasOn && !this.mic.on) this.microphonesWentOff('software');
    } catch (err) {
      if (isEchosimError(err)) this.refuse(`microphones on (${origin})`, err);
      throw err;
    }
  }

  /** Alexa for Business StartDeviceSync: clears exactly the named features. */
  async reset(features: readonly string[]): Promise<ResetReport> {
    const report = await this.features.reset(features as ResetFeature[]);
    if (report.cleared.includes('VOLUME')) this.speaker.setVolume(this.features.volume.get());
    if (report.cleared.includes('NOTIFICATIONS')) this.ringer.cancelAll();
    this.updateLeds();
    return report;
  }

  /** Room profile limits the device applies locally. */
  /** Sets the speaker's volume as the volume buttons do (ring, tone, flash); returns the level in force. */
  setVolume(level: number): number {
    return this.interaction.setVolume(level);
  }

  setMaxVolumeLimit(limit: number): void {
    this.speaker.setMaxVolume(limit);
  }

  setSetupModeDisabled(disabled: boolean): void {
    this.setupModeDisabled = disabled;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.frontEnd.cancel('cancelled');
    this.machine.stop();
    this.ringer.cancelAll();
    this.buttons.stop();
    this.speaker.stopAll();
    this.subs.removeAll();
    await this.leds.stop();
    await this.privacySaving;
    await this.featureStore?.close();
    await this.options.speaker?.close();
    this.frontEnd.removeAllListeners();
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The Interaction's view of this device: only what a request needs, over the private parts. */
  private interactionHost(): InteractionHost {
    return {
      clock: this.clock,
      frontEnd: this.frontEnd,
      speaker: this.speaker,
      leds: this.leds,
      state: () => this.state,
      microphonesOn: () => this.mic.on,
      features: () => this.features,
      direction: () => this.direction,
      dispatch: (input, detail) => this.dispatch(input, detail),
      accepts: (input) => this.machine.accepts(input),
      emit: (event, ...args) => void (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      warn: (code, message) => this.warn(code, message),
      linkUp: () => this.onLinkUp(),
      linkDown: (reason) => this.onLinkDown(reason),
    };
  }

  private dispatch(input: DeviceInput, detail?: string): DeviceState {
    return this.machine.dispatch(input, detail);
  }

  private guardContext(): { micOn: boolean; linkUp: boolean; offline: boolean; configured: boolean } {
    return { micOn: this.mic.on, linkUp: this.linkUp, offline: this.options.offline === true, configured: this.options.link !== undefined };
  }

  private updateLeds(): void {
    this.leds.setPattern(patternFor(this.state, { micOn: this.mic.on, notification: this.ringer.ringing, callActive: this.callActive }));
  }

  private warn(code: string, message: string): void {
    this.log.warn({ code }, message);
    this.emit('warning', { code, message, at: this.clock.now() });
  }

  private refuse(request: string, err: EchosimError): void {
    this.log.info({ code: err.code, request }, err.message);
    this.emit('refused', { request, code: err.code, message: err.message, at: this.clock.now() });
  }

  private onLinkUp(): void {
    this.linkUp = true;
    this.dispatch('LINK_UP');
  }

  private onLinkDown(reason: string): void {
    this.linkUp = false;
    this.dispatch('LINK_DOWN', reason);
  }

  // ---- wiring --------------------------------------------------------------------------------

  /**
   * The ring's frames become 'leds' events once anyone listens for them. Until then nothing is
   * forwarded, so a headless device's ring (no renderer, as in a fleet) parks its 20 fps tick.
   */
  private forwardLedFramesWhenWatched(): void {
    let forwarding = false;
    const forward = (): void => {
      if (forwarding) return;
      forwarding = true;
      this.subs.on(this.leds, 'frame', (f) => this.emit('leds', f));
    };
    if (this.listenerCount('leds') > 0) forward();
    else {
      const self = this as EventEmitter;
      const onNew = (event: string | symbol): void => void (event === 'leds' && forward());
      self.on('newListener', onNew);
      this.subs.add(() => self.off('newListener', onNew));
    }
  }

  private wire(features: LocalFeatures): void {
    this.subs.on(this.machine, 'transition', (t: Transition) => this.emit('state', t));
    this.subs.on(this.machine, 'transition', (t: Transition) => this.interaction.onTransition(t));
    this.subs.on(this.machine, 'transition', () => this.updateLeds());
    // A wake-word switch asked for during a request is made once the request is over.
    this.subs.on(this.machine, 'transition', (t: Transition) => void (t.from === 'LISTENING' && this.wakeWord?.requestEnded()));
    this.subs.on(this.frontEnd, 'stream-end', () => this.wakeWord?.requestEnded());
    this.forwardLedFramesWhenWatched();
    this.subs.on(this.buttons, 'down', (e) => this.onButton(e.button, 'down', e.at));
    this.subs.on(this.buttons, 'up', (e) => this.onButton(e.button, 'up', e.at));
    this.subs.on(this.buttons, 'click', (e) => this.onButton(e.button, 'click', e.at));
    this.subs.on(this.buttons, 'hold', (e) => this.onButton(e.button, 'hold', e.at));
    this.subs.on(this.speaker, 'volume', (v) => this.emit('volume', { ...v, at: this.clock.now() }));
    this.subs.on(this.speaker, 'play', (p) => this.emit('sound', { label: p.label, at: p.at, durationMs: p.durationMs }));
    this.subs.on(features, 'timer-fired', ({ timer }) => this.ring('timer', timer.id, timer.label));
    this.subs.on(features, 'alarm-fired', ({ alarm }) => this.ring('alarm', alarm.id, alarm.label));
    this.subs.on(features, 'missed', ({ kind, item }) =>
      this.emit('notification', { kind, id: item.id, ...(item.label ? { label: item.label } : {}), at: this.clock.now(), action: 'missed' }),
    );
    this.subs.on(features, 'storage-corrupt', (c) => this.warn('SETTINGS_INVALID', `${c.store} slot ${c.slot}: ${c.reason}`));
    this.interaction.wire(this.subs);
  }

  private ring(kind: 'timer' | 'alarm', id: string, label: string | undefined): void {
    this.ringer.ring({ kind, id, ...(label ? { label } : {}) });
    this.emit('notification', { kind, id, ...(label ? { label } : {}), at: this.clock.now(), action: 'ringing' });
    this.updateLeds();
  }

  private onButton(button: Parameters<typeof buttonIntent>[0], action: 'down' | 'up' | 'click' | 'hold', at: number): void {
    const decided = buttonIntent(button, action, this.state, { micOn: this.mic.on, ringing: this.ringer.ringing });
    if (!decided) return;
    if ('ignored' in decided) {
      this.emit('button', { button, action, at, effect: `ignored: ${decided.ignored}` });
      return;
    }
    this.emit('button', { button, action, at, effect: decided.intent });
    this.perform(decided.intent);
  }

  private perform(intent: ButtonIntent): void {
    switch (intent) {
      case 'toggle-mic':
        if (this.mic.toggle()) this.microphonesWentOn();
        else this.microphonesWentOff('button');
        return;
      case 'push-to-talk':
        return this.interaction.pushToTalk();
      case 'cancel':
        return void this.dispatch('CANCEL', 'action button');
      case 'dismiss-notification':
        this.ringer.dismiss();
        return;
      case 'enter-setup':
        if (this.setupModeDisabled) {
          this.refuse('setup mode', new EchosimError('SETUP_MODE_DISABLED', 'setup mode is disabled by the room profile (SetupModeDisabled)'));
          return;
        }
        return void this.dispatch('SETUP_REQUESTED', 'action held');
      case 'leave-setup':
        return void this.dispatch('SETUP_DONE', 'action button');
      case 'volume-up':
      case 'volume-down':
        return this.interaction.stepVolume(intent === 'volume-up' ? 1 : -1);
      case 'toggle-call':
        this.callActive = !this.callActive;
        this.updateLeds();
        return;
    }
  }

  private microphonesWentOff(origin: 'button' | 'software'): void {
    // Hardware order: power is already cut (the switch), then nothing held may survive.
    this.frontEnd.clear();
    this.direction?.clear();
    this.persistPrivacy(true);
    this.emit('microphones', { on: false, at: this.clock.now(), origin });
    this.dispatch('MIC_OFF', origin);
    this.updateLeds();
  }

  private microphonesWentOn(): void {
    this.persistPrivacy(false);
    this.emit('microphones', { on: true, at: this.clock.now(), origin: 'button' });
    this.dispatch('MIC_ON', 'button');
    this.updateLeds();
  }

  private persistPrivacy(off: boolean): void {
    this.privacySaving = this.privacySaving
      .then(() => this.privacy.save({ microphonesOff: off }))
      .catch((err: unknown) => this.warn('SETTINGS_INVALID', `could not save the mic switch: ${String(err)}`));
  }
}

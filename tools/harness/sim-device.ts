import { EventEmitter } from 'node:events';
import type { DeviceCloudLink } from '../../cloud-link/device/link/device-cloud-link.js';
import type { ReportedState } from '../../cloud-link/protocol/shadow.js';
import { DEFAULT_DEBOUNCE_MS } from '../../firmware/buttons/button-lines.js';
import type { Device } from '../../firmware/device/device.js';
import { deviceModel, type DeviceModel } from '../../firmware/device-model.js';
import type { ButtonName } from '../../hal/buttons/types.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { Transition } from '../../firmware/state/state-machine.js';
import { VirtualClock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import type { LedFrame } from '../../hal/leds/types.js';
import { SileroVad } from '../../models/vad/silero-vad.js';
import { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import { DeviceRuntime } from '../runtime/device-runtime.js';
import { CloudGate } from './cloud-gate.js';
import { compileTarget, FIRMWARE_EVENTS, LINK_EVENTS, type DeviceEventTarget, type DeviceSnapshot, type DeviceWaitTarget, type SimDeviceEvents, type SimDeviceSetup } from './device-events.js';
import { EventLog, forward, type EventRecord } from './event-log.js';
import { Player, type AudioInput, type Playback, type PlayOptions } from './playback.js';
import { speak, type SpeakOptions } from './tts.js';
import { waitUntil, whileClockRuns, type WaitOptions, type WaitSubject } from './wait.js';

/**
 * One simulated Echo-class device in a simulation: the real firmware (spotter, VAD, state machine,
 * light ring, features on its own flash) and its real MQTT link to the simulation's cloud, on its own
 * VirtualClock. Audio goes in through play()/say(), buttons through press(); everything it does is
 * recorded (history(), of()) and re-emitted (`device.on('state', ...)`).
 *
 * Device time moves only when the harness moves it: during a playback (audio time), advance(), press()
 * and waits. The cloud and the broker run in real time; the CloudGate makes the two meet at points
 * fixed by the audio, so runs are repeatable.
 */
export class SimDevice extends EventEmitter<SimDeviceEvents> {
  readonly id: string;
  readonly model: DeviceModel;
  readonly clock: VirtualClock;
  /** The firmware, for what the harness does not wrap (features, settings...). */
  readonly device: Device;
  readonly link: DeviceCloudLink;
  readonly log = new EventLog<SimDeviceEvents>();
  private readonly gate: CloudGate;
  private readonly player: Player;
  private readonly detach: Array<() => void> = [];
  private stopping: Promise<void> | undefined;
  private synced = false;

  private constructor(
    private readonly setup: SimDeviceSetup,
    private readonly runtime: DeviceRuntime,
    clock: VirtualClock,
  ) {
    super();
    this.clock = clock;
    this.id = setup.id;
    this.model = deviceModel(setup.modelId);
    this.device = runtime.device;
    this.link = runtime.link!; // composed with a link
    this.gate = new CloudGate(
      {
        state: () => this.device.state,
        linkConnected: () => this.link.connected,
        verdict: (id) => setup.cloud.log.find('verdict', (v) => v.deviceId === this.id && v.utteranceId === id),
        heard: (id) =>
          this.log.find('utterance-rejected', (r) => r.id === id) ? 'rejected' : this.log.find('utterance-response', (r) => r.id === id) ? 'response' : undefined,
        subscribe: (wake) => this.subscribeAll(wake),
        late: (info) => this.record('cloud-late', info),
      },
      setup.verifier,
      setup.realClock,
      setup.answerTimeoutMs,
    );
    this.player = new Player({ device: this.device, model: this.model, clock, gate: this.gate, who: this.id, compile: (t) => this.compile(t), assertRunning: () => this.assertRunning() });
    // Listen before the runtime boots the device, so the history starts at BOOTING.
    for (const name of FIRMWARE_EVENTS) this.follow(this.device, name, name);
    for (const name of LINK_EVENTS) this.follow(this.link, name, name);
    this.follow(this.link, 'warning', 'link-warning');
  }

  /** Builds the device, boots it, connects it and waits for its first shadow sync. */
  static async start(setup: SimDeviceSetup, options: { timeoutMs?: number } = {}): Promise<SimDevice> {
    const clock = new VirtualClock();
    const model = deviceModel(setup.modelId);
    // With TLS the device verifies the broker against the cloud's CA, as a real one given ca.pem would.
    const tls = setup.cloud.caFile === undefined ? {} : { tls: { ca: setup.cloud.cloud.caPem, caSource: setup.cloud.caFile } };
    const runtime = await DeviceRuntime.compose(() => ({
      device: {
        model,
        clock,
        dataDir: setup.dataDir,
        engine: new OpenWakeWordEngine(setup.models.wakeword, { keywords: [setup.registry.head('alexa').keyword] }),
        wakeWords: setup.registry,
        vad: new SileroVad(setup.models.vad),
        leds: [], // frames are read from the ring itself and its `leds` events
      },
      link: { url: setup.cloud.brokerUrl, deviceId: setup.id, secret: setup.secret, backoff: { random: () => 0.5 }, ...tls },
    }));
    const sim = new SimDevice(setup, runtime, clock);
    try {
      await runtime.start();
      sim.link.whenSynced().then(
        () => (sim.synced = true),
        () => undefined,
      );
      await sim.waitFor(
        () => {
          const err = sim.link.lastError;
          if (err?.code === 'MQTT_NOT_AUTHORIZED') throw err;
          return sim.synced;
        },
        // The clock stays at 0 meanwhile (nothing on the device's timers is needed to connect), so
        // device time equals audio time in the first playback, whatever the network's speed.
        { what: 'its first connection and shadow sync', timeoutMs: options.timeoutMs ?? 15_000, advance: false },
      );
      return sim;
    } catch (err) {
      await sim.stop();
      throw err;
    }
  }

  get state(): DeviceState {
    return this.device.state;
  }

  /** The light ring's frame now (what it shows at this instant of device time). */
  leds(): LedFrame {
    return this.device.leds.current();
  }

  /** The frame the ring showed at device time `ms` (from the recorded frames). */
  ledsAt(ms: number): LedFrame | undefined {
    let best: LedFrame | undefined;
    for (const f of this.log.of('leds')) if (f.at <= ms) best = f;
    return best;
  }

  /** Its `state.reported` as the cloud holds it (profileVersion, roomProfile, device facts...). */
  reported(): ReportedState | undefined {
    return this.setup.cloud.reported(this.id);
  }

  snapshot(): DeviceSnapshot {
    const d = this.device;
    return {
      state: d.state,
      microphonesOn: d.mic.on,
      volume: d.speaker.volume,
      maxVolume: d.speaker.maxVolume,
      profileVersion: this.link.appliedProfile?.version,
      linkConnected: this.link.connected,
      falseWakes: d.falseWakes,
    };
  }

  /** Every state change so far, oldest first. */
  transitions(): Transition[] {
    return this.log.of('state');
  }

  history(): ReadonlyArray<EventRecord<SimDeviceEvents>> {
    return this.log.all();
  }

  of<K extends keyof SimDeviceEvents>(name: K): Array<SimDeviceEvents[K][0]> {
    return this.log.of(name);
  }

  /** The newest event's sequence number: `waitFor({ event, after: mark })` then waits only for later ones. */
  get mark(): number {
    return this.log.mark;
  }

  /** Plays audio into the microphones through the whole pipeline (see PlayOptions); resolves when it is heard and settled, or paused. */
  play(input: AudioInput, options: PlayOptions = {}): Promise<Playback> {
    return this.player.play(input, options);
  }

  /**
   * Speaks `text` with espeak-ng into the microphones, with a quiet room around it (1 s before, so the
   * pre-roll exists; 1.5 s after, so the end of speech is heard). TTS_UNAVAILABLE without espeak-ng.
   */
  async say(text: string, options: PlayOptions & Omit<SpeakOptions, 'tmpDir'> = {}): Promise<Playback> {
    this.assertRunning();
    const audio = await speak(text, { ...options, tmpDir: this.setup.tmpDir });
    return this.play(audio, { quietBeforeMs: 1000, quietAfterMs: 1500, ...options });
  }

  /**
   * Presses a button now for `holdMs` (default 100: a click) of device time, then lets its debounce
   * pass so another press can follow at once. For a press at an exact point in audio, use
   * play(..., { buttons }) or pause the playback with `until`.
   */
  async press(button: ButtonName, options: { holdMs?: number } = {}): Promise<void> {
    this.assertRunning();
    this.player.assertClockFree('press a button');
    if (!this.model.buttons.includes(button)) {
      throw new EchosimError('HARNESS_INVALID', `${this.model.id} has no ${button} button`, { hint: `its buttons: ${this.model.buttons.join(', ')}` });
    }
    const holdMs = options.holdMs ?? 100;
    if (!(holdMs > 0)) throw new EchosimError('HARNESS_INVALID', `hold time ${holdMs} ms`, { hint: 'hold a button for more than 0 ms' });
    this.device.buttonEdge({ button, pressed: true, at: this.clock.now() });
    await this.advanceGated(holdMs);
    this.device.buttonEdge({ button, pressed: false, at: this.clock.now() });
    await this.advanceGated(DEFAULT_DEBOUNCE_MS);
  }

  /** Lets `ms` of device time pass (timers fire; the cloud's answers are waited for as during audio). */
  async advance(ms: number): Promise<void> {
    this.assertRunning();
    this.player.assertClockFree('advance the clock');
    await this.advanceGated(ms);
  }

  /**
   * Waits until the device is in a state, a condition holds, or it emits an event (resolving to the
   * event's payload), letting its device time run meanwhile (see WaitOptions).
   */
  waitFor(state: DeviceState, options?: WaitOptions): Promise<void>;
  waitFor(condition: () => boolean, options?: WaitOptions): Promise<void>;
  waitFor<K extends keyof SimDeviceEvents>(target: DeviceEventTarget<K>, options?: WaitOptions): Promise<SimDeviceEvents[K][0]>;
  async waitFor(target: DeviceWaitTarget, options: WaitOptions = {}): Promise<unknown> {
    if (options.advance !== false) this.player.assertClockFree('wait while moving the clock');
    const t = this.compile(target);
    await waitUntil(this.subject(), t.holds, options.what ?? t.what, options, this.setup.pace, this.setup.realClock);
    return t.found();
  }

  /**
   * Waits until the device runs the profile version the cloud wants it to (reported by the device and
   * recorded in its shadow) and returns its reported state. Fails at once, with the device's code and
   * reason, when it refuses that version. The clock stays still by default (a profile travels over the
   * network and is applied from flash; no device timer is involved), so device time is the same after
   * the wait as before it; pass `advance: true` to let the link's retries run.
   */
  async waitForSync(options: WaitOptions = {}): Promise<ReportedState> {
    const cloud = this.setup.cloud;
    await this.waitFor(
      () => {
        const wanted = cloud.desiredVersion(this.id);
        const refusal = cloud.log.find('profile-rejected', (r) => r.deviceId === this.id && r.version === wanted);
        if (refusal) {
          throw new EchosimError('PROFILE_REJECTED', `${this.id} refused profile version ${refusal.version}: ${refusal.code}: ${refusal.reason}`, {
            hint: 'the device keeps its last good state; fix the profile (UpdateProfile) and wait again',
            details: { ...refusal },
          });
        }
        return wanted !== undefined && this.reported()?.profileVersion === wanted;
      },
      { what: 'the desired profile version in its reported state', advance: false, ...options },
    );
    return this.reported()!;
  }

  /** Ends any playback, closes the link (outbox drained, offline published) and stops the firmware. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.player.abandon();
      // The link's bounded waits (outbox drain, the final offline) run on this device's clock.
      await this.runtime.stop({ whileLinkCloses: (closing) => whileClockRuns(closing, this.clock, this.setup.realClock) });
      for (const d of this.detach.splice(0)) d();
      this.removeAllListeners();
    })();
    return this.stopping;
  }

  private assertRunning(): void {
    this.setup.assertRunning();
    if (this.stopping) throw new EchosimError('HARNESS_STOPPED', `${this.id} has stopped`, { hint: 'start a new simulation for each test' });
  }

  /** Moves device time `ms`, stopping at every timer to let the gate hold it for the cloud's answers. */
  private async advanceGated(ms: number): Promise<void> {
    const target = this.clock.now() + Math.max(0, ms);
    do {
      await this.gate.beforeAdvance();
      await this.clock.advanceTo(Math.min(this.clock.nextDueTime() ?? target, target));
    } while (this.clock.now() < target);
  }

  private compile(target: DeviceWaitTarget): ReturnType<typeof compileTarget> {
    return compileTarget(target, this.log, () => this.device.state);
  }

  private subject(): WaitSubject {
    return {
      who: this.id,
      now: () => this.clock.now(),
      advance: (ms) => this.advanceGated(ms),
      subscribe: (wake) => this.subscribeAll(wake),
      describe: () =>
        `it is ${this.device.state}, link ${this.link.connectionState}${this.link.lastError ? ` (${this.link.lastError.code})` : ''}; last events: ${this.log.describeRecent()}`,
      assertRunning: () => this.assertRunning(),
    };
  }

  /** Wakes on the device's events and the cloud's (a verdict or a shadow update is news for a device wait). */
  private subscribeAll(wake: () => void): () => void {
    const a = this.log.subscribe(wake);
    const b = this.setup.cloud.log.subscribe(wake);
    return () => {
      a();
      b();
    };
  }

  private record<K extends keyof SimDeviceEvents>(name: K, payload: SimDeviceEvents[K][0]): void {
    if (name === 'stream-start') this.gate.onStreamStart(payload as SimDeviceEvents['stream-start'][0]);
    this.log.record(name, payload, this.clock.now());
    (this.emit as (n: K, p: unknown) => boolean)(name, payload);
  }

  private follow<K extends keyof SimDeviceEvents>(source: Device | DeviceCloudLink, from: string, to: K): void {
    this.detach.push(forward(source, from, (payload) => this.record(to, payload as SimDeviceEvents[K][0])));
  }
}

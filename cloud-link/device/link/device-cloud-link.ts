import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../../core/clock.js';
import { EchosimError } from '../../../core/errors.js';
import { rootLogger, type Logger } from '../../../core/log.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import type { StreamAudio, StreamEnd, StreamStart } from '../../protocol/stream.js';
import type { DeviceControl } from '../../../firmware/device/device-control.js';
import type { DeviceLink } from '../../../firmware/device/link.js';
import { Subscriptions } from '../../../core/subscriptions.js';
import { describeCorruptSlot } from '../../../core/settings-store.js';
import type { DeviceContext } from '../../protocol/directives.js';
import { redactNetworkProfile } from '../../protocol/network-profile.js';
import { deviceSubscriptions, deviceTopics, isValidDeviceId, type DeviceTopics } from '../../protocol/topics.js';
import { MqttConnection, type ConnectionState, type ConnectionStateChange, type MqttMessage } from '../mqtt-connection.js';
import { Outbox } from '../outbox.js';
import { SimulatedWifi } from '../wifi/simulated-wifi.js';
import type { WifiManager } from '../wifi/wifi-manager.js';
import { availabilityPayloads } from './availability-payloads.js';
import { JobExecutor } from './job-executor.js';
import { JobRunner } from './job-runner.js';
import { DeviceKey } from './device-key.js';
import { openLinkState, type JobRecord, type LinkState } from './link-state.js';
import { ProfileApplier, type ProfileRejection } from './profile-applier.js';
import { routeMessage } from './message-router.js';
import { deviceInfo, echosimVersion } from './reported-state.js';
import { ShadowSync } from './shadow-sync.js';
import { Telemetry } from './telemetry.js';
import { UtteranceStream } from './utterance-stream.js';
import type { AppliedProfileView, DeviceCloudLinkEvents, DeviceCloudLinkOptions } from './link-options.js';
import type { WakeWordChange } from '../../../firmware/device/wake-word-switch.js';

export type { AppliedProfileView, DeviceCloudLinkEvents, DeviceCloudLinkOptions } from './link-options.js';

/**
 * The device's side of the cloud link: a DeviceLink (what the Device streams utterances through and
 * hears verdicts, answers and announcements from) over one persistent MQTT connection, plus what
 * the device does for the cloud on its own: converge on its shadow (shadow-sync.ts, applying
 * profiles with profile-applier.ts), run jobs (job-runner.ts), send telemetry through a persistent
 * outbox (telemetry.ts) and announce itself online/offline (availability.ts, as JSON).
 *
 *   const link = new DeviceCloudLink({ url, deviceId, secret, clock, dataDir });
 *   const device = new Device({ ..., dataDir, link });
 *   await link.attach(device);   // follows the device (before it boots: BOOTING is telemetry too)
 *   await device.boot();
 *   await link.start();          // re-applies the profile on flash, then connects
 *   ...
 *   await link.close();          // offline, outbox flushed (bounded), every listener removed
 *
 * tools/runtime/device-runtime.ts does exactly this (and the teardown) for every device the tools
 * build; the device is booted there, by its owner, and never by the link.
 *
 * Every incoming payload is validated (parsePayload) before anything acts on it; a malformed one is
 * logged and dropped (`malformed` event), never thrown. Passwords never reach a log line or a
 * reported state: the applied profile with secrets stays inside the applier and on 0600 flash, and
 * they arrive sealed to the device's own key pair (device-key.ts), also kept there.
 */
/** Typed listener overloads (merged into the class) that also satisfy DeviceLink's narrower map. */
export interface DeviceCloudLink {
  on<K extends keyof DeviceCloudLinkEvents>(event: K, listener: (...args: DeviceCloudLinkEvents[K]) => void): this;
  off<K extends keyof DeviceCloudLinkEvents>(event: K, listener: (...args: DeviceCloudLinkEvents[K]) => void): this;
}

const REDACT = ['CurrentPassword', 'NextPassword', 'privateKey'].flatMap((f) => [`*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export class DeviceCloudLink extends EventEmitter<DeviceCloudLinkEvents> implements DeviceLink {
  readonly deviceId: string;
  readonly topics: DeviceTopics;
  readonly wifi: WifiManager;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly connection: MqttConnection;
  private readonly utterances: UtteranceStream;
  private readonly subs = new Subscriptions();
  private device: DeviceControl | undefined;
  /** The device's own MaxVolumeLimit, before any profile: what a profile without one returns to. */
  private baselineMaxVolume: number | undefined;
  private state: LinkState | undefined;
  private outbox: Outbox | undefined;
  private applier: ProfileApplier | undefined;
  private shadow: ShadowSync | undefined;
  private jobs: JobRunner | undefined;
  private telemetry: Telemetry | undefined;
  private shuttingDown = false;
  private closing: Promise<void> | undefined;
  private version: string | undefined;

  constructor(private readonly options: DeviceCloudLinkOptions) {
    super();
    if (!isValidDeviceId(options.deviceId)) {
      throw new EchosimError('DEVICE_ID_INVALID', `"${options.deviceId}" is not a device id`, {
        hint: 'A device id is its serial number: 1-64 characters of A-Z a-z 0-9 _ - (and not "echosim-cloud").',
      });
    }
    this.deviceId = options.deviceId;
    this.clock = options.clock;
    this.topics = deviceTopics(options.deviceId);
    // Secrets are never logged on purpose; the redaction is the net under that rule.
    this.log = (options.log ?? rootLogger()).child({ component: 'cloud-link', deviceId: options.deviceId }, { redact: { paths: REDACT, censor: '[secret]' } });
    this.wifi = options.wifi ?? new SimulatedWifi();
    this.connection = new MqttConnection({
      url: options.url,
      deviceId: options.deviceId,
      secret: options.secret,
      clock: options.clock,
      subscriptions: deviceSubscriptions(options.deviceId),
      availabilityPayloads: availabilityPayloads(options.clock, () => this.shuttingDown),
      log: this.log,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.streamTransport ? { streamTransport: options.streamTransport } : {}),
      ...(options.closeTimeoutMs === undefined ? {} : { closeTimeoutMs: options.closeTimeoutMs }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.keepaliveSeconds === undefined ? {} : { keepaliveSeconds: options.keepaliveSeconds }),
    });
    this.utterances = new UtteranceStream({ transport: this.connection, topics: this.topics, log: this.log });
    this.utterances.on('rejected', (r) => this.emit('utterance-rejected', r));
    this.utterances.on('response', (r) => this.emit('utterance-response', r));
    this.utterances.on('verdict', (v) => this.telemetry?.verdict(v));
    this.utterances.on('malformed', (m) => this.emit('malformed', m));
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  get connectionState(): ConnectionState {
    return this.connection.state;
  }

  /** Why the last connection attempt failed (e.g. MQTT_NOT_AUTHORIZED for a wrong secret). */
  get lastError(): EchosimError | undefined {
    return this.connection.lastError;
  }

  /** The desired state the device runs, without its network passwords. */
  get appliedProfile(): AppliedProfileView | undefined {
    const applied = this.applier?.applied;
    if (!applied) return undefined;
    const { networkProfile, ...rest } = applied.desired;
    return { version: applied.version, at: applied.at, desired: { ...rest, ...(networkProfile ? { networkProfile: redactNetworkProfile(networkProfile) } : {}) } };
  }

  get rejectedProfile(): ProfileRejection | undefined {
    return this.applier?.rejected;
  }

  /** Where each job this device has touched stands (from flash); undefined before attach. */
  get jobRecords(): JobRecord[] | undefined {
    return this.jobs?.records;
  }

  /** Telemetry messages waiting in the outbox. */
  get outboxDepth(): number {
    return this.outbox?.size ?? 0;
  }

  /** Resolves once the first shadow round (get, apply, report) has completed. */
  whenSynced(): Promise<void> {
    if (!this.shadow) return Promise.reject(new EchosimError('DEVICE_NOT_RUNNING', 'the link has not started', { hint: 'Call attach(device), boot the device, then start().' }));
    return this.shadow.whenSynced();
  }

  /**
   * Takes `device` (constructed with this link) as the one it serves: opens the link's stores and
   * follows the device's events for telemetry. Call it before the device boots, so its first
   * transitions are reported too; then boot the device and call start().
   */
  async attach(device: DeviceControl): Promise<void> {
    if (this.device || this.closing) {
      throw new EchosimError('DEVICE_NOT_RUNNING', this.closing ? 'the cloud link is closed' : 'the cloud link is already attached to a device', {
        hint: 'A link serves one device for its life: create a new DeviceCloudLink (on the same data directory) for a new Device.',
      });
    }
    this.device = device;
    const { options, log, clock, topics } = this;
    this.baselineMaxVolume = device.maxVolume;
    const state = (this.state = openLinkState(options.dataDir));
    for (const c of state.corrupt) log.warn(c, describeCorruptSlot(`cloud link store ${c.store}`, c, c.using));
    this.outbox = await Outbox.open({ dir: options.dataDir, name: 'telemetry', log });
    this.telemetry = new Telemetry({
      outbox: this.outbox,
      topics,
      clock,
      log,
      ...(options.verdictWaitMs === undefined ? {} : { verdictWaitMs: options.verdictWaitMs }),
      ...(options.metricsIntervalMs === undefined ? {} : { metricsIntervalMs: options.metricsIntervalMs }),
    });
    this.telemetry.attach(device); // before boot: its first transitions are telemetry too
  }

  /**
   * After the attached device has booted: re-applies the profile recorded on flash (before the device
   * reaches the cloud), then connects, converges on the shadow and takes jobs.
   */
  async start(): Promise<void> {
    const { device, state, outbox, baselineMaxVolume } = this;
    if (!device || !state || !outbox || baselineMaxVolume === undefined || this.applier || this.closing) {
      throw new EchosimError('DEVICE_NOT_RUNNING', this.closing ? 'the cloud link is closed' : device ? 'the cloud link has already started' : 'the link is not attached', {
        hint: 'attach(device) before the device boots, then start() once, after it has booted.',
      });
    }
    const { options, log, clock, topics } = this;
    const applier = (this.applier = new ProfileApplier({
      device,
      wifi: this.wifi,
      state: state.profile,
      clock,
      log,
      // The words its spotter can switch to; a device that cannot switch runs ALEXA only.
      supportedWakeWords: options.supportedWakeWords ?? device.wakeWord?.supported ?? ['ALEXA'],
      ...(device.wakeWord ? { wakeWord: device.wakeWord } : {}),
      baselineMaxVolume,
    }));
    const restored = await applier.restore();
    if (restored) this.emit('profile-applied', { version: restored.version, at: restored.at, boot: true });
    const key = await DeviceKey.open(state.key, clock, log);

    const transport = this.connection;
    const requestTimeoutMs = options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs };
    const shadow = (this.shadow = new ShadowSync({
      transport,
      topics,
      applier,
      key,
      clock,
      log,
      facts: () => ({ wifi: this.wifi.status(), device: deviceInfo(device, this.softwareVersion()) }),
      ...requestTimeoutMs,
    }));
    shadow.on('profile-applied', (p) => this.emit('profile-applied', { ...p, boot: false }));
    // A switch made at the end of a request comes after the report of its profile: report the word again.
    const onWakeWord = (c: WakeWordChange): void => void (c.deferred && shadow.reportAgain());
    device.on('wake-word', onWakeWord);
    this.subs.add(() => device.off('wake-word', onWakeWord));
    shadow.on('profile-rejected', (r) => this.emit('profile-rejected', r));
    shadow.on('reported', (r) => this.emit('reported', r));
    shadow.on('shadow-rejected', (r) => this.emit('shadow-rejected', r));
    shadow.on('malformed', (m) => this.emit('malformed', m));
    // The device's own facts (volume, do-not-disturb, timers) go to the cloud as they change.
    this.subs.on(device.features, 'changed', ({ feature }) => {
      if (feature === 'volume' || feature === 'settings' || feature === 'notifications') shadow.reportFacts();
    });

    const executor = new JobExecutor({
      device,
      clock,
      log,
      announce: (audio) => this.emit('announcement', { audio, sampleRate: SAMPLE_RATE }),
      afterReset: async (report) => {
        if (report.cleared.includes('SETTINGS')) await applier.reapplySettings();
        // The network secrets are re-sent from the cloud, sealed to a key made for the occasion.
        if (report.notApplicable.includes('NETWORK_PROFILE')) await key.rotate('reset of NETWORK_PROFILE');
        const resynced = [...(report.cleared.includes('SETTINGS') ? ['SETTINGS'] : []), ...report.notApplicable];
        if (resynced.length > 0) shadow.resync();
        return resynced;
      },
    });
    const jobs = (this.jobs = new JobRunner({ transport, topics, state: state.jobs, executor, clock, log, reboot: () => this.reboot(), ...requestTimeoutMs }));
    jobs.on('job', (j) => this.emit('job', j));
    jobs.on('reboot', (r) => this.emit('reboot', r));
    jobs.on('malformed', (m) => this.emit('malformed', m));

    const onState = (change: ConnectionStateChange): void => this.onConnectionState(change);
    const onMessage = (m: MqttMessage): void => this.onMessage(m);
    const onWarning = (err: EchosimError): void => {
      log.warn({ code: err.code }, err.message);
      this.emit('warning', err);
    };
    this.subs.add(() => transport.off('state', onState));
    this.subs.add(() => transport.off('message', onMessage));
    this.subs.add(() => transport.off('warning', onWarning));
    transport.on('state', onState);
    transport.on('message', onMessage);
    transport.on('warning', onWarning);
    outbox.attach(transport);
    log.info({ url: options.url }, 'connecting to the cloud');
    transport.start();
  }

  /**
   * Goes offline cleanly: stops the shadow, job and telemetry work, gives the outbox up to
   * `closeTimeoutMs` to drain while connected, publishes the retained `offline` (shutdown) and
   * disconnects, then closes its files and removes every listener it added. Telemetry not yet
   * delivered stays in the outbox for the next boot.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  utteranceStart(start: StreamStart, context?: DeviceContext): void {
    this.utterances.start(start, context);
  }

  utteranceAudio(audio: StreamAudio): void {
    this.utterances.audio(audio);
  }

  utteranceEnd(end: StreamEnd): void {
    this.utterances.end(end);
  }

  private async shutDown(): Promise<void> {
    this.shuttingDown = true;
    this.shadow?.close();
    this.jobs?.close();
    this.telemetry?.close();
    if (this.outbox && this.connection.connected) await this.drainOutbox(this.outbox);
    await this.connection.close();
    this.subs.removeAll();
    this.outbox?.detach();
    await this.outbox?.close();
    await this.state?.profile.close();
    await this.state?.jobs.close();
    await this.state?.key.close();
    if (!this.options.wifi) await this.wifi.close();
    this.utterances.removeAllListeners();
  }

  /** Waits until the outbox is empty, the connection drops, or closeTimeoutMs passes on the Clock. */
  private async drainOutbox(outbox: Outbox): Promise<void> {
    let timer: TimerHandle | undefined;
    let onState: ((c: ConnectionStateChange) => void) | undefined;
    await Promise.race([
      outbox.whenEmpty(),
      new Promise<void>((resolve) => {
        timer = this.clock.setTimeout(resolve, this.options.closeTimeoutMs ?? 2000);
        onState = (c) => {
          if (c.to !== 'CONNECTED') resolve();
        };
        this.connection.on('state', onState);
      }),
    ]);
    if (timer) this.clock.clearTimeout(timer);
    if (onState) this.connection.off('state', onState);
  }

  private onConnectionState(change: ConnectionStateChange): void {
    this.emit('connection', change);
    this.telemetry?.connection(change);
    if (change.to === 'CONNECTED') {
      this.emit('up');
      this.shadow?.onConnected();
      this.jobs?.onConnected();
    } else if (change.from === 'CONNECTED') {
      this.shadow?.onDisconnected();
      this.jobs?.onDisconnected();
      this.emit('down', change.to === 'CLOSED' ? 'link closed' : (change.error?.message ?? 'connection lost'));
    }
  }

  private onMessage(m: MqttMessage): void {
    routeMessage(this.deviceId, m, { shadow: this.shadow, jobs: this.jobs, utterances: this.utterances }, this.log);
  }

  private async reboot(): Promise<void> {
    if (this.options.reboot) return this.options.reboot();
    const device = this.device;
    await this.close();
    await device?.stop();
  }

  private softwareVersion(): string {
    this.version ??= this.options.softwareVersion ?? echosimVersion();
    return this.version;
  }
}

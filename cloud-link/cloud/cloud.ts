import { EventEmitter } from 'node:events';
import path from 'node:path';
import { mosquittoPasswordHash } from '../broker/mosquitto-passwd.js';
import { topicFor } from '../protocol/topics.js';
import { SystemClock, type Clock } from '../../core/clock.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { CloudTls, TLS_DIR, type ServerTlsMaterial } from './server-tls.js';
import { subjectNamesFor } from '../tls/subject-names.js';
import type { A4bServiceEvents } from './a4b/context.js';
import { A4bService } from './a4b/service.js';
import type { CloudOptions } from './cloud-options.js';
import { AuthThrottle } from './auth/auth-throttle.js';
import { registryAuthenticator, type MosquittoAuthSync } from './broker-auth.js';
import { ApiServer } from './http/api-server.js';
import { CloudClient } from './mqtt/cloud-client.js';
import type { CloudEvents } from './mqtt/cloud-events.js';
import { routeDeviceMessage, type InboundMessage } from './mqtt/device-message-router.js';
import { JobGateway } from './mqtt/job-gateway.js';
import { Presence } from './mqtt/presence.js';
import { ShadowGateway } from './mqtt/shadow-gateway.js';
import { StrayRetained } from './mqtt/stray-retained.js';
import { TelemetrySink } from './mqtt/telemetry-sink.js';
import { UtteranceGateway } from './mqtt/utterance-gateway.js';
import { notOwnedBroker, type OwnedBroker } from './owned-broker.js';
import { openCloudBroker } from './cloud-broker.js';
import { startHousekeeping } from './housekeeping.js';
import type { MqttStreamTransport } from '../mqtt/stream-transport.js';
import { RecordingStore } from './recordings/recording-store.js';
import { WakeWordVerifier } from './verification/verifier.js';
import type { BookingReleaser } from './calendar/booking-releaser.js';
import type { Assistant } from './answers/assistant.js';
import { localAssistant } from './answers/local-assistant.js';
import { deviceForHomeAssistant, startHomeAssistant } from './home-assistant/attach.js';
import type { HomeAssistantBridge } from './home-assistant/ha-bridge.js';

/**
 * The minimal cloud: the Alexa for Business style registry (SQLite), its HTTP API, an MQTT broker
 * (embedded by default) and the MQTT side that turns registry changes into device shadows and jobs,
 * devices' reports into sync and connection status, and their utterances into verdicts and
 * recordings. One process; `stop()` releases every port, timer and file handle.
 */
export class Cloud {
  readonly events = new EventEmitter<CloudEvents>();
  readonly service: A4bService;
  readonly recordings: RecordingStore;
  readonly telemetry: TelemetrySink;
  /** The embedded broker, unless the cloud uses an external one. */
  private broker: OwnedBroker | undefined;
  private client: CloudClient | undefined;
  private api: ApiServer | undefined;
  private shadows: ShadowGateway | undefined;
  private jobs: JobGateway | undefined;
  private presence: Presence | undefined;
  private utterances: UtteranceGateway | undefined;
  private assistant: Assistant | undefined;
  private releaser: BookingReleaser | undefined;
  private mosquittoSync: MosquittoAuthSync | undefined;
  private tls: CloudTls | undefined;
  private strayRetained: StrayRetained | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Back-off for failed logins, one for the API and the embedded broker (auth/auth-throttle.ts). */
  private readonly throttle: AuthThrottle;
  private brokerUrlValue = '';
  private stopping: Promise<void> | undefined;
  private readonly detach: Array<() => void> = [];
  private homeAssistant: HomeAssistantBridge | undefined;
  /** Home Assistant's broker login (its password file), with `homeAssistant`. */
  private homeAssistantLogin: { file: string; secret: string } | undefined;

  private constructor(private readonly options: CloudOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.log = (options.log ?? rootLogger()).child({ component: 'cloud' });
    this.throttle = new AuthThrottle({ clock: this.clock });
    this.service = A4bService.open({
      dir: options.dir,
      clock: this.clock,
      log: this.log,
      ...(options.wakeWords ? { wakeWords: options.wakeWords } : {}),
      ...(options.mosquitto ? { brokerPasswordHash: (secret: string) => mosquittoPasswordHash(secret) } : {}),
    });
    this.recordings = new RecordingStore({ dir: options.dir, clock: this.clock, log: this.log });
    this.telemetry = new TelemetrySink(this.events, this.log);
  }

  /** Opens the data directory and starts broker, MQTT side and HTTP API; stops what started on failure. */
  static async start(options: CloudOptions): Promise<Cloud> {
    const cloud = new Cloud(options);
    try {
      await cloud.startParts();
      return cloud;
    } catch (err) {
      await cloud.stop();
      throw err;
    }
  }

  /** The CA certificate file clients verify the cloud's listeners with (`--ca`), with TLS. */
  get caFile(): string | undefined {
    return this.tls?.caFile;
  }

  /** The CA certificate (PEM) clients verify the cloud's listeners with, with TLS. */
  get caPem(): string | undefined {
    return this.tls?.material.ca;
  }

  /** mqtt://host:port (mqtts:// with TLS) of the broker devices connect to. */
  get brokerUrl(): string {
    return this.brokerUrlValue;
  }

  /**
   * How a client in this process reaches the embedded broker without a socket (a fleet's devices:
   * MqttConnectionOptions.streamTransport): the same broker, logins, ACL and outages as over brokerUrl.
   * Undefined with an external broker.
   */
  get inProcessTransport(): MqttStreamTransport | undefined {
    return this.broker?.transport;
  }

  /** http://host:port (https:// with TLS) of the API, when it runs. */
  get apiUrl(): string | undefined {
    return this.api?.url;
  }

  /** The admin token (API bearer token, the cloud's broker password). */
  get adminToken(): string {
    return this.service.readAdminToken() ?? '';
  }

  get adminTokenFile(): string {
    return this.service.adminTokenFile;
  }

  /**
   * With `homeAssistant`: the file (mode 0600) holding the password of the broker user
   * `echosim-home-assistant`, for Home Assistant's MQTT integration.
   */
  get homeAssistantPasswordFile(): string | undefined {
    return this.homeAssistantLogin?.file;
  }

  /**
   * Resolves once an external Mosquitto has been given the password and ACL files for every
   * registration so far (at once with the embedded broker, which asks the registry directly).
   */
  async brokerAuthSettled(): Promise<void> {
    await this.mosquittoSync?.settled();
  }

  /** The utterance side (audio held per device, refusals), once started. */
  get utteranceGateway(): UtteranceGateway | undefined {
    return this.utterances;
  }

  /** Runs one A4B operation in process (what the HTTP API does after authentication). */
  call(operation: string, input: unknown): Promise<unknown> {
    return this.service.call(operation, input);
  }

  private async startParts(): Promise<void> {
    const { options, log, clock, events: bus } = this;
    let token = this.service.readAdminToken();
    if (token === undefined) {
      token = this.service.rotateAdminToken();
      log.warn({ file: this.service.adminTokenFile }, 'the admin token file was missing: a new admin token was written');
    }
    const verifier =
      options.verifier === false ? undefined : options.verifier ?? new WakeWordVerifier({ models: await OpenWakeWordModels.load(), log });
    // Its own verifier's speech recognizer (resident processes) stops with the cloud; one passed in is the caller's.
    if (verifier && options.verifier === undefined) this.detach.push(() => verifier.close());

    if (options.homeAssistant) {
      const login = this.service.ensureLogin('home-assistant');
      this.homeAssistantLogin = login;
      if (login.created) log.info({ file: login.file }, "Home Assistant's broker password was written (user echosim-home-assistant)");
    }
    const tls = await this.startTls();
    const broker = await openCloudBroker({
      options,
      service: this.service,
      token,
      tls,
      ...(this.homeAssistantLogin ? { homeAssistantPassword: this.homeAssistantLogin.secret } : {}),
      authenticate: () => this.authenticator(),
      serverTls: () => this.tls?.material,
      log,
    });
    this.broker = broker.owned;
    this.mosquittoSync = broker.mosquittoSync;
    this.brokerUrlValue = broker.url;

    // MQTT 5 with the Mosquitto it manages, to see and clear stray retained messages (stray-retained.ts).
    const client = await CloudClient.connect({
      url: this.brokerUrlValue,
      password: token,
      log,
      protocolVersion: options.mqttProtocolVersion ?? (options.mosquitto ? 5 : 4),
      ...broker.client,
    });
    this.client = client;
    this.strayRetained = new StrayRetained((topic) => client.clearRetained(topic), log);
    this.shadows = new ShadowGateway(this.service, client, clock, bus, log);
    this.jobs = new JobGateway(this.service, client, clock, bus, log);
    this.presence = new Presence(this.service, clock, bus, log);
    if (options.assistant) this.assistant = localAssistant({ service: this.service, recordings: this.recordings, clock, log });
    const assistant = this.assistant;
    this.utterances = new UtteranceGateway({ service: this.service, client, clock, bus, log, recordings: this.recordings, ...(verifier ? { verifier } : {}), ...(assistant ? { assistant } : {}) });
    this.wireService();
    const onMessage = (m: InboundMessage): void => void this.route(m);
    client.on('message', onMessage);
    this.detach.push(() => client.off('message', onMessage));
    const onConnected = ({ sessionPresent }: { sessionPresent: boolean }): void => void bus.emit('broker-link', { state: 'connected', sessionPresent });
    const onBackoff = ({ delayMs, attempt }: { delayMs: number; attempt: number }): void => void bus.emit('broker-link', { state: 'backoff', delayMs, attempt });
    client.on('connected', onConnected);
    client.on('backoff', onBackoff);
    this.detach.push(() => client.off('connected', onConnected), () => client.off('backoff', onBackoff));
    client.startDelivery();
    if (options.homeAssistant) {
      const ha = await startHomeAssistant(this.service, client, bus, log);
      this.homeAssistant = ha;
      this.detach.push(() => ha.stop());
    }

    const housekeeping = startHousekeeping({ service: this.service, recordings: this.recordings, clock, bus, log });
    this.releaser = housekeeping.releaser;
    this.detach.push(() => housekeeping.stop());

    if (options.http !== false) {
      this.api = await ApiServer.start({
        backend: this.service,
        host: options.http?.host ?? '127.0.0.1',
        port: options.http?.port ?? 8700,
        ...(tls ? { tls: tls.material } : {}),
        log,
        clock,
        throttle: this.throttle,
      });
    }
    tls?.startRenewal();
    log.info({ broker: this.brokerUrlValue, api: this.api?.url, verification: verifier !== undefined }, 'cloud started');
  }

  /**
   * With `tls`: the certificate for every address the listeners are bound to (and `tls.names`),
   * made, reused or renewed in `dir/tls`; a renewal while running goes to both listeners.
   */
  private async startTls(): Promise<CloudTls | undefined> {
    const { options } = this;
    if (!options.tls) return undefined;
    const broker = options.broker as { url?: string; host?: string } | undefined;
    const binds = [
      ...(broker?.url === undefined ? [broker?.host ?? '127.0.0.1'] : []),
      ...(options.http === false ? [] : [options.http?.host ?? '127.0.0.1']),
    ];
    this.tls = await CloudTls.open({
      dir: path.join(options.dir, TLS_DIR),
      names: subjectNamesFor(binds, options.tls.names ?? []),
      ...(options.tls.given ? { given: options.tls.given } : {}),
      timers: this.clock,
      log: this.log,
    });
    this.tls.on('renewed', (m: ServerTlsMaterial) => {
      this.broker?.updateTls(m);
      this.api?.updateTls(m);
    });
    return this.tls;
  }

  private authenticator(): ReturnType<typeof registryAuthenticator> {
    return registryAuthenticator(this.service, this.throttle, { homeAssistant: this.homeAssistantLogin !== undefined });
  }

  /** Registry changes -> MQTT. */
  private wireService(): void {
    const ev = this.service.events;
    const on = <K extends keyof A4bServiceEvents>(name: K, listener: (...args: A4bServiceEvents[K]) => void): void => {
      (ev.on as (n: K, l: (...args: A4bServiceEvents[K]) => void) => unknown)(name, listener);
      this.detach.push(() => (ev.off as (n: K, l: (...args: A4bServiceEvents[K]) => void) => unknown)(name, listener));
    };
    on('desired-changed', ({ deviceId }) => void this.shadows?.pushDesired(deviceId));
    on('job-created', ({ deviceId }) => void this.jobs?.notify(deviceId));
    on('bookings-changed', () => this.releaser?.poke());
    on('recordings-deleted', ({ ids }) => {
      this.recordings.delete(ids).catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'recording files not deleted'));
    });
    const syncBroker = (): void => {
      this.mosquittoSync?.sync().catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'mosquitto auth files not updated'));
    };
    on('device-registered', ({ deviceId }) => {
      syncBroker();
      const ha = this.homeAssistant;
      if (ha) void deviceForHomeAssistant(this.service, deviceId).then((d) => d && ha.publishDevice(d)).catch(() => undefined);
    });
    on('device-deregistered', ({ deviceId }) => {
      syncBroker();
      this.broker?.disconnect(deviceId);
      this.telemetry.forget(deviceId);
      this.client?.clearRetained(topicFor('availability', deviceId)).catch(() => undefined);
      this.homeAssistant?.remove(deviceId).catch(() => undefined);
    });
  }

  /** One message from a device, to the part that owns its topic (mqtt/device-message-router.ts). */
  private route(m: InboundMessage): Promise<void> {
    const { shadows, jobs, presence, telemetry, utterances, strayRetained, homeAssistant, log } = this;
    return routeDeviceMessage({ shadows, jobs, presence, telemetry, utterances, strayRetained, homeAssistant, log }, m);
  }

  /**
   * Stops the embedded broker and starts it again on the same port, as a broker restart would: every
   * client is dropped (devices' last wills fire) and reconnects. Sessions, subscriptions, retained
   * and queued QoS 1 messages are kept (in memory: a restart of the whole process loses them; use
   * Mosquitto with persistence through --broker where that matters). Throws with an external broker,
   * which the cloud does not own.
   */
  async restartBroker(): Promise<void> {
    await this.stopBroker();
    await this.startBroker();
  }

  /**
   * The first half of restartBroker: the embedded broker stops and its port is closed (clients see
   * an outage) until startBroker(). Its persistence is kept for the broker startBroker() starts.
   */
  async stopBroker(): Promise<void> {
    if (!this.broker) throw notOwnedBroker();
    await this.broker.pause();
  }

  /** Starts the embedded broker stopped by stopBroker() on the same port, with its persistence. */
  async startBroker(): Promise<void> {
    if (!this.broker) throw notOwnedBroker();
    await this.broker.resume();
  }

  /** Stops the API, the MQTT side and the broker, and closes the database. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const d of this.detach.splice(0)) d();
      this.tls?.stop();
      this.utterances?.stop();
      this.assistant?.close();
      await this.api?.close().catch(() => undefined);
      await this.client?.close().catch(() => undefined);
      await this.broker?.close().catch(() => undefined);
      this.service.close();
      this.events.removeAllListeners();
      this.log.info('cloud stopped');
    })();
    return this.stopping;
  }
}

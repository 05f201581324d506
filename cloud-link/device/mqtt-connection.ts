import { EventEmitter } from 'node:events';
import { connect, Store, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { availabilityTopic, isValidDeviceId, mayPublish, maySubscribe, type Principal } from '../broker/acl.js';
import { tlsConnectOptions, type ClientTlsOptions } from '../tls/client-tls.js';
import { checkBrokerUrl, describeClientError, isTlsBrokerUrl } from '../mqtt/mqtt-errors.js';
import { disableNagle } from '../mqtt/no-delay.js';
import { ReconnectBackoff, type ReconnectBackoffOptions } from '../mqtt/reconnect-backoff.js';

export { describeClientError } from '../mqtt/mqtt-errors.js';

/**
 * A device's MQTT connection to the cloud's broker: one persistent session, kept up for as long as
 * the device runs.
 *
 *     DISCONNECTED --start--> CONNECTING --CONNACK + SUBACK--> CONNECTED
 *                                 ^   |                            |
 *                                 |   +--refused/failed--+  lost --+
 *                                 |                      v         v
 *                                 +----delay elapsed---- BACKOFF <-+          any --close()--> CLOSED
 *
 * - Persistent session: clientId = username = the device id, `clean: false`. The broker queues QoS 1
 *   messages for the device while it is away; the device's own unacknowledged QoS 1 publishes stay in
 *   one mqtt.js store for the life of this object and are retransmitted on every reconnect.
 * - Reconnects are ours, not mqtt.js' (`reconnectPeriod: 0`): full jitter with a fast window after a
 *   healthy connection drops and exponential growth past it (reconnect-backoff.ts), on the injected
 *   Clock, so tests drive them with a VirtualClock and every wait shows up as a BACKOFF `state` event
 *   with its `delayMs`. CONNECTED (CONNACK and every SUBACK) is what the policy counts as healthy.
 *   The connect timeout is on the Clock too. MQTT keepalive stays on mqtt.js' real timers: it is a
 *   property of the socket and the broker's timers.
 * - The QoS 1 subscriptions are re-made on every connect (a broker without persistence, or one that
 *   lost the session, would otherwise leave the device deaf); CONNECTED is reported once they are
 *   acknowledged, so a request published after it gets its answer.
 * - Availability: a retained last will `offline` on `echosim/v1/devices/{id}/availability` (QoS 1),
 *   and a retained `online` published on every connect. `close()` publishes a final retained
 *   `offline` (a normal DISCONNECT discards the will, and a stale retained `online` would keep the
 *   device ONLINE in the cloud forever), then disconnects; nothing is published after it.
 *   `close({ abrupt: true })` drops the socket like a power cut, so the broker publishes the will.
 * - A refused CONNECT (bad credentials, clientId mismatch) is reported as MQTT_NOT_AUTHORIZED and
 *   retried with backoff like any other failure: the cloud may register the device later.
 */
export type ConnectionState = 'DISCONNECTED' | 'CONNECTING' | 'CONNECTED' | 'BACKOFF' | 'CLOSED';

export interface ConnectionStateChange {
  from: ConnectionState;
  to: ConnectionState;
  /** Clock time of the transition, ms (monotonic). */
  at: number;
  /** Failed attempts since the connection was last healthy (CONNECTED). */
  attempt: number;
  /** BACKOFF: how long until the next attempt, ms. */
  delayMs?: number;
  /** BACKOFF: why the attempt failed or the connection ended. */
  error?: EchosimError;
  /** CONNECTED: whether the broker still had this device's session. */
  sessionPresent?: boolean;
}

export interface MqttMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
}

export interface MqttConnectionEvents {
  state: [ConnectionStateChange];
  message: [MqttMessage];
  /** Something went wrong that does not end the connection (a refused subscription). */
  warning: [EchosimError];
}

export interface PublishOptions {
  /** Default 1: QoS 1 resolves on PUBACK. QoS 0 resolves once written and fails when offline. */
  qos?: 0 | 1;
  retain?: boolean;
}

export interface MqttConnectionOptions {
  /** `mqtt://host:port`, or `mqtts://` (then the server is verified against `tls.ca`). */
  url: string;
  /** The device's id: its MQTT clientId and username. */
  deviceId: string;
  /** The device's secret (its MQTT password). */
  secret: string;
  clock: Clock;
  /** Filters to hold at QoS 1, subscribed on every connect; more can be added with subscribe(). */
  subscriptions?: string[];
  backoff?: ReconnectBackoff | ReconnectBackoffOptions;
  /** MQTT keepalive, s; default 30. */
  keepaliveSeconds?: number;
  /** From the start of an attempt to CONNECTED, ms on the Clock; default 30000. */
  connectTimeoutMs?: number;
  /** How long close() waits for the final `offline` to be acknowledged, ms on the Clock; default 2000. */
  closeTimeoutMs?: number;
  /**
   * What goes on the availability topic; default the strings `online` / `offline` (the Home
   * Assistant convention). The protocol may choose JSON instead.
   */
  availabilityPayloads?: { online: string | Buffer; offline: string | Buffer };
  /** For `mqtts://`: the CA the broker's certificate must chain to (default Node's public CAs). */
  tls?: ClientTlsOptions;
  log?: Logger;
}

export class MqttConnection extends EventEmitter<MqttConnectionEvents> {
  readonly deviceId: string;
  readonly availabilityTopic: string;
  private readonly principal: Principal;
  private readonly clock: Clock;
  private readonly backoff: ReconnectBackoff;
  private readonly log: Logger;
  private readonly filters: Set<string>;
  private readonly availability: { online: string | Buffer; offline: string | Buffer };
  private readonly stores = { incomingStore: new Store(), outgoingStore: new Store() };
  private client: MqttClient | undefined;
  private removeClientListeners: () => void = () => undefined;
  private current: ConnectionState = 'DISCONNECTED';
  private timer: TimerHandle | undefined;
  /** Bumped on every attempt, so late callbacks of an earlier attempt change nothing. */
  private generation = 0;
  /** Whether mqtt.js has been asked to connect once (later attempts are reconnects). */
  private attempted = false;
  private error: EchosimError | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: MqttConnectionOptions) {
    super();
    if (!isValidDeviceId(options.deviceId)) {
      throw new EchosimError('DEVICE_ID_INVALID', `"${options.deviceId}" is not a device id`, {
        hint: 'Device ids (serial numbers) are 1-64 characters of A-Z a-z 0-9 _ - (and not "echosim-cloud").',
      });
    }
    checkBrokerUrl(options.url, options.tls);
    this.deviceId = options.deviceId;
    this.principal = { role: 'device', username: options.deviceId };
    this.availabilityTopic = availabilityTopic(options.deviceId);
    this.clock = options.clock;
    this.availability = options.availabilityPayloads ?? { online: 'online', offline: 'offline' };
    this.backoff = options.backoff instanceof ReconnectBackoff ? options.backoff : new ReconnectBackoff(options.backoff);
    this.log = (options.log ?? rootLogger()).child({ component: 'mqtt-connection', deviceId: options.deviceId });
    for (const f of options.subscriptions ?? []) this.checkFilter(f);
    this.filters = new Set(options.subscriptions ?? []);
  }

  get state(): ConnectionState {
    return this.current;
  }

  get connected(): boolean {
    return this.current === 'CONNECTED';
  }

  /** Why the last attempt failed or the last connection ended. */
  get lastError(): EchosimError | undefined {
    return this.error;
  }

  /** Starts connecting (DISCONNECTED -> CONNECTING); reconnects on its own from then on. */
  start(): void {
    if (this.current !== 'DISCONNECTED') return;
    const client = this.createClient();
    this.client = client;
    const on = {
      connect: (packet: { sessionPresent: boolean }) => void this.onConnack(packet.sessionPresent),
      error: (err: Error) => this.onClientError(err),
      close: () => this.onClose(),
      message: (topic: string, payload: Buffer, packet: IPublishPacket) => this.onMessage(topic, payload, packet),
    };
    client.on('connect', on.connect).on('error', on.error).on('close', on.close).on('message', on.message);
    // Only ours come off at close: mqtt.js's own 'close' listener clears its connack timer (a real
    // 60 s timer that otherwise keeps a process alive after closing while connecting).
    this.removeClientListeners = () => void client.off('connect', on.connect).off('error', on.error).off('close', on.close).off('message', on.message);
    this.attempt();
  }

  private createClient(): MqttClient {
    return connect(this.options.url, {
      ...tlsConnectOptions(this.options.tls),
      protocolVersion: 4, // MQTT 3.1.1: what aedes speaks, and Mosquitto too
      clientId: this.deviceId,
      username: this.deviceId,
      password: this.options.secret,
      clean: false,
      keepalive: this.options.keepaliveSeconds ?? 30,
      reconnectPeriod: 0,
      // Our Clock-driven timeout fires first; this one is a backstop should that clock stall.
      connectTimeout: 2 * (this.options.connectTimeoutMs ?? 30_000),
      resubscribe: false,
      queueQoSZero: false, // stale audio chunks are worth nothing after a reconnect
      manualConnect: true,
      will: { topic: this.availabilityTopic, payload: Buffer.from(this.availability.offline), qos: 1, retain: true },
      ...this.stores,
    });
  }

  /**
   * Publishes on one of the device's own topics. QoS 1 resolves on PUBACK; while the connection is
   * down it is held and sent after the reconnect. Rejects once the connection is closed.
   */
  publish(topic: string, payload: string | Buffer | Uint8Array, options: PublishOptions = {}): Promise<void> {
    const qos = options.qos ?? 1;
    if (!mayPublish(this.principal, topic)) {
      return Promise.reject(
        new EchosimError('MQTT_NOT_AUTHORIZED', `device ${this.deviceId} may not publish on ${topic}`, {
          hint: `A device publishes only under echosim/v1/devices/${this.deviceId}/; the broker would drop or disconnect it.`,
          details: { topic },
        }),
      );
    }
    const client = this.client;
    if (!client || this.closing || this.current === 'CLOSED' || (qos === 0 && !this.connected)) {
      return Promise.reject(this.notConnected(`cannot publish on ${topic}`));
    }
    const body = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return new Promise((resolve, reject) => {
      client.publish(topic, body, { qos, retain: options.retain ?? false }, (err) => {
        if (err) reject(this.notConnected(`publish on ${topic} did not complete: ${err.message}`, err));
        else resolve();
      });
    });
  }

  /**
   * Adds filters held at QoS 1 on every connect. When connected they are subscribed now and this
   * resolves on the SUBACK (rejecting with MQTT_NOT_AUTHORIZED if the broker refuses one); otherwise
   * it resolves at once and the next connect subscribes them before reporting CONNECTED.
   */
  async subscribe(filters: string | readonly string[]): Promise<void> {
    const list = typeof filters === 'string' ? [filters] : [...filters];
    for (const f of list) this.checkFilter(f);
    for (const f of list) this.filters.add(f);
    if (this.connected) await this.subscribeNow(list, this.generation);
  }

  /**
   * Ends the connection for good. Unless `abrupt`, a connected device publishes its final retained
   * `offline` (waiting at most `closeTimeoutMs`) and sends DISCONNECT; with `abrupt` the socket is
   * dropped without a word (a power cut), so the broker publishes the last will. Publishes still
   * waiting for their PUBACK are abandoned (the outbox keeps its own copy).
   */
  close(options: { abrupt?: boolean } = {}): Promise<void> {
    this.closing ??= this.shutDown(options.abrupt ?? false);
    return this.closing;
  }

  private async shutDown(abrupt: boolean): Promise<void> {
    this.cancelTimer();
    const client = this.client;
    if (client) {
      if (!abrupt && this.connected) await this.publishFinalOffline(client);
      this.generation++; // anything still in flight belongs to a finished attempt
      for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
      const force = abrupt || !client.connected;
      await new Promise<void>((resolve) => client.end(force, {}, () => resolve()));
      this.removeClientListeners();
      client.on('error', () => undefined); // a late socket error must not become an uncaught 'error'
    }
    this.transition('CLOSED', {});
    this.removeAllListeners();
  }

  private async publishFinalOffline(client: MqttClient): Promise<void> {
    let timer: TimerHandle | undefined;
    const acked = new Promise<void>((resolve) => {
      client.publish(this.availabilityTopic, this.availability.offline, { qos: 1, retain: true }, () => resolve());
      client.once('close', () => resolve());
      timer = this.clock.setTimeout(resolve, this.options.closeTimeoutMs ?? 2000);
    });
    await acked;
    if (timer) this.clock.clearTimeout(timer);
  }

  private attempt(): void {
    const client = this.client;
    if (!client || this.closing) return;
    this.generation++;
    this.transition('CONNECTING', {});
    const generation = this.generation;
    this.timer = this.clock.setTimeout(() => {
      if (generation !== this.generation || this.current !== 'CONNECTING') return;
      this.error = new EchosimError('MQTT_CONNECT_FAILED', `no connection to ${this.options.url} within ${this.options.connectTimeoutMs ?? 30_000} ms`, {
        hint: 'Is the broker reachable from this device (host, port, firewall)?',
      });
      client.stream?.destroy(); // ends in onClose, which backs off
    }, this.options.connectTimeoutMs ?? 30_000);
    if (!this.attempted) client.connect();
    else client.reconnect(this.stores); // the same stores: unacknowledged publishes survive
    this.attempted = true;
  }

  private async onConnack(sessionPresent: boolean): Promise<void> {
    const generation = this.generation;
    if (this.current !== 'CONNECTING' || this.closing) return;
    this.error = undefined;
    const client = this.client;
    if (!client) return;
    disableNagle(client);
    client.publish(this.availabilityTopic, this.availability.online, { qos: 1, retain: true }, (err) => {
      if (err) this.log.debug({ err: err.message }, 'online not acknowledged (connection lost)');
    });
    try {
      await this.subscribeNow([...this.filters], generation);
    } catch (err) {
      if (generation !== this.generation) return; // the connection went; onClose handles it
      this.emit('warning', err as EchosimError);
    }
    if (generation !== this.generation || this.current !== 'CONNECTING' || this.closing) return;
    this.cancelTimer();
    this.backoff.connected(this.clock.now());
    this.transition('CONNECTED', { sessionPresent });
    this.log.info({ sessionPresent, url: this.options.url }, 'connected');
  }

  private async subscribeNow(filters: string[], generation: number): Promise<void> {
    const client = this.client;
    if (!client || filters.length === 0) return;
    // mqtt.js fails the whole SUBSCRIBE when one filter is refused; the SUBACK says which.
    const { err, codes } = await new Promise<{ err: Error | null; codes: unknown[] | undefined }>((resolve) =>
      client.subscribe(filters, { qos: 1 }, (e, _granted, packet) => resolve({ err: e ?? null, codes: packet?.granted })),
    );
    if (!codes) {
      if (generation !== this.generation) return;
      throw this.notConnected(`subscribe to ${filters.join(', ')} did not complete: ${err?.message ?? 'no SUBACK'}`, err ?? undefined);
    }
    const refused = filters.filter((_, i) => typeof codes[i] !== 'number' || ((codes[i] as number) & 0x80) !== 0);
    if (refused.length > 0) {
      throw new EchosimError('MQTT_NOT_AUTHORIZED', `the broker refused the subscription to ${refused.join(', ')}`, {
        hint: `A device may subscribe only under echosim/v1/devices/${this.deviceId}/; check the broker's ACL for this device.`,
        details: { filters: refused },
      });
    }
  }

  private onClientError(err: Error & { code?: unknown }): void {
    this.error = describeClientError(err, this.options.url, this.deviceId, this.options.tls?.caSource);
    this.log.debug({ err: err.message, code: err.code }, 'mqtt client error');
  }

  /** The socket closed: in CONNECTING or CONNECTED that means back off and try again. */
  private onClose(): void {
    if (this.closing || (this.current !== 'CONNECTING' && this.current !== 'CONNECTED')) return;
    this.cancelTimer();
    this.generation++;
    this.backoff.disconnected(this.clock.now());
    const error =
      this.error ??
      (this.current === 'CONNECTING' && !isTlsBrokerUrl(this.options.url)
        ? new EchosimError('MQTT_CONNECT_FAILED', `the broker at ${this.options.url} closed the connection before accepting it`, {
            hint: 'A TLS port closes plain MQTT: use mqtts:// with --ca (echosim cloud --tls serves it on 8883). The device reconnects on its own with backoff.',
          })
        : new EchosimError('MQTT_CONNECT_FAILED', `connection to ${this.options.url} lost`, {
            hint: 'The device reconnects on its own with backoff.',
          }));
    this.error = error;
    const delayMs = this.backoff.next(this.clock.now());
    this.transition('BACKOFF', { delayMs, error });
    // A TLS failure does not go away by waiting (a wrong CA or name): said loudly, on the first attempt too.
    this.log[error.code.startsWith('TLS_') ? 'error' : 'warn']({ code: error.code, reason: error.message, delayMs, attempt: this.backoff.attempt }, 'disconnected; backing off');
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.error = undefined;
      this.attempt();
    }, delayMs);
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    try {
      this.emit('message', { topic, payload, qos: packet.qos, retain: packet.retain, dup: packet.dup });
    } catch (err) {
      // A listener's bug must not break the client's packet pump (and the PUBACK of this message).
      this.log.error({ err, topic }, 'message listener threw');
    }
  }

  private transition(to: ConnectionState, extra: Partial<ConnectionStateChange>): void {
    const from = this.current;
    if (from === to || from === 'CLOSED') return;
    this.current = to;
    this.emit('state', { from, to, at: this.clock.now(), attempt: this.backoff.attempt, ...extra });
  }

  private cancelTimer(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private checkFilter(filter: string): void {
    if (!maySubscribe(this.principal, filter)) {
      throw new EchosimError('MQTT_NOT_AUTHORIZED', `device ${this.deviceId} may not subscribe to ${filter}`, {
        hint: `A device subscribes only under echosim/v1/devices/${this.deviceId}/ (no wildcard above that level).`,
        details: { filter },
      });
    }
  }

  private notConnected(message: string, cause?: unknown): EchosimError {
    return new EchosimError('MQTT_NOT_CONNECTED', message, {
      hint: this.current === 'CLOSED' || this.closing ? 'The connection was closed; create a new one.' : 'Retry once the connection is back (state CONNECTED).',
      ...(cause === undefined ? {} : { cause }),
      details: { state: this.current },
    });
  }
}

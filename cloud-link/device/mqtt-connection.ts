import { EventEmitter } from 'node:events';
import { Store, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { isValidDeviceId, mayPublish, type Principal } from '../broker/acl.js';
import { checkBrokerUrl, describeClientError, isTlsBrokerUrl } from '../mqtt/mqtt-errors.js';
import { disableNagle } from '../mqtt/no-delay.js';
import { ReconnectBackoff } from '../mqtt/reconnect-backoff.js';
import { createMqttClient } from '../mqtt/stream-transport.js';
import { listenToClient } from './client-listeners.js';
import { connectionClosed, connectTimedOut, notConnected, publishNotAuthorized } from './connection-errors.js';
import { DeviceAvailability } from './device-availability.js';
import { DeviceSubscriptions } from './device-subscriptions.js';
import { connectTimeoutMs, mqttClientOptions, type MqttConnectionOptions } from './mqtt-connect-options.js';
import type { ConnectionState, ConnectionStateChange, MqttConnectionEvents, MqttMessage, PublishOptions } from './mqtt-connection-types.js';

export { describeClientError } from '../mqtt/mqtt-errors.js';
export type { ConnectionState, ConnectionStateChange, MqttConnectionEvents, MqttMessage, PublishOptions };
export type { MqttConnectionOptions };

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
 * - Persistent session: clientId = username = the device id, `clean: false` (mqtt-connect-options.ts).
 *   The broker queues QoS 1 messages for the device while it is away; the device's own unacknowledged
 *   QoS 1 publishes stay in one mqtt.js store for the life of this object and are retransmitted on
 *   every reconnect.
 * - Reconnects are ours, not mqtt.js' (`reconnectPeriod: 0`): full jitter with a fast window after a
 *   healthy connection drops and exponential growth past it (reconnect-backoff.ts), on the injected
 *   Clock, so tests drive them with a VirtualClock and every wait shows up as a BACKOFF `state` event
 *   with its `delayMs`. CONNECTED (CONNACK and every SUBACK) is what the policy counts as healthy.
 *   The connect timeout is on the Clock too. MQTT keepalive stays on mqtt.js' real timers: it is a
 *   property of the socket and the broker's timers.
 * - The QoS 1 subscriptions are re-made on every connect (device-subscriptions.ts); CONNECTED is
 *   reported once they are acknowledged, so a request published after it gets its answer.
 * - Availability (device-availability.ts): a retained last will `offline`, a retained `online` on
 *   every connect, and from `close()` a final retained `offline` before it disconnects; nothing is
 *   published after it. `close({ abrupt: true })` drops the socket like a power cut, so the broker
 *   publishes the will.
 * - A refused CONNECT (bad credentials, clientId mismatch) is reported as MQTT_NOT_AUTHORIZED and
 *   retried with backoff like any other failure: the cloud may register the device later.
 */
export class MqttConnection extends EventEmitter<MqttConnectionEvents> {
  readonly deviceId: string;
  readonly availabilityTopic: string;
  private readonly principal: Principal;
  private readonly clock: Clock;
  private readonly backoff: ReconnectBackoff;
  private readonly log: Logger;
  private readonly subscriptions: DeviceSubscriptions;
  private readonly availability: DeviceAvailability;
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
    if (options.streamTransport && (options.tls !== undefined || isTlsBrokerUrl(options.url))) {
      throw new EchosimError('TLS_CONFIG_INVALID', `device ${options.deviceId}: an in-process transport carries plain MQTT, but TLS was asked for (${options.url})`, {
        hint: 'Use the in-process transport only with the cloud of this process (mqtt:// URL, no CA), or connect over the network for TLS.',
      });
    }
    this.deviceId = options.deviceId;
    this.principal = { role: 'device', username: options.deviceId };
    this.availability = new DeviceAvailability(options.deviceId, options.availabilityPayloads);
    this.availabilityTopic = this.availability.topic;
    this.clock = options.clock;
    this.backoff = options.backoff instanceof ReconnectBackoff ? options.backoff : new ReconnectBackoff(options.backoff);
    this.log = (options.log ?? rootLogger()).child({ component: 'mqtt-connection', deviceId: options.deviceId });
    this.subscriptions = new DeviceSubscriptions(this.principal, options.subscriptions);
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
    const options = mqttClientOptions(this.options, this.availability.will(), this.stores);
    const client = createMqttClient(this.options.url, options, this.options.streamTransport);
    this.client = client;
    this.removeClientListeners = listenToClient(client, {
      connect: (packet) => void this.onConnack(packet.sessionPresent),
      error: (err) => this.onClientError(err),
      close: () => this.onClose(),
      message: (topic, payload, packet) => this.onMessage(topic, payload, packet),
    });
    this.attempt();
  }

  /**
   * Publishes on one of the device's own topics. QoS 1 resolves on PUBACK; while the connection is
   * down it is held and sent after the reconnect. Rejects once the connection is closed.
   */
  publish(topic: string, payload: string | Buffer | Uint8Array, options: PublishOptions = {}): Promise<void> {
    const qos = options.qos ?? 1;
    if (!mayPublish(this.principal, topic)) {
      return Promise.reject(publishNotAuthorized(this.deviceId, topic));
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
    const list = this.subscriptions.add(filters);
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
      if (!abrupt && this.connected) await this.availability.announceOffline(client, this.clock, this.options.closeTimeoutMs ?? 2000);
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

  private attempt(): void {
    const client = this.client;
    if (!client || this.closing) return;
    this.generation++;
    this.transition('CONNECTING', {});
    const generation = this.generation;
    this.timer = this.clock.setTimeout(() => {
      if (generation !== this.generation || this.current !== 'CONNECTING') return;
      this.error = connectTimedOut(this.options.url, connectTimeoutMs(this.options));
      client.stream?.destroy(); // ends in onClose, which backs off
    }, connectTimeoutMs(this.options));
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
    this.availability.announceOnline(client, this.log);
    try {
      await this.subscribeNow(this.subscriptions.all, generation);
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
    const outcome = await this.subscriptions.subscribe(client, filters);
    if (outcome.acked || generation !== this.generation) return;
    throw this.notConnected(`subscribe to ${filters.join(', ')} did not complete: ${outcome.err?.message ?? 'no SUBACK'}`, outcome.err ?? undefined);
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
    const error = this.error ?? connectionClosed(this.options.url, this.current === 'CONNECTING');
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

  private notConnected(message: string, cause?: unknown): EchosimError {
    return notConnected(message, this.current, this.current === 'CLOSED' || this.closing !== undefined, cause);
  }
}

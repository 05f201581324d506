import { EventEmitter } from 'node:events';
import { Store, type MqttClient } from 'mqtt';
import { checkBrokerUrl } from '../../mqtt/mqtt-errors.js';
import { disableNagle } from '../../mqtt/no-delay.js';
import { createMqttClient, type MqttStreamTransport } from '../../mqtt/stream-transport.js';
import { pinnedIdentity, tlsConnectOptions, type ClientTlsOptions } from '../../tls/client-tls.js';
import { describeTlsError } from '../../tls/tls-errors.js';
import { CLOUD_USERNAME, cloudSubscriptions, subscriptionFilter, topicSpec, topicFor, type TopicKind, type TopicParams } from '../../protocol/topics.js';
import { EchosimError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { ReconnectBackoff, ReconnectBackoffOptions } from '../../mqtt/reconnect-backoff.js';
import { CLOUD_RECONNECT, Reconnector } from './reconnector.js';

/**
 * The cloud's one MQTT connection: username and client id `echosim-cloud`, password the admin token.
 * A persistent session (clean: false) with QoS 1 subscriptions to every device-published topic, so
 * a cloud restart loses nothing the broker queued meanwhile. Reconnects are reconnector.ts' (fast
 * after a broker restart, backing off from a broker that is gone or keeps kicking the client); after
 * one, the subscriptions are made again if the broker lost the session, and unacknowledged QoS 1
 * publishes are retransmitted from the client's store.
 *
 * MQTT 3.1.1 by default. With `protocolVersion: 5` (the cloud uses it with the Mosquitto it manages)
 * the session never expires, as a 3.1.1 persistent session, and the subscriptions are no-local (the
 * cloud never needs its own messages back) and retain-as-published except availability, so a device's
 * stray retained message arrives flagged and can be cleared (stray-retained.ts).
 */

/** How often a QoS 1 publish is tried when the connection keeps dropping before it is sent. */
const MAX_PUBLISH_ATTEMPTS = 5;

export interface CloudClientEvents {
  message: [{ topic: string; payload: Buffer; retain: boolean }];
  connected: [{ sessionPresent: boolean }];
  disconnected: [];
  /** A reconnect was scheduled in `delayMs` (real time). */
  backoff: [{ delayMs: number; attempt: number }];
}

export interface CloudClientOptions {
  url: string;
  /** The admin token (the cloud's broker password). */
  password: string;
  log: Logger;
  /** How long start-up waits for the broker to accept the cloud, ms (default 10 s). */
  connectDeadlineMs?: number;
  /** The reconnect policy; default CLOUD_RECONNECT (reconnector.ts). */
  backoff?: ReconnectBackoff | ReconnectBackoffOptions;
  /** For `mqtts://`: the CA the broker's certificate must chain to (`--broker-ca`). */
  tls?: ClientTlsOptions;
  /**
   * The broker is this process's own: instead of a name check, its certificate must be exactly this
   * one (the current PEM; it changes on renewal). The chain is still verified against `tls.ca`.
   */
  pinnedCertificate?: () => string;
  /** How each attempt reaches the broker instead of a socket to `url` (its embedded broker in this process). */
  streamTransport?: MqttStreamTransport;
  /** MQTT 3.1.1 (default) or 5 (the broker must support it: Mosquitto does, aedes only through the embedded broker's adapter). */
  protocolVersion?: 4 | 5;
}

/** An MQTT 5 session that lasts until the broker drops it, as a 3.1.1 persistent session does. */
const SESSION_NEVER_EXPIRES = 0xffffffff;
/** Messages kept until the cloud starts delivering (a resumed session's queue); more are dropped. */
const MAX_EARLY_MESSAGES = 10_000;

export class CloudClient extends EventEmitter<CloudClientEvents> {
  private readonly client: MqttClient;
  private readonly reconnector: Reconnector;
  private closed = false;
  /** Set once the first connection has subscribed; later connects resubscribe if the session is gone. */
  private subscribedOnce = false;
  /** Between a connect and the next close; publishes wait for it (publish()). */
  private up = false;
  /** Publishes waiting for the next connect. */
  private readonly waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  /** Messages that arrived before startDelivery(): a persistent session's queue comes right after CONNACK. */
  private early: Array<CloudClientEvents['message'][0]> | undefined = [];
  private droppedEarly = 0;

  private constructor(
    client: MqttClient,
    reconnector: Reconnector,
    private readonly v5: boolean,
    private readonly log: Logger,
  ) {
    super();
    this.client = client;
    this.reconnector = reconnector;
    reconnector.on('scheduled', (b) => this.emit('backoff', b));
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload, retain: packet.retain };
      if (!this.early) this.emit('message', m);
      else if (this.early.length < MAX_EARLY_MESSAGES) this.early.push(m);
      else this.droppedEarly++;
    });
    client.on('connect', (connack) => {
      disableNagle(client);
      this.log.info({ sessionPresent: connack.sessionPresent }, 'cloud connected to the broker');
      if (this.subscribedOnce) void this.afterReconnect(connack.sessionPresent);
      this.up = true;
      for (const w of this.waiting.splice(0)) w.resolve();
      this.emit('connected', { sessionPresent: connack.sessionPresent });
    });
    client.on('close', () => {
      this.up = false;
      if (!this.closed) this.log.warn('cloud lost its broker connection; reconnecting');
      this.emit('disconnected');
    });
    // Once closing, messages the broker sent before the DISCONNECT still arrive and mqtt.js answers them
    // on the ended stream ("write after end"): expected, so not a warning.
    client.on('error', (err) => this.log[this.closed ? 'debug' : 'warn']({ err: err.message }, 'cloud MQTT error'));
  }

  /** Connects, subscribes to every device topic and resolves once both are done. */
  static async connect(options: CloudClientOptions): Promise<CloudClient> {
    checkBrokerUrl(options.url, options.tls);
    const v5 = options.protocolVersion === 5;
    const stores = { incomingStore: new Store(), outgoingStore: new Store() };
    const client = createMqttClient(options.url, {
      ...tlsConnectOptions(options.tls),
      ...(options.pinnedCertificate ? { checkServerIdentity: pinnedIdentity(options.pinnedCertificate) } : {}),
      protocolVersion: v5 ? 5 : 4,
      ...(v5 ? { properties: { sessionExpiryInterval: SESSION_NEVER_EXPIRES } } : {}),
      clientId: CLOUD_USERNAME,
      username: CLOUD_USERNAME,
      password: options.password,
      clean: false,
      keepalive: 30,
      reconnectPeriod: 0, // the Reconnector's
      connectTimeout: 10_000,
      resubscribe: false, // afterReconnect()
      queueQoSZero: false,
      ...stores,
    }, options.streamTransport);
    const cloud = new CloudClient(client, new Reconnector(client, stores, options.backoff ?? CLOUD_RECONNECT), v5, options.log);
    const deadlineMs = options.connectDeadlineMs ?? 10_000;
    try {
      // The Reconnector retries after a refusal or a failed attempt: wait for the first success, up
      // to a deadline (a broker that was just told to reread its password file may refuse once).
      // A TLS failure (wrong CA, wrong name) will not change by waiting: it ends the wait at once.
      await new Promise<void>((resolve, reject) => {
        let lastError: Error | undefined;
        const stop = (): void => {
          clearTimeout(timer);
          client.off('connect', onConnect);
          client.off('error', onError);
        };
        const timer = setTimeout(() => {
          stop();
          reject(lastError ?? new Error(`no answer within ${deadlineMs} ms`));
        }, deadlineMs);
        const onConnect = (): void => {
          stop();
          resolve();
        };
        const onError = (err: Error): void => {
          lastError = err;
          if (describeTlsError(err, options.url, undefined)) {
            stop();
            reject(err);
          }
        };
        client.once('connect', onConnect);
        client.on('error', onError);
      });
      await cloud.subscribe();
      cloud.subscribedOnce = true;
      cloud.reconnector.healthy();
    } catch (err) {
      cloud.reconnector.stop();
      client.end(true);
      const tlsError = describeTlsError(err as Error, options.url, options.tls?.caSource);
      if (tlsError) throw tlsError;
      const code = (err as { code?: unknown }).code;
      throw new EchosimError('MQTT_CONNECT_FAILED', `the cloud could not connect to the broker at ${options.url}: ${(err as Error).message}`, {
        hint:
          code === 5 || code === 4 || code === 135 || code === 134
            ? 'The broker refused the cloud\'s login: it must accept username echosim-cloud with the admin token (see --mosquitto-auth).'
            : 'Is the broker running and reachable? Check --broker.',
        cause: err,
      });
    }
    return cloud;
  }

  /**
   * A publish that waits out a lost connection instead of joining mqtt.js' store. mqtt.js keeps what
   * is published while disconnected and, after the reconnect, resends it one message at a time, each
   * waiting for its PUBACK, with every newer publish queued behind: after a broker outage with a
   * profile flashed meanwhile, the cloud resent 100 stale deltas one by one while the answers to the
   * devices' shadow requests waited seconds behind them. Held here, they all go out at once after the
   * connect. And if the connection drops during mqtt.js' replay, it fails what it queued behind with
   * "Connection closed", unsent (measured: the embedded broker dropped the cloud in that window after
   * a restart): those are sent again after the next connect, a few times at most.
   */
  private async publish(topic: string, payload: string | Buffer, options: { qos: 0 | 1; retain: boolean }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (!this.up && options.qos === 1 && !this.closed) await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
      try {
        await this.client.publishAsync(topic, payload, options);
        return;
      } catch (err) {
        if (options.qos === 0 || this.closed || attempt >= MAX_PUBLISH_ATTEMPTS || (err as Error).message !== 'Connection closed') throw err;
      }
    }
  }

  private async subscribe(): Promise<void> {
    const filters = [...cloudSubscriptions(), ...this.extraFilters];
    await this.client.subscribeAsync(Object.fromEntries(filters.map((topic) => [topic, subscriptionOptions(topic, this.v5)])));
  }

  /** Filters outside the device protocol (Home Assistant's status), kept across reconnects. */
  private readonly extraFilters: string[] = [];

  /** Subscribes to `filter` now and after every reconnect that lost the session. */
  async subscribeAlso(filter: string): Promise<void> {
    if (!this.extraFilters.includes(filter)) this.extraFilters.push(filter);
    await this.client.subscribeAsync({ [filter]: subscriptionOptions(filter, this.v5) });
  }

  /** Publishes outside the device protocol (Home Assistant discovery and state), through the same outage-aware path. */
  async publishOther(topic: string, payload: string | Buffer, options: { qos: 0 | 1; retain: boolean }): Promise<void> {
    await this.publish(topic, payload, options);
  }

  /** A reconnect: the broker kept the session (and its subscriptions), or they are made again. */
  private async afterReconnect(sessionPresent: boolean): Promise<void> {
    try {
      if (!sessionPresent) await this.subscribe();
      this.reconnector.healthy();
    } catch (err) {
      // the connection went again before the SUBACK: the next connect tries again
      this.log.warn({ err: (err as Error).message }, 'cloud could not subscribe after reconnecting');
    }
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Starts emitting `message`, first with what arrived since connecting: what the broker queued for
   * the cloud's persistent session while it was down (device requests) is handled, not lost before
   * the cloud had a listener. Call once the listeners are attached.
   */
  startDelivery(): void {
    const early = this.early ?? [];
    this.early = undefined;
    if (this.droppedEarly > 0) this.log.warn({ dropped: this.droppedEarly }, 'messages queued for the cloud dropped: too many before it started');
    for (const m of early) this.emit('message', m);
  }

  /** Publishes a protocol message to one device with its topic's QoS and retain flag; resolves on PUBACK (QoS 1). */
  async publishTo(kind: TopicKind, deviceId: string, payload: string | Buffer, params: TopicParams = {}): Promise<void> {
    const spec = topicSpec(kind);
    if (spec.publisher !== 'cloud') throw new EchosimError('PROTOCOL_MESSAGE_INVALID', `${kind} is published by devices, not the cloud`);
    await this.publish(topicFor(kind, deviceId, params), payload, { qos: spec.qos, retain: spec.retain });
  }

  /** Clears a retained message (e.g. a deregistered device's availability). */
  async clearRetained(topic: string): Promise<void> {
    await this.publish(topic, Buffer.alloc(0), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new EchosimError('MQTT_NOT_CONNECTED', 'the cloud client is closed', { hint: 'The cloud is stopping.' }));
    this.reconnector.stop();
    // mqtt.js' graceful end waits, without limit, until every in-flight QoS 1 message is acknowledged,
    // which may never happen (the broker dropped this client when its queue overflowed, and what was
    // in flight then is not acknowledged on the next connection). So: at most CLOSE_FLUSH_MS for the
    // acks while connected, then the end is forced.
    const flushed = this.client.connected && (await this.inFlightAcknowledged(CLOSE_FLUSH_MS));
    await this.client.endAsync(!flushed);
    this.removeAllListeners();
  }

  private inFlightAcknowledged(withinMs: number): Promise<boolean> {
    if (Object.keys(this.client.outgoing).length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (acked: boolean): void => {
        clearTimeout(timer);
        this.client.off('outgoingEmpty', onEmpty);
        resolve(acked);
      };
      const onEmpty = (): void => done(true);
      const timer = setTimeout(() => done(false), withinMs);
      this.client.on('outgoingEmpty', onEmpty);
    });
  }
}

/** How long close() waits for in-flight messages to be acknowledged before it ends the connection anyway. */
const CLOSE_FLUSH_MS = 2000;

/** QoS 1; over MQTT 5 also no-local, and retain-as-published except on availability (see the class). */
function subscriptionOptions(filter: string, v5: boolean): { qos: 1; nl?: boolean; rap?: boolean } {
  if (!v5) return { qos: 1 };
  return { qos: 1, nl: true, rap: filter !== subscriptionFilter('availability') };
}

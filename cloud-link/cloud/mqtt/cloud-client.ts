import { EventEmitter } from 'node:events';
import { connect, type MqttClient } from 'mqtt';
import { checkBrokerUrl } from '../../device/mqtt-errors.js';
import { disableNagle } from '../../device/no-delay.js';
import { pinnedIdentity, tlsConnectOptions, type ClientTlsOptions } from '../../tls/client-tls.js';
import { describeTlsError } from '../../tls/tls-errors.js';
import { CLOUD_USERNAME, cloudSubscriptions, subscriptionFilter, topicSpec, topicFor, type TopicKind, type TopicParams } from '../../protocol/topics.js';
import { EchosimError } from '../../../hal/errors.js';
import type { Logger } from '../../../hal/log.js';

/**
 * The cloud's one MQTT connection: username and client id `echosim-cloud`, password the admin token.
 * A persistent session (clean: false) with QoS 1 subscriptions to every device-published topic, so
 * a cloud restart loses nothing the broker queued meanwhile; mqtt.js resubscribes after a broker
 * restart and retransmits unacknowledged QoS 1 publishes from its store.
 *
 * MQTT 3.1.1 by default. With `protocolVersion: 5` (the cloud uses it with the Mosquitto it manages)
 * the session never expires, as a 3.1.1 persistent session, and the subscriptions are no-local (the
 * cloud never needs its own messages back) and retain-as-published except availability, so a device's
 * stray retained message arrives flagged and can be cleared (stray-retained.ts).
 */

export interface CloudClientEvents {
  message: [{ topic: string; payload: Buffer; retain: boolean }];
  connected: [{ sessionPresent: boolean }];
  disconnected: [];
}

export interface CloudClientOptions {
  url: string;
  /** The admin token (the cloud's broker password). */
  password: string;
  log: Logger;
  /** How long start-up waits for the broker to accept the cloud, ms (default 10 s). */
  connectDeadlineMs?: number;
  /** Reconnect period after a lost connection, ms (default 1000). */
  reconnectPeriodMs?: number;
  /** For `mqtts://`: the CA the broker's certificate must chain to (`--broker-ca`). */
  tls?: ClientTlsOptions;
  /**
   * The broker is this process's own: instead of a name check, its certificate must be exactly this
   * one (the current PEM; it changes on renewal). The chain is still verified against `tls.ca`.
   */
  pinnedCertificate?: () => string;
  /** MQTT 3.1.1 (default) or 5 (the broker must support it: Mosquitto does, aedes only through the embedded broker's adapter). */
  protocolVersion?: 4 | 5;
}

/** An MQTT 5 session that lasts until the broker drops it, as a 3.1.1 persistent session does. */
const SESSION_NEVER_EXPIRES = 0xffffffff;
/** Messages kept until the cloud starts delivering (a resumed session's queue); more are dropped. */
const MAX_EARLY_MESSAGES = 10_000;

export class CloudClient extends EventEmitter<CloudClientEvents> {
  private readonly client: MqttClient;
  private closed = false;
  /** Messages that arrived before startDelivery(): a persistent session's queue comes right after CONNACK. */
  private early: Array<CloudClientEvents['message'][0]> | undefined = [];
  private droppedEarly = 0;

  private constructor(client: MqttClient, private readonly log: Logger) {
    super();
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload, retain: packet.retain };
      if (!this.early) this.emit('message', m);
      else if (this.early.length < MAX_EARLY_MESSAGES) this.early.push(m);
      else this.droppedEarly++;
    });
    client.on('connect', (connack) => {
      disableNagle(client);
      this.log.info({ sessionPresent: connack.sessionPresent }, 'cloud connected to the broker');
      this.emit('connected', { sessionPresent: connack.sessionPresent });
    });
    client.on('close', () => {
      if (!this.closed) this.log.warn('cloud lost its broker connection; reconnecting');
      this.emit('disconnected');
    });
    client.on('error', (err) => this.log.warn({ err: err.message }, 'cloud MQTT error'));
  }

  /** Connects, subscribes to every device topic and resolves once both are done. */
  static async connect(options: CloudClientOptions): Promise<CloudClient> {
    checkBrokerUrl(options.url, options.tls);
    const v5 = options.protocolVersion === 5;
    const client = connect(options.url, {
      ...tlsConnectOptions(options.tls),
      ...(options.pinnedCertificate ? { checkServerIdentity: pinnedIdentity(options.pinnedCertificate) } : {}),
      protocolVersion: v5 ? 5 : 4,
      ...(v5 ? { properties: { sessionExpiryInterval: SESSION_NEVER_EXPIRES } } : {}),
      clientId: CLOUD_USERNAME,
      username: CLOUD_USERNAME,
      password: options.password,
      clean: false,
      keepalive: 30,
      reconnectPeriod: options.reconnectPeriodMs ?? 1000,
      connectTimeout: 10_000,
      resubscribe: true,
      queueQoSZero: false,
    });
    const cloud = new CloudClient(client, options.log);
    const deadlineMs = options.connectDeadlineMs ?? 10_000;
    try {
      // mqtt.js retries on its own after a refusal or a failed attempt: wait for the first success,
      // up to a deadline (a broker that was just told to reread its password file may refuse once).
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
      await client.subscribeAsync(Object.fromEntries(cloudSubscriptions().map((topic) => [topic, subscriptionOptions(topic, v5)])));
    } catch (err) {
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
    await this.client.publishAsync(topicFor(kind, deviceId, params), payload, { qos: spec.qos, retain: spec.retain });
  }

  /** Clears a retained message (e.g. a deregistered device's availability). */
  async clearRetained(topic: string): Promise<void> {
    await this.client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.endAsync();
    this.removeAllListeners();
  }
}

/** QoS 1; over MQTT 5 also no-local, and retain-as-published except on availability (see the class). */
function subscriptionOptions(filter: string, v5: boolean): { qos: 1; nl?: boolean; rap?: boolean } {
  if (!v5) return { qos: 1 };
  return { qos: 1, nl: true, rap: filter !== subscriptionFilter('availability') };
}

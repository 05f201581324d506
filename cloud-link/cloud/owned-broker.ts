import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/log.js';
import { EchosimError } from '../../core/errors.js';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { EmbeddedBrokerOptions } from '../broker/broker-types.js';
import { refusedConnection } from '../broker/in-memory-connection.js';
import type { ServerTlsMaterial } from './server-tls.js';
import type { MqttStreamTransport } from '../mqtt/stream-transport.js';

export interface OwnedBrokerOptions {
  host: string;
  port: number;
  /** Asked at every start, so a restarted broker sees the registry as it is then. */
  authenticate: () => EmbeddedBrokerOptions['authenticate'];
  /** The certificate to serve at every start (renewals included); undefined: plain MQTT. */
  tls: () => ServerTlsMaterial | undefined;
  log: Logger;
}

/**
 * The embedded broker the cloud runs by default, and the outage it can stage: `pause()` stops it and
 * closes its port (clients see a broker down, devices' last wills fire), `resume()` starts it again
 * on the same address with the same persistence (sessions, subscriptions, retained and queued QoS 1
 * messages, in memory: a restart of the whole process loses them; Mosquitto with persistence is the
 * answer where that matters).
 */
export class OwnedBroker {
  private running: EmbeddedBroker | undefined;
  /** The broker while pause() has it stopped: its address and persistence for resume(). */
  private paused: EmbeddedBroker | undefined;

  private constructor(private readonly options: OwnedBrokerOptions) {}

  static async start(options: OwnedBrokerOptions): Promise<OwnedBroker> {
    const owned = new OwnedBroker(options);
    owned.running = await owned.startOne(options.host, options.port, undefined);
    return owned;
  }

  /** mqtt://host:port (mqtts:// with TLS) as first bound. */
  get url(): string {
    return (this.running ?? this.paused)?.url ?? '';
  }

  updateTls(material: ServerTlsMaterial): void {
    this.running?.updateTls(material);
  }

  /** Drops a client's connection (a deregistered device). */
  disconnect(clientId: string): void {
    this.running?.disconnect(clientId);
  }

  /** How a client in this process connects without a socket (MqttConnectionOptions.streamTransport). */
  readonly transport: MqttStreamTransport = { open: () => this.connectInMemory() };

  /** A connection from this process without a socket; refused while paused, as its port is closed. */
  connectInMemory(): Duplex {
    const b = this.running;
    if (b) return b.connectInMemory();
    return refusedConnection(`${this.paused?.host ?? this.options.host}:${this.paused?.port ?? this.options.port}`);
  }

  async pause(): Promise<void> {
    const b = this.running;
    if (!b) return;
    this.running = undefined;
    this.paused = b;
    await b.close();
  }

  async resume(): Promise<void> {
    const old = this.paused;
    if (this.running || !old) return;
    this.running = await this.startOne(old.host, old.port, old.persistence);
    this.paused = undefined;
  }

  async close(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }

  private startOne(host: string, port: number, persistence: unknown): Promise<EmbeddedBroker> {
    const tls = this.options.tls();
    return EmbeddedBroker.start({
      host,
      port,
      authenticate: this.options.authenticate(),
      ...(persistence === undefined ? {} : { persistence }),
      ...(tls ? { tls } : {}),
      log: this.options.log,
    });
  }
}

/** What the outage controls throw when the cloud uses an external broker, which it does not own. */
export function notOwnedBroker(): EchosimError {
  return new EchosimError('MQTT_BROKER_FAILED', 'the cloud does not run this broker', { hint: 'Restart the external broker itself.' });
}

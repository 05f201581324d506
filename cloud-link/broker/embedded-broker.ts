import { EventEmitter } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { isValidDeviceId, type BrokerRole, type Principal } from './acl.js';
import type { Authenticate, BrokerDenial, EmbeddedBrokerEvents, EmbeddedBrokerOptions } from './broker-types.js';
import type { ListenerTls } from '../tls/listener-tls.js';
import { createBrokerListener, updateListenerTls } from './listener.js';
import { publishRefusal, subscribeRefusal, type PublishAttempt } from './broker-rules.js';
import { ConnectionIntake } from './connection-intake.js';
import { IN_MEMORY_SOURCE, refusedConnection } from './in-memory-connection.js';
import { memoryDuplexPair } from './memory-duplex.js';
import { limitOutgoingQueues, type QueueLimits, type QueueOverflow } from './queue-limit.js';
import { loggableTopic, MAX_TOPIC_LEVELS } from './topic-rules.js';

/**
 * The MQTT broker `echosim cloud` runs by default: aedes on a plain TCP listener, or a TLS one with
 * `tls` (listener.ts), with the echosim rules built in. Clients speak MQTT 3.1.1 (or 3.1) to aedes directly, or MQTT 5 through an adapter
 * (connection-intake.ts, mqtt5-adapter.ts), which answers the refusals below with v5 reason codes.
 *
 * - CONNECT needs a username and password that `authenticate` accepts; anonymous clients and wrong
 *   credentials get CONNACK 5 "not authorized" (what Mosquitto 2.0 answers too). When `authenticate`
 *   says 'throttled' (too many failed logins from that source) the answer is CONNACK 3 "server
 *   unavailable", which devices treat as "retry later" with their backoff.
 * - The clientId must equal the username (CONNACK 2 "identifier rejected" otherwise), so one device
 *   cannot take over another device's persistent session by using its id. Mosquitto gets the same
 *   guarantee from `use_username_as_clientid` (mosquitto-config.ts).
 * - A last will outside the client's ACL is refused at CONNECT (CONNACK 5), so a device cannot plant
 *   an `offline` on another device's availability topic.
 * - SUBSCRIBE outside the ACL (acl.ts) is refused with SUBACK 0x80; PUBLISH outside it closes the
 *   connection (MQTT-3.3.5-2 allows either acknowledging and dropping, as Mosquitto does, or closing;
 *   closing makes a misbehaving device visible).
 * - Before the ACL, every topic's shape is checked (topic-rules.ts: no empty level, no wildcard or
 *   NUL in a topic name, bounded length and levels, valid UTF-8), and a retained PUBLISH or will is
 *   accepted only on the protocol's retained topics (availability): refused like a PUBLISH outside
 *   the ACL (broker-rules.ts).
 * - Every connection goes through a framing guard (packet-guard.ts) that closes it when a packet's
 *   fixed header announces more than the client's role may send (packet-limits.ts), before aedes
 *   buffers the body; what aedes queues per client is capped (queue-limit.ts); a device that stops
 *   reading is dropped once MAX_WAITING_DELIVERIES wait for it, any client after DRAIN_TIMEOUT_MS,
 *   rather than holding deliveries to everyone.
 *
 * Sessions and QoS 1 queues for offline clients use aedes' in-memory persistence: they survive a
 * client's reconnect, not a restart of this broker. A device's subscriptions are re-made on every
 * connect (mqtt-connection.ts) and its unacknowledged publishes are retransmitted from its own store,
 * so a broker restart loses only what the broker had queued for clients that were offline at the
 * time. Use Mosquitto with persistence (`--broker`) where that matters.
 */
/** CONNACK return codes of MQTT 3.1.1 (aedes' AuthErrorCode is a const enum, unusable here). */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const NOT_AUTHORIZED = 5;

/**
 * How long a client may leave the broker's writes to it unread before it is dropped. Until then each
 * delivery to it holds one of aedes' `concurrency` delivery slots; once every slot waits on it, no one
 * gets anything. Long enough for a Raspberry Pi on Wi-Fi to take a 1.3 MB answer.
 */
const DRAIN_TIMEOUT_MS = 10_000;
/** Deliveries in progress at once (aedes' default). */
const CONCURRENCY = 100;
/** Inbound QoS 2 messages one client may leave waiting for PUBREL (aedes' default). */
const MAX_INFLIGHT_INBOUND = 1000;
/** What aedes queues per client (queue-limit.ts); the messages as Mosquitto's max_queued_messages. */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = { maxMessages: 1000, maxBytes: 32 * 1024 * 1024 };
/**
 * What aedes queues for the cloud's own client. Every device answers a room-wide UpdateProfile or a
 * reconnect at once, so the cloud has about one message in flight per device: with the devices' 1,000 a
 * fleet of 1,000 devices overflowed it, the cloud was dropped and every device fell back on its retries.
 * Still a ceiling (the cloud is trusted, but a broker's memory is bounded whoever is slow): 100,000
 * messages, 256 MiB.
 */
export const CLOUD_QUEUE_LIMITS: Readonly<QueueLimits> = { maxMessages: 100_000, maxBytes: 256 * 1024 * 1024 };

export class EmbeddedBroker extends EventEmitter<EmbeddedBrokerEvents> {
  /** Who each authenticated client is. */
  private readonly principals = new WeakMap<Client, Principal>();
  /** The will of each CONNECT, seen in preConnect, checked once the user is known. */
  private readonly wills = new WeakMap<Client, PublishAttempt>();
  /** Connections on their way to aedes: the framing guard, the MQTT 5 adapter. */
  private readonly intake: ConnectionIntake;
  /** The role each client id logged in with (a client id is its username), for its queue limit. */
  private readonly roles = new Map<string, BrokerRole>();
  /** Message drops by the queue limit, per client, to log the first of each run once. */
  private readonly overflowing = new Set<string>();
  /** Open connections, over TCP and in memory (close() drops those aedes has not taken yet). */
  private readonly sockets = new Set<Duplex>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly aedes: Aedes,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly log: Logger,
    /** Whether it serves `mqtts://`. */
    readonly tls: boolean,
  ) {
    super();
    this.intake = new ConnectionIntake({
      aedes,
      principalOf: (client) => this.principals.get(client),
      deny: (denial) => this.deny(denial),
      maxInflightInbound: MAX_INFLIGHT_INBOUND,
      log,
    });
  }

  /** Starts the broker and resolves once it accepts connections. */
  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const host = options.host ?? '127.0.0.1';
    const log = (options.log ?? rootLogger()).child({ component: 'mqtt-broker' });
    // The aedes handlers close over `broker`, which exists once the listener is up.
    let broker: EmbeddedBroker | undefined;
    const aedes = await Aedes.createBroker({
      // Device ids are up to 64 characters (MQTT 3.1 capped client ids at 23).
      maxClientsIdLength: 128,
      maxTopicLevels: MAX_TOPIC_LEVELS,
      concurrency: CONCURRENCY,
      drainTimeout: DRAIN_TIMEOUT_MS,
      maxInflightInbound: MAX_INFLIGHT_INBOUND,
      ...(options.persistence === undefined ? {} : { persistence: options.persistence }),
      preConnect: (client, packet, done) => {
        broker?.rememberWill(client, packet);
        done(null, true);
      },
      authenticate: (client, username, password, done) => {
        if (!broker) return done(refusal(SERVER_UNAVAILABLE, 'broker starting'), null);
        broker.authenticateClient(client, username, password, options.authenticate).then(
          () => done(null, true),
          (err: AuthenticateError) => done(err, null),
        );
      },
      authorizePublish: (client, packet, done) => {
        if (broker) broker.authorizePublish(client, packet, done);
        else done(new Error('broker starting'));
      },
      authorizeSubscribe: (client, sub, done) => {
        if (broker) broker.authorizeSubscribe(client, sub, done);
        else done(new Error('broker starting'));
      },
      authorizeForward: (client, packet) => (broker ? broker.intake.forward(client, packet) : packet),
    });
    limitOutgoingQueues(
      (aedes as unknown as { persistence: unknown }).persistence,
      (clientId) => (broker?.roles.get(clientId) === 'cloud' ? CLOUD_QUEUE_LIMITS : DEFAULT_QUEUE_LIMITS),
      (o) => broker?.queueOverflow(o),
    );
    const server = createBrokerListener((socket) => (broker ? broker.intake.accept(socket) : socket.destroy()), options.tls);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 1883, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      const code = (err as NodeJS.ErrnoException).code;
      throw new EchosimError('MQTT_BROKER_FAILED', `cannot listen on ${host}:${options.port ?? 1883}: ${(err as Error).message}`, {
        hint: code === 'EADDRINUSE' ? 'Another broker is using that port: stop it or pick another port (0 picks a free one).' : 'Check the host and port.',
        cause: err,
      });
    }
    const port = (server.address() as AddressInfo).port;
    broker = new EmbeddedBroker(aedes, server, host, port, log, options.tls !== undefined);
    broker.wire();
    log.info({ host, port, tls: options.tls !== undefined }, 'embedded MQTT broker listening');
    return broker;
  }

  /** `mqtt://host:port` (`mqtts://` with TLS), for mqtt.connect. */
  get url(): string {
    return `${this.tls ? 'mqtts' : 'mqtt'}://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** The broker's persistence, to hand to its replacement (EmbeddedBrokerOptions.persistence). */
  get persistence(): unknown {
    return (this.aedes as unknown as { persistence: unknown }).persistence;
  }

  /** Serves a renewed certificate from the next handshake on (TLS brokers only). */
  updateTls(tls: ListenerTls): void {
    if (this.tls) updateListenerTls(this.server, tls);
  }

  /** Clients connected right now. */
  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  /**
   * Drops one client's connection at once (a deregistered device, whose credentials stop working
   * for new connections but would otherwise keep its open one). Returns whether it was connected.
   */
  disconnect(clientId: string): boolean {
    // aedes keeps its clients by id (aedes.js `this.clients`), untyped in its .d.ts
    const clients = (this.aedes as unknown as { clients: Readonly<Record<string, Client | undefined>> }).clients;
    const client = clients[clientId];
    if (!client) return false;
    client.close();
    this.log.info({ clientId }, 'client disconnected by the broker owner');
    return true;
  }

  /**
   * A client connection from this process without a socket (cloud-link/mqtt/stream-transport.ts):
   * through the same intake (framing guard, MQTT 5 adapter), authentication and ACL as a TCP client,
   * and dropped by close() like one. Refused (ECONNREFUSED) once the broker is closing.
   */
  connectInMemory(): Duplex {
    if (this.closing) return refusedConnection(`${this.host}:${this.port}`);
    const [clientSide, brokerSide] = memoryDuplexPair();
    this.track(brokerSide);
    this.intake.accept(brokerSide, IN_MEMORY_SOURCE);
    return clientSide;
  }

  /**
   * Disconnects every client, stops listening and releases every handle (no timers or sockets are
   * left). As with any broker going down, clients see their connection drop; the wills of clients
   * dropped first may still reach those dropped later. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
      // Connections that never completed CONNECT are not aedes clients yet.
      for (const socket of this.sockets) socket.destroy();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.removeAllListeners();
      this.log.info({ port: this.port }, 'embedded MQTT broker closed');
    })();
    return this.closing;
  }

  private queueOverflow(o: QueueOverflow): void {
    if (this.overflowing.has(o.clientId)) return;
    this.overflowing.add(o.clientId);
    this.log.warn(o, 'client queue full: messages for it are dropped until it catches up');
  }

  private wire(): void {
    this.server.on('connection', (socket) => this.track(socket));
    this.aedes.on('clientReady', (client) => {
      this.overflowing.delete(client.id);
      const principal = this.principals.get(client);
      if (principal) this.emit('connected', { clientId: client.id, principal });
    });
    this.aedes.on('clientDisconnect', (client) => {
      this.overflowing.delete(client.id);
      const principal = this.principals.get(client);
      if (principal) this.emit('disconnected', { clientId: client.id, principal });
    });
    this.aedes.on('clientError', (client, err) => this.log.debug({ clientId: client.id, err: err.message }, 'client error'));
    this.aedes.on('connectionError', (client, err) => this.log.debug({ clientId: client.id, err: err.message }, 'connection error'));
    // Persistence failures surface here; without a listener they would crash the process.
    (this.aedes as EventEmitter).on('error', (err: Error) => this.log.error({ err }, 'broker error'));
  }

  private track(connection: Duplex): void {
    this.sockets.add(connection);
    connection.once('close', () => this.sockets.delete(connection));
  }

  private rememberWill(client: Client, packet: ConnectPacket): void {
    const will = packet.will;
    if (will) this.wills.set(client, { topic: will.topic, retain: will.retain ?? false, payloadBytes: will.payload === undefined ? 0 : Buffer.byteLength(will.payload) });
  }

  private deny(denial: BrokerDenial): void {
    this.log.warn(denial, `refused ${denial.action}`);
    this.emit('denied', denial);
  }

  private async authenticateClient(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    authenticate: Authenticate,
  ): Promise<void> {
    const refuse = (code: number, reason: string): AuthenticateError => {
      this.deny({ action: 'connect', clientId: client.id, username, reason });
      return refusal(code, reason);
    };
    if (username === undefined || username === '' || password === undefined) throw refuse(NOT_AUTHORIZED, 'anonymous');
    let answer: BrokerRole | 'throttled' | undefined;
    try {
      answer = await authenticate(username, password.toString('utf8'), { remoteAddress: this.intake.remoteAddressOf(client) });
    } catch (err) {
      this.log.error({ err, username }, 'authenticate failed');
      throw refuse(SERVER_UNAVAILABLE, 'credential check failed');
    }
    if (answer === 'throttled') throw refuse(SERVER_UNAVAILABLE, 'too many failed logins; retry later');
    const role = answer;
    if (role === undefined) throw refuse(NOT_AUTHORIZED, 'bad credentials');
    if (role === 'device' && !isValidDeviceId(username)) throw refuse(NOT_AUTHORIZED, 'not a valid device id');
    if (client.id !== username) throw refuse(IDENTIFIER_REJECTED, `clientId "${client.id}" is not the username`);
    const principal: Principal = { role, username };
    const will = this.wills.get(client);
    const willRefused = will && publishRefusal(principal, will);
    if (will && willRefused) throw refuse(NOT_AUTHORIZED, `last will on ${loggableTopic(will.topic)}: ${willRefused.reason}`);
    this.principals.set(client, principal);
    // Kept after a disconnect: a persistent session's queue is counted while its client is away.
    // Bounded by the users who ever logged in (registered devices and the cloud's own users).
    this.roles.set(client.id, role);
    this.intake.authenticated(client, role);
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    // null: aedes republishing a will stored by an earlier broker instance; wills are checked at CONNECT.
    if (client === null) return done(null);
    const principal = this.principals.get(client);
    const refused = publishRefusal(principal, { topic: packet.topic, retain: packet.retain, payloadBytes: packet.payload.length });
    if (!refused) return done(null);
    const topic = loggableTopic(packet.topic);
    this.deny({ action: 'publish', clientId: client.id, username: principal?.username, topic, reason: refused.reason });
    done(new Error(`publish to ${topic} refused: ${refused.reason}`));
  }

  private authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (err: Error | null, sub?: Subscription | null) => void,
  ): void {
    const principal = this.principals.get(client);
    const refused = subscribeRefusal(principal, sub.topic);
    if (!refused) return done(null, sub);
    this.deny({ action: 'subscribe', clientId: client.id, username: principal?.username, topic: loggableTopic(sub.topic), reason: refused.reason });
    done(null, null); // SUBACK 0x80 for this filter; the connection stays up
  }
}

function refusal(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

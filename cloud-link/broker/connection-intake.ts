import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { Logger } from '../../core/log.js';
import type { BrokerRole, Principal } from './acl.js';
import { publishRefusal, type PublishAttempt, type Refusal } from './broker-rules.js';
import { Mqtt5Adapter } from './mqtt5-adapter.js';
import { ReasonCode } from './mqtt5-reason-codes.js';
import { PacketGuard, type PacketViolation } from './packet-guard.js';
import { DEFAULT_PACKET_LIMITS } from './packet-limits.js';
import { sniffProtocolLevel } from './protocol-sniffer.js';
import { loggableTopic } from './topic-rules.js';

/**
 * How a new connection reaches aedes: through the framing guard (packet-guard.ts), then, once its
 * CONNECT says which MQTT it speaks, straight to aedes (3.1, 3.1.1) or through an MQTT 5 adapter
 * (mqtt5-adapter.ts). Kept apart from embedded-broker.ts, which decides who may do what.
 */
export interface IntakeDenial {
  action: 'packet' | 'publish' | 'deliver';
  clientId: string;
  username: string | undefined;
  topic?: string;
  reason: string;
}

export interface ConnectionIntakeOptions {
  aedes: Aedes;
  principalOf: (client: Client) => Principal | undefined;
  deny: (denial: IntakeDenial) => void;
  /** QoS 2 messages aedes takes in flight from one client (its maxInflightInbound), told to MQTT 5 clients. */
  maxInflightInbound: number;
  log: Logger;
}

/**
 * Deliveries to one device that may wait for it to read before it is cut off. Each one holds one of
 * aedes' delivery slots (its `concurrency`) until the device reads or aedes' drain timeout drops it,
 * so a device that stops reading while making the cloud answer it could otherwise hold every slot and
 * stop all deliveries, for everyone, again and again. A device that reads gets no more than a few at
 * once; the cloud, which takes every device's traffic, is not limited.
 */
export const MAX_WAITING_DELIVERIES = 16;

/** How long a connection may take to send its CONNECT (aedes' connectTimeout). */
const CONNECT_TIMEOUT_MS = 30_000;
const MQTT_5 = 5;

export class ConnectionIntake {
  private readonly guards = new WeakMap<Client, PacketGuard>();
  private readonly adapters = new WeakMap<Client, Mqtt5Adapter>();
  /** The peer's address, read off the accepted socket: aedes only sees the guard or the adapter's stream. */
  private readonly addresses = new WeakMap<Client, string>();

  constructor(private readonly o: ConnectionIntakeOptions) {}

  /** A new client connection; `remoteAddress` defaults to the socket's (a stream that is no socket has none). */
  accept(socket: Duplex, remoteAddress = (socket as Partial<Socket>).remoteAddress): void {
    let client: Client | undefined;
    const guard = new PacketGuard(socket, { limits: DEFAULT_PACKET_LIMITS, onViolation: (v) => this.packetRefused(v, client) });
    guard.on('error', () => undefined); // the socket's errors end it; aedes hears of the close
    void sniffProtocolLevel(guard, CONNECT_TIMEOUT_MS).then((level) => {
      if (level === undefined || guard.destroyed) return;
      if (level === MQTT_5) {
        const adapter = new Mqtt5Adapter({
          client: guard,
          refusePublish: (attempt) => (client ? this.refusePublish(client, attempt) : { kind: 'not-authorized', reason: 'not connected' }),
          maxPacketBytes: () => guard.limit,
          receiveMaximum: this.o.maxInflightInbound,
          onAccepted: () => (guard.farewell = mqttPacket.generate({ cmd: 'disconnect', reasonCode: ReasonCode.PACKET_TOO_LARGE }, { protocolVersion: 5 })),
          log: this.o.log,
        });
        client = this.o.aedes.handle(adapter.brokerSide);
        this.adapters.set(client, adapter);
        this.restoreSubscriptionOptions(client, adapter);
      } else {
        client = this.o.aedes.handle(guard);
      }
      this.guards.set(client, guard);
      if (remoteAddress !== undefined) this.addresses.set(client, remoteAddress);
      this.limitWaitingDeliveries(client, guard);
    });
  }

  /** Where the client connected from (undefined for a stream that is not a socket). */
  remoteAddressOf(client: Client): string | undefined {
    return this.addresses.get(client);
  }

  /** The client's CONNECT was accepted as `role`: its packet limit applies from now on. */
  authenticated(client: Client, role: BrokerRole): void {
    this.guards.get(client)?.setRole(role);
  }

  /** aedes' authorizeForward: an MQTT 5 client's Retain Handling decides whether retained messages are replayed. */
  forward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const adapter = this.adapters.get(client);
    // A replay for a new subscription is the only packet aedes forwards without a broker id.
    const replay = packet.retain && (packet.brokerId as string | null) === null;
    if (adapter && replay && !adapter.allowRetainedReplay(packet.topic)) return null;
    return packet;
  }

  private refusePublish(client: Client, attempt: PublishAttempt): Refusal | undefined {
    const principal = this.o.principalOf(client);
    const refused = publishRefusal(principal, attempt);
    if (refused) this.o.deny({ action: 'publish', clientId: client.id, username: principal?.username, topic: loggableTopic(attempt.topic), reason: refused.reason });
    return refused;
  }

  /**
   * aedes calls `client.waitForDrain` for each packet written while the connection's buffer is full
   * (aedes/lib/write.js): counting those calls is counting the deliveries waiting for this client.
   */
  private limitWaitingDeliveries(client: Client, guard: PacketGuard): void {
    type DrainCallback = (err?: Error | null, client?: unknown) => void;
    const target = client as unknown as { waitForDrain?: (callback: DrainCallback) => void };
    const waitForDrain = target.waitForDrain?.bind(client);
    if (!waitForDrain) {
      this.o.log.warn('aedes has no waitForDrain: deliveries waiting for a device that does not read are not capped');
      return;
    }
    let waiting = 0;
    target.waitForDrain = (callback) => {
      waiting++;
      waitForDrain((...args) => {
        waiting--;
        callback(...args);
      });
      if (waiting > MAX_WAITING_DELIVERIES && guard.role !== 'cloud' && !guard.destroyed) {
        const principal = this.o.principalOf(client);
        this.o.deny({ action: 'deliver', clientId: client.id, username: principal?.username, reason: `not reading: ${waiting} deliveries waiting for it` });
        guard.destroy();
      }
    };
  }

  private packetRefused(v: PacketViolation, client: Client | undefined): void {
    const principal = client ? this.o.principalOf(client) : undefined;
    this.o.deny({ action: 'packet', clientId: client?.id ?? '', username: principal?.username, reason: v.reason });
  }

  /**
   * aedes reads No Local, Retain As Published and Retain Handling from the SUBSCRIBE it parses, but
   * parses 3.1.1, which has no room for them: the adapter puts them back as aedes' parser emits the
   * packet, before aedes handles it (its parser is `client._parser`, an internal of aedes 1.x; if it
   * ever goes, these options are ignored and the MQTT 5 tests say so).
   */
  private restoreSubscriptionOptions(client: Client, adapter: Mqtt5Adapter): void {
    const parser = (client as unknown as { _parser?: EventEmitter })._parser;
    if (!parser) {
      this.o.log.warn('aedes has no _parser: MQTT 5 No Local and Retain As Published are not honoured');
      return;
    }
    parser.prependListener('packet', (packet: Parameters<Mqtt5Adapter['restoreSubscriptionOptions']>[0]) => adapter.restoreSubscriptionOptions(packet));
  }
}

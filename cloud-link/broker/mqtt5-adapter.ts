import type { Duplex } from 'node:stream';
import mqttPacket, { type IConnackPacket, type IConnectPacket, type IPublishPacket, type ISubscription, type Packet } from 'mqtt-packet';
import type { Logger } from '../../core/log.js';
import type { PublishAttempt, Refusal } from './broker-rules.js';
import { memoryDuplexPair } from './memory-duplex.js';
import { connackReasonCode, DISCONNECT_WITH_WILL, publishReasonCode, ReasonCode, subackReasonCode } from './mqtt5-reason-codes.js';
import { topicMatchesFilter } from './topic-rules.js';

/**
 * MQTT 5 clients on the embedded broker. aedes speaks MQTT 3.1 and 3.1.1 only, so each MQTT 5
 * connection gets one of these: it parses the client's v5 packets (mqtt-packet), hands aedes the
 * equivalent 3.1.1 packets over an in-memory duplex (`brokerSide`, for aedes.handle), and turns
 * aedes' answers back into v5.
 *
 * What an MQTT 5 client gets:
 * - CONNACK with v5 reason codes, and what the broker can honour: Maximum Packet Size (its role's
 *   limit, packet-limits.ts), Topic Alias Maximum, Receive Maximum, no shared subscriptions or
 *   subscription identifiers. Enhanced authentication (AUTH) is refused (0x8C).
 * - Sessions: Clean Start decides. Clean Start 1 gives a session that ends with the connection
 *   (CONNACK says Session Expiry 0 if the client asked for more); Clean Start 0 resumes the session and
 *   keeps it as long as the broker runs (CONNACK says 0xFFFFFFFF if the client asked for less). aedes
 *   knows only these two kinds (3.1.1's clean session).
 * - PUBLISH: topic aliases from the client resolved; refusals answered in the PUBACK / PUBREC
 *   (0x87 not authorized, 0x90 topic name invalid), or with DISCONNECT for QoS 0, instead of the
 *   silent close a 3.1.1 client gets.
 * - SUBSCRIBE: SUBACK reason codes (0x87, 0x8F, 0x9E); No Local and Retain As Published are honoured
 *   by aedes itself (restoreSubscriptionOptions), Retain Handling here (allowRetainedReplay).
 * - Flow: the client's Receive Maximum (QoS 1/2 messages in flight to it) and Maximum Packet Size (a
 *   message too large for it is dropped and acknowledged to aedes, as MQTT 5 says) are respected.
 * - DISCONNECT 0x04 (with will) drops the connection so aedes publishes the will.
 *
 * Dropped, since 3.1.1 cannot carry them through aedes: user properties, content type, response
 * topic, correlation data, payload format indicator, message expiry and will delay (a will is
 * published at once). Reason strings are sent only when the client did not turn problem
 * information off.
 */
export interface Mqtt5AdapterOptions {
  /** The client's connection, v5 bytes (the PacketGuard in front of its socket). */
  client: Duplex;
  /** Decides a PUBLISH for the connected client, recording a refusal; undefined lets it through. */
  refusePublish: (attempt: PublishAttempt) => Refusal | undefined;
  /** The largest packet this client may send, once its CONNECT is accepted. */
  maxPacketBytes: () => number;
  /** QoS 1/2 messages the broker takes in flight from one client. */
  receiveMaximum: number;
  /** Called once the CONNECT is accepted. */
  onAccepted?: () => void;
  log: Logger;
}

/** Topic aliases a client may use (per connection, MQTT 5 section 3.3.2.3.4). */
export const TOPIC_ALIAS_MAXIMUM = 32;
const SESSION_NEVER_EXPIRES = 0xffffffff;
/** Messages queued for a client that has its Receive Maximum in flight, before aedes is held back. */
const QUEUE_HIGH_WATER = 64;

interface SubscribeRequest {
  filters: string[];
  /** Filters of this SUBSCRIBE whose retained messages must not be sent now (Retain Handling 1/2). */
  noReplay: Set<string>;
}

export class Mqtt5Adapter {
  /** The stream aedes.handle() takes: it reads and writes MQTT 3.1.1. */
  readonly brokerSide: Duplex;
  private readonly adapterSide: Duplex;
  private readonly fromClient = mqttPacket.parser({ protocolVersion: 5 });
  private readonly fromBroker = mqttPacket.parser({ protocolVersion: 4 });
  private problemInformation = true;
  private requestedExpiry = 0;
  private cleanStart = true;
  private readonly aliases = new Map<number, string>();
  /** Subscription options by SUBSCRIBE packet id, until aedes has parsed that SUBSCRIBE. */
  private readonly options = new Map<number, ISubscription[]>();
  private readonly subscribes = new Map<number, SubscribeRequest>();
  private readonly unsubscribes = new Map<number, number>();
  /** Filters this connection holds, for Retain Handling 1. */
  private readonly subscribed = new Set<string>();
  private lastSubscribe: SubscribeRequest | undefined;
  // Towards the client: its Receive Maximum and Maximum Packet Size.
  private clientReceiveMaximum = 65_535;
  private clientMaxPacket = Number.POSITIVE_INFINITY;
  private readonly inflight = new Set<number>();
  private readonly queue: IPublishPacket[] = [];
  /** QoS 2 messages dropped as too large for the client, acknowledged to aedes by the adapter. */
  private readonly dropped = new Set<number>();
  private closing = false;

  constructor(private readonly o: Mqtt5AdapterOptions) {
    const [brokerSide, adapterSide] = memoryDuplexPair();
    this.brokerSide = brokerSide;
    this.adapterSide = adapterSide;
    this.fromClient.on('packet', (p: Packet) => this.onClientPacket(p));
    this.fromClient.on('error', (err: Error) => this.disconnect(ReasonCode.MALFORMED_PACKET, err.message));
    this.fromBroker.on('packet', (p: Packet) => this.onBrokerPacket(p));
    this.fromBroker.on('error', (err: Error) => {
      this.o.log.error({ err: err.message }, 'mqtt5 adapter: aedes sent what it cannot parse');
      this.close();
    });
    o.client.on('data', (chunk: Buffer) => this.fromClient.parse(chunk));
    o.client.once('close', () => this.close());
    o.client.on('error', () => this.close());
    o.client.on('drain', () => adapterSide.resume());
    adapterSide.on('data', (chunk: Buffer) => this.fromBroker.parse(chunk));
    adapterSide.once('close', () => this.close());
    adapterSide.on('error', () => this.close());
  }

  /**
   * aedes' parser has just read a SUBSCRIBE this adapter wrote: give it back the v5 options that
   * 3.1.1 cannot carry (No Local, Retain As Published, Retain Handling), so aedes honours them.
   */
  restoreSubscriptionOptions(packet: { cmd?: string; messageId?: number; subscriptions?: Array<Partial<ISubscription>> }): void {
    if (packet.cmd !== 'subscribe' || packet.messageId === undefined || !packet.subscriptions) return;
    const options = this.options.get(packet.messageId);
    this.options.delete(packet.messageId);
    if (!options) return;
    packet.subscriptions.forEach((sub, i) => {
      const o = options[i];
      if (!o || o.topic !== sub.topic) return;
      sub.nl = o.nl ?? false;
      sub.rap = o.rap ?? false;
      sub.rh = o.rh ?? 0;
    });
  }

  /**
   * May aedes send this retained message that it replays for a new subscription? Not when every
   * filter of the last SUBSCRIBE that matches it asked for no replay (Retain Handling 2, or 1 for a
   * subscription that existed).
   */
  allowRetainedReplay(topic: string): boolean {
    const last = this.lastSubscribe;
    if (!last || last.noReplay.size === 0) return true;
    const matching = last.filters.filter((f) => topicMatchesFilter(topic, f));
    return matching.length === 0 || matching.some((f) => !last.noReplay.has(f));
  }

  // --- client -> broker ---------------------------------------------------------------------------

  private onClientPacket(p: Packet): void {
    if (this.closing) return;
    switch (p.cmd) {
      case 'connect':
        return this.onConnect(p);
      case 'publish':
        return this.onClientPublish(p);
      case 'subscribe':
        return this.onSubscribe(p.messageId ?? 0, p.subscriptions, p.properties?.subscriptionIdentifier);
      case 'unsubscribe':
        for (const f of p.unsubscriptions) this.subscribed.delete(f);
        this.unsubscribes.set(p.messageId ?? 0, p.unsubscriptions.length);
        return this.toBroker({ cmd: 'unsubscribe', messageId: p.messageId ?? 0, unsubscriptions: p.unsubscriptions });
      case 'puback':
      case 'pubcomp':
        this.inflight.delete(p.messageId ?? -1);
        this.toBroker({ cmd: p.cmd, messageId: p.messageId ?? 0 });
        return this.flushQueue();
      case 'pubrec':
      case 'pubrel':
        return this.toBroker({ cmd: p.cmd, messageId: p.messageId ?? 0 });
      case 'pingreq':
        return this.toBroker({ cmd: 'pingreq' });
      case 'disconnect':
        // 3.1.1 has no "disconnect with will": a dropped connection makes aedes publish it.
        if (p.reasonCode === DISCONNECT_WITH_WILL) return this.close();
        this.toBroker({ cmd: 'disconnect' });
        return;
      default:
        // AUTH without an authentication method in CONNECT, or a server-only packet.
        return this.disconnect(ReasonCode.PROTOCOL_ERROR, `unexpected ${p.cmd}`);
    }
  }

  private onConnect(p: IConnectPacket): void {
    const props = p.properties ?? {};
    if (props.authenticationMethod !== undefined) {
      this.toClient({ cmd: 'connack', sessionPresent: false, reasonCode: ReasonCode.BAD_AUTHENTICATION_METHOD });
      return this.close();
    }
    this.problemInformation = props.requestProblemInformation !== false;
    this.requestedExpiry = props.sessionExpiryInterval ?? 0;
    this.cleanStart = p.clean !== false;
    this.clientReceiveMaximum = props.receiveMaximum ?? 65_535;
    this.clientMaxPacket = props.maximumPacketSize ?? Number.POSITIVE_INFINITY;
    const will = p.will ? { topic: p.will.topic, payload: p.will.payload, qos: p.will.qos ?? 0, retain: p.will.retain ?? false } : undefined;
    this.toBroker({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: p.clientId,
      clean: this.cleanStart,
      keepalive: p.keepalive ?? 0,
      ...(p.username !== undefined ? { username: p.username, ...(p.password !== undefined ? { password: p.password } : {}) } : {}),
      ...(will ? { will } : {}),
    });
  }

  private onClientPublish(p: IPublishPacket): void {
    const props = p.properties ?? {};
    let topic = p.topic;
    const alias = props.topicAlias;
    if (alias !== undefined) {
      if (alias < 1 || alias > TOPIC_ALIAS_MAXIMUM) return this.disconnect(ReasonCode.TOPIC_ALIAS_INVALID, `topic alias ${alias} is not between 1 and ${TOPIC_ALIAS_MAXIMUM}`);
      if (topic === '') {
        const known = this.aliases.get(alias);
        if (known === undefined) return this.disconnect(ReasonCode.PROTOCOL_ERROR, `topic alias ${alias} was never set`);
        topic = known;
      } else {
        this.aliases.set(alias, topic);
      }
    }
    if (props.subscriptionIdentifier !== undefined) return this.disconnect(ReasonCode.PROTOCOL_ERROR, 'a client may not send a subscription identifier');
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload;
    const refused = this.o.refusePublish({ topic, retain: p.retain, payloadBytes: payload.length });
    if (refused) {
      const code = publishReasonCode(refused.kind);
      if (p.qos === 0) return this.disconnect(code, refused.reason);
      return this.toClient({ cmd: p.qos === 1 ? 'puback' : 'pubrec', messageId: p.messageId ?? 0, reasonCode: code, ...this.reason(refused.reason) });
    }
    this.toBroker({ cmd: 'publish', topic, payload, qos: p.qos, retain: p.retain, dup: p.dup, ...(p.qos > 0 ? { messageId: p.messageId ?? 0 } : {}) });
  }

  private onSubscribe(messageId: number, subscriptions: ISubscription[], subscriptionIdentifier: unknown): void {
    if (subscriptionIdentifier !== undefined) {
      return this.disconnect(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED, 'subscription identifiers are not supported');
    }
    const noReplay = new Set<string>();
    for (const s of subscriptions) {
      if (s.rh === 2 || (s.rh === 1 && this.subscribed.has(s.topic))) noReplay.add(s.topic);
      this.subscribed.add(s.topic);
    }
    const request = { filters: subscriptions.map((s) => s.topic), noReplay };
    this.subscribes.set(messageId, request);
    this.lastSubscribe = request;
    this.options.set(messageId, subscriptions);
    this.toBroker({ cmd: 'subscribe', messageId, subscriptions: subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })) });
  }

  // --- broker -> client ---------------------------------------------------------------------------

  private onBrokerPacket(p: Packet): void {
    switch (p.cmd) {
      case 'connack':
        return this.onConnack(p);
      case 'publish':
        this.queue.push(p);
        return this.flushQueue();
      case 'suback': {
        const request = this.subscribes.get(p.messageId ?? 0);
        this.subscribes.delete(p.messageId ?? 0);
        const granted = (p.granted as number[]).map((g, i) => subackReasonCode(g, request?.filters[i] ?? ''));
        granted.forEach((g, i) => g > 2 && request && this.subscribed.delete(request.filters[i] ?? ''));
        return this.toClient({ cmd: 'suback', messageId: p.messageId ?? 0, granted });
      }
      case 'unsuback': {
        const count = this.unsubscribes.get(p.messageId ?? 0) ?? 1;
        this.unsubscribes.delete(p.messageId ?? 0);
        return this.toClient({ cmd: 'unsuback', messageId: p.messageId ?? 0, granted: new Array<number>(count).fill(ReasonCode.SUCCESS) });
      }
      case 'pubrel':
        if (this.dropped.delete(p.messageId ?? -1)) return this.toBroker({ cmd: 'pubcomp', messageId: p.messageId ?? 0 });
        return this.toClient({ cmd: 'pubrel', messageId: p.messageId ?? 0 });
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
        return this.toClient({ cmd: p.cmd, messageId: p.messageId ?? 0 });
      case 'pingresp':
        return this.toClient({ cmd: 'pingresp' });
      default:
        return undefined;
    }
  }

  private onConnack(p: IConnackPacket): void {
    const reasonCode = connackReasonCode(p.returnCode ?? 0);
    if (reasonCode !== ReasonCode.SUCCESS) {
      this.toClient({ cmd: 'connack', sessionPresent: false, reasonCode });
      return this.close();
    }
    const expiry = this.cleanStart ? 0 : SESSION_NEVER_EXPIRES;
    this.toClient({
      cmd: 'connack',
      sessionPresent: p.sessionPresent,
      reasonCode,
      properties: {
        maximumPacketSize: this.o.maxPacketBytes(),
        topicAliasMaximum: TOPIC_ALIAS_MAXIMUM,
        receiveMaximum: this.o.receiveMaximum,
        retainAvailable: true,
        sharedSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: false,
        wildcardSubscriptionAvailable: true,
        ...(expiry !== this.requestedExpiry ? { sessionExpiryInterval: expiry } : {}),
      },
    });
    this.o.onAccepted?.();
  }

  /** Sends queued messages while the client's Receive Maximum allows; holds aedes back otherwise. */
  private flushQueue(): void {
    while (this.queue.length > 0) {
      const p = this.queue[0] as IPublishPacket;
      if (p.qos > 0 && this.inflight.size >= this.clientReceiveMaximum) break;
      this.queue.shift();
      this.sendPublish(p);
    }
    if (this.queue.length >= QUEUE_HIGH_WATER) this.adapterSide.pause();
    else if (this.adapterSide.isPaused() && this.o.client.writableNeedDrain !== true) this.adapterSide.resume();
  }

  private sendPublish(p: IPublishPacket): void {
    const out: IPublishPacket = { cmd: 'publish', topic: p.topic, payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup, ...(p.qos > 0 ? { messageId: p.messageId ?? 0 } : {}) };
    const bytes = this.encode(out, 5);
    if (!bytes) return;
    if (bytes.length > this.clientMaxPacket) {
      // MQTT 5 3.1.2.11.4: discard it, and carry on as if it had been sent.
      this.o.log.debug({ topic: p.topic, bytes: bytes.length, max: this.clientMaxPacket }, 'mqtt5: message larger than the client accepts, dropped');
      if (p.qos === 1) this.toBroker({ cmd: 'puback', messageId: p.messageId ?? 0 });
      if (p.qos === 2) {
        this.dropped.add(p.messageId ?? 0);
        this.toBroker({ cmd: 'pubrec', messageId: p.messageId ?? 0 });
      }
      return;
    }
    if (p.qos > 0) this.inflight.add(p.messageId ?? 0);
    this.write(bytes);
  }

  // --- plumbing -----------------------------------------------------------------------------------

  private reason(text: string): { properties?: { reasonString: string } } {
    return this.problemInformation ? { properties: { reasonString: text } } : {};
  }

  /** Tells the client why (MQTT 5 DISCONNECT) and closes. */
  private disconnect(reasonCode: number, reason: string): void {
    if (this.closing) return;
    this.o.log.debug({ reasonCode, reason }, 'mqtt5: disconnecting the client');
    const bytes = this.encode({ cmd: 'disconnect', reasonCode, properties: { reasonString: reason.slice(0, 200) } }, 5);
    this.closing = true;
    if (bytes && !this.o.client.destroyed) this.o.client.end(bytes);
    this.adapterSide.destroy();
  }

  private close(): void {
    if (this.closing && this.adapterSide.destroyed && this.o.client.destroyed) return;
    this.closing = true;
    this.adapterSide.destroy();
    if (!this.o.client.destroyed) this.o.client.end();
  }

  private toBroker(p: Packet): void {
    const bytes = this.encode(p, 4);
    if (bytes && !this.adapterSide.destroyed) this.adapterSide.write(bytes);
  }

  private toClient(p: Packet): void {
    const bytes = this.encode(p, 5);
    if (bytes) this.write(bytes);
  }

  private write(bytes: Buffer): void {
    if (this.o.client.destroyed || this.o.client.writableEnded) return;
    if (!this.o.client.write(bytes)) this.adapterSide.pause();
  }

  /** mqtt-packet throws on a packet it cannot encode; that must not take the broker down. */
  private encode(p: Packet, protocolVersion: 4 | 5): Buffer | undefined {
    try {
      return mqttPacket.generate(p, { protocolVersion });
    } catch (err) {
      this.o.log.warn({ cmd: p.cmd, err: (err as Error).message }, 'mqtt5 adapter: packet not encodable, connection closed');
      this.close();
      return undefined;
    }
  }
}

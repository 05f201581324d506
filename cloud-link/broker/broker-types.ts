import type { Logger } from '../../core/log.js';
import type { ListenerTls } from '../tls/listener-tls.js';
import type { BrokerRole, Principal } from './acl.js';

/** The embedded broker's options, events and what it reports (embedded-broker.ts has the rules). */
export type Authenticate = (username: string, password: string, source: ConnectSource) => Promise<BrokerRole | 'throttled' | undefined>;

/** Where a CONNECT comes from, for the owner's login back-off; 'throttled' refuses it with CONNACK 3 (retry later). */
export interface ConnectSource {
  remoteAddress: string | undefined;
}

export interface EmbeddedBrokerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 1883; 0 picks a free port (read it back from `port`). */
  port?: number;
  /** Decides who may connect and as what; undefined refuses. */
  authenticate: Authenticate;
  /**
   * The aedes persistence (sessions, subscriptions, retained and queued QoS 1 messages) of a broker
   * this one replaces in the same process (`previous.persistence`), so a restart loses none of it.
   * Default: a fresh in-memory one.
   */
  persistence?: unknown;
  /** Serve `mqtts://` with this certificate (cloud-link/cloud/server-tls.ts) instead of plain MQTT. */
  tls?: ListenerTls;
  log?: Logger;
}

/** Something the broker refused, for logs and tests. */
export interface BrokerDenial {
  /**
   * `packet`: the framing guard closed the connection (an oversized or malformed packet);
   * `deliver`: a device stopped reading while deliveries to it piled up (connection-intake.ts).
   */
  action: 'connect' | 'publish' | 'subscribe' | 'packet' | 'deliver';
  clientId: string;
  username: string | undefined;
  topic?: string;
  reason: string;
}

export interface BrokerClientInfo {
  clientId: string;
  principal: Principal;
}

export interface EmbeddedBrokerEvents {
  connected: [BrokerClientInfo];
  disconnected: [BrokerClientInfo];
  denied: [BrokerDenial];
}

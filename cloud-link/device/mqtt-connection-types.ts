import type { EchosimError } from '../../core/errors.js';

/**
 * The vocabulary of a device's MQTT connection (mqtt-connection.ts, where its state diagram is): the
 * states it goes through and how each change is reported, the messages it delivers, its typed events
 * and what a publish may ask for.
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

import type { IClientOptions } from 'mqtt';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { ReconnectBackoff, ReconnectBackoffOptions } from '../mqtt/reconnect-backoff.js';
import type { MqttStreamTransport } from '../mqtt/stream-transport.js';
import { tlsConnectOptions, type ClientTlsOptions } from '../tls/client-tls.js';

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
  /**
   * How each attempt reaches the broker at `url` instead of a socket (a fleet's devices in the
   * process of the cloud's embedded broker: Cloud.inProcessTransport). Default: mqtt.js' socket.
   */
  streamTransport?: MqttStreamTransport;
  log?: Logger;
}

/** From the start of an attempt to CONNECTED, ms on the Clock. */
export function connectTimeoutMs(options: Pick<MqttConnectionOptions, 'connectTimeoutMs'>): number {
  return options.connectTimeoutMs ?? 30_000;
}

/**
 * What a device tells mqtt.js (docs/device-shadow.md#availability for the will): its credentials
 * (clientId = username = the device id, the secret as password), a persistent session (`clean: false`)
 * over MQTT 3.1.1, and none of mqtt.js' own policies: no reconnects (the connection's own, on its
 * Clock), no resubscribe (it subscribes on every connect), no connect until asked. The stores are
 * the connection's, kept for its life so unacknowledged QoS 1 publishes survive a reconnect.
 */
export function mqttClientOptions(
  options: MqttConnectionOptions,
  will: NonNullable<IClientOptions['will']>,
  stores: Pick<IClientOptions, 'incomingStore' | 'outgoingStore'>,
): IClientOptions {
  return {
    ...tlsConnectOptions(options.tls),
    protocolVersion: 4, // MQTT 3.1.1: what aedes speaks, and Mosquitto too
    clientId: options.deviceId,
    username: options.deviceId,
    password: options.secret,
    clean: false,
    keepalive: options.keepaliveSeconds ?? 30,
    reconnectPeriod: 0,
    // Our Clock-driven timeout fires first; this one is a backstop should that clock stall.
    connectTimeout: 2 * connectTimeoutMs(options),
    resubscribe: false,
    queueQoSZero: false, // stale audio chunks are worth nothing after a reconnect
    manualConnect: true,
    will,
    ...stores,
  };
}

import type { Duplex } from 'node:stream';
import { connect, MqttClient, type IClientOptions } from 'mqtt';

/**
 * A way to reach the broker other than a socket to the URL: a fleet's devices in the process of the
 * cloud's embedded broker connect over an in-memory stream (EmbeddedBroker.connectInMemory, through
 * Cloud.inProcessTransport), which skips loopback TCP and its system calls. The broker treats such a
 * connection as any other (framing guard, authentication, ACL), and a stopped broker refuses it.
 */
export interface MqttStreamTransport {
  /** A new connection to the broker, one per attempt; a refused one errors (ECONNREFUSED) and closes. */
  open(): Duplex;
}

/**
 * An mqtt.js client for `url`, over `transport` when one is given (MQTT as is: no TLS on it), else
 * over the socket mqtt.js opens for the URL. Everything else (options, reconnects, stores) is the same.
 */
export function createMqttClient(url: string, options: IClientOptions, transport: MqttStreamTransport | undefined): MqttClient {
  if (!transport) return connect(url, options);
  const client = new MqttClient(() => transport.open(), options);
  client.on('error', () => undefined); // as mqtt.connect() does: the owner's listeners decide
  return client;
}

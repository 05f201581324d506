import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { listenerTlsOptions, secureContextOptions, type ListenerTls } from '../tls/listener-tls.js';

/**
 * The socket listener a broker serves MQTT on: plain TCP (`mqtt://`), or TLS (`mqtts://`) with the
 * cloud's server certificate (cloud-link/tls/listener-tls.ts). `updateListenerTls` swaps the
 * certificate of a running TLS listener (a renewal): new handshakes get the new one, open sessions
 * go on.
 */
export function createBrokerListener(handle: (socket: Socket) => void, tls: ListenerTls | undefined): Server {
  // No Nagle: MQTT is small request/answer packets, and Nagle's wait for the peer's delayed ACK
  // added ~40 ms to every hop of a shadow exchange (measured: 175 -> under 20 ms per profile apply).
  if (!tls) return createTcpServer({ noDelay: true }, handle);
  return createTlsServer({ ...listenerTlsOptions(tls), noDelay: true }, handle);
}

export function updateListenerTls(server: Server, tls: ListenerTls): void {
  (server as TlsServer).setSecureContext(secureContextOptions(tls));
}

import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { listenerTlsOptions, secureContextOptions, type ListenerTls } from '../../tls/listener-tls.js';

/**
 * The API's listener: plain HTTP, or HTTPS with the cloud's server certificate
 * (cloud-link/tls/listener-tls.ts). Bounded waits against slow clients either way: node's defaults
 * (5 min per request) suit file uploads, not an admin API.
 */
export function createApiListener(tls: ListenerTls | undefined, handler: RequestListener): Server {
  const timeouts = { requestTimeout: 30_000, headersTimeout: 15_000 };
  if (!tls) return createHttpServer(timeouts, handler);
  return createHttpsServer({ ...timeouts, ...listenerTlsOptions(tls) }, handler);
}

/** Serves a renewed certificate from the next handshake on. */
export function updateApiListenerTls(server: Server, tls: ListenerTls): void {
  (server as HttpsServer).setSecureContext(secureContextOptions(tls));
}

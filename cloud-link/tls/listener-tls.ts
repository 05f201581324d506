import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * What every echosim TLS listener (the embedded broker's `mqtts://`, the API's `https://`) serves
 * and how: the server certificate and key, TLS 1.2 minimum (Mosquitto's listener gets the same with
 * `tls_version tlsv1.2`), and a handshake that must finish within 10 s, so a client that opens a
 * socket and says nothing holds it no longer than that.
 */
export interface ListenerTls {
  key: string;
  cert: string;
}

export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The certificate part, also what a running listener is given on renewal (setSecureContext). */
export function secureContextOptions(tls: ListenerTls): SecureContextOptions {
  return { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' };
}

/** The options of tls.createServer / https.createServer for `tls`. */
export function listenerTlsOptions(tls: ListenerTls): TlsOptions {
  return { ...secureContextOptions(tls), handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS };
}

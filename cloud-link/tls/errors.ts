/**
 * Error codes of TLS on MQTT and HTTP: server certificates, CA files, TLS settings.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const TLS_ERROR_CODES = [
  'TLS_SERVER_UNTRUSTED',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_SERVER_CERT_EXPIRED',
  'TLS_HANDSHAKE_FAILED',
  'TLS_CA_INVALID',
  'TLS_CONFIG_INVALID',
] as const;

export type TlsErrorCode = (typeof TLS_ERROR_CODES)[number];

declare module '../../core/errors.js' {
  interface ErrorCodeLists {
    tls: TlsErrorCode;
  }
}

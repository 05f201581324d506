import { EchosimError } from '../../core/errors.js';

/**
 * What a TLS client (a device, the cloud's MQTT client, the a4b CLI) says when the server cannot be
 * trusted, one code per cause so it is fixed where it is wrong: the CA given to the client, the name
 * it connects to, the server's certificate dates, or a port that does not speak TLS at all.
 */

/** OpenSSL's verify results meaning "not signed by a CA this client trusts" (Node puts them in err.code). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The EchosimError for a TLS failure reaching `url`, or undefined when `err` is not one. */
export function describeTlsError(err: Error & { code?: unknown }, url: string, caSource: string | undefined): EchosimError | undefined {
  const code = typeof err.code === 'string' ? err.code : undefined;
  const trusted = caSource ? `the CA in ${caSource}` : "Node's built-in public CAs (no CA file given)";
  const common = { cause: err, details: { url, code } };
  if (code !== undefined && UNTRUSTED.has(code)) {
    return new EchosimError('TLS_SERVER_UNTRUSTED', `the server at ${url} presented a certificate not signed by ${trusted} (${code})`, {
      ...common,
      hint: "Give the CA that signed the server's certificate (--ca FILE; the cloud's own client to an external broker: --broker-ca FILE). For an echosim cloud it is ca.pem in the tls/ folder of its data directory.",
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new EchosimError('TLS_HOSTNAME_MISMATCH', `the server at ${url} has a certificate for other names: ${err.message}`, {
      ...common,
      hint: "Connect with a name or address the certificate lists, or add this one to the cloud's certificate (echosim cloud --tls-san NAME).",
    });
  }
  if (code !== undefined && EXPIRED.has(code)) {
    return new EchosimError('TLS_SERVER_CERT_EXPIRED', `the server at ${url} presented a certificate outside its validity dates (${code})`, {
      ...common,
      hint: "Check this machine's clock; an echosim cloud renews its own server certificate at start and before it expires.",
    });
  }
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_') || /before secure TLS connection was established/.test(err.message)) {
    return new EchosimError('TLS_HANDSHAKE_FAILED', `no TLS session with ${url}: ${err.message}`, {
      ...common,
      hint: 'Does that port speak TLS? (echosim cloud --tls serves mqtts on 8883; plain mqtt:// is 1883.) TLS 1.2 is the minimum.',
    });
  }
  return undefined;
}

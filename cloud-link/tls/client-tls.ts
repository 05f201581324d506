import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { EchosimError } from '../../core/errors.js';

/**
 * A TLS client's side: which CA it trusts. Every echosim client verifies the server (chain and name);
 * there is no switch to turn that off.
 */
export interface ClientTlsOptions {
  /** PEM of the CA certificate(s) to trust; default Node's built-in public CAs. */
  ca?: string;
  /** Where `ca` came from (a file name), for error messages. */
  caSource?: string;
  /** The name to verify (and send as SNI) when it differs from the URL's host. */
  servername?: string;
}

/** Reads a CA file for a client (`--ca`), refusing what is not a CA certificate with TLS_CA_INVALID. */
export function readCaFile(file: string): ClientTlsOptions {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EchosimError('TLS_CA_INVALID', `cannot read the CA file ${file}: ${(err as Error).message}`, {
      hint: "Give the cloud's CA certificate: ca.pem in the tls/ folder of its data directory.",
      cause: err,
      details: { file },
    });
  }
  checkCaPem(pem, file);
  return { ca: pem, caSource: file };
}

/** Throws TLS_CA_INVALID unless `pem` holds a certificate that can anchor trust. */
export function checkCaPem(pem: string, source: string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new EchosimError('TLS_CA_INVALID', `${source} is not a PEM certificate`, {
      hint: "Give the cloud's CA certificate (ca.pem, starting with -----BEGIN CERTIFICATE-----).",
      cause: err,
      details: { source },
    });
  }
  // A server certificate signed by someone else cannot anchor anything: the usual mix-up of two files.
  if (!cert.ca && cert.issuer !== cert.subject) {
    throw new EchosimError('TLS_CA_INVALID', `${source} is a server certificate (for ${cert.subject.replace(/\n/g, ', ')}), not a CA`, {
      hint: "Give the CA that signed it: for an echosim cloud, ca.pem next to server.pem in its data directory's tls/ folder.",
      details: { source },
    });
  }
}

/** The tls.connect options of a client that trusts `tls` (mqtt.js passes them through). */
export function tlsConnectOptions(tls: ClientTlsOptions | undefined): { ca?: string; servername?: string; rejectUnauthorized: true; minVersion: 'TLSv1.2' } {
  return {
    ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls?.servername === undefined ? {} : { servername: tls.servername }),
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
}

/**
 * A name check for a client connecting to a server in its own process (the cloud to its embedded
 * broker): whatever address it dials, the peer must present exactly the certificate the server
 * loaded (`current()`, which changes on renewal). The chain is still verified against the CA.
 */
export function pinnedIdentity(current: () => string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    const expected = new X509Certificate(current()).fingerprint256;
    return cert.fingerprint256 === expected ? undefined : new Error(`the server presented certificate ${cert.fingerprint256}, not the one it loaded (${expected})`);
  };
}

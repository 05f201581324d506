import { randomBytes, webcrypto } from 'node:crypto';
import type { SubjectNames } from './subject-names.js';

/**
 * Creating the cloud's certificates (node:crypto can parse and check X.509 but not create it):
 * @peculiar/x509 on WebCrypto. Keys are ECDSA P-256, which every TLS 1.2+ stack (OpenSSL in
 * Mosquitto, Node, mbedTLS on microcontrollers) speaks, made by node's native WebCrypto.
 *
 * - The CA: self-signed, basicConstraints CA:TRUE with pathlen 0 (it signs server certificates,
 *   never another CA), keyUsage keyCertSign + cRLSign, both critical.
 * - A server certificate: CA:FALSE, keyUsage digitalSignature, extendedKeyUsage serverAuth, the
 *   subjectAltNames it must serve, signed by the CA.
 *
 * Serial numbers are 16 random bytes (positive). notBefore is an hour back, for peers whose clocks
 * run a little behind.
 */

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CLOCK_SKEW_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

type X509Module = typeof import('@peculiar/x509');
let x509Module: Promise<X509Module> | undefined;

/**
 * The library, loaded on first use: its dependency injection (tsyringe) needs the Reflect metadata
 * polyfill in place first, and only a cloud that makes certificates pays for either.
 */
function x509(): Promise<X509Module> {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const mod = await import('@peculiar/x509');
    mod.cryptoProvider.set(webcrypto as unknown as Parameters<X509Module['cryptoProvider']['set']>[0]);
    return mod;
  })();
  return x509Module;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // DER integers are signed: keep it positive
  return bytes.toString('hex');
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}

async function importSigningKey(keyPem: string): Promise<webcrypto.CryptoKey> {
  const body = keyPem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  return webcrypto.subtle.importKey('pkcs8', Buffer.from(body, 'base64'), ALGORITHM, false, ['sign']);
}

/** A new CA valid from `now` for `days`. */
export async function createCertificateAuthority(commonName: string, now: Date, days: number): Promise<KeyPairPem> {
  const x = await x509();
  const keys = await newKeys();
  const cert = await x.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }, { O: ['echosim'] }],
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x.BasicConstraintsExtension(true, 0, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.keyCertSign | x.KeyUsageFlags.cRLSign, true),
      await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * A new server certificate for `names`, signed by the CA, valid from `now` for `days` but never past
 * the CA's own end.
 */
export async function createServerCertificate(ca: KeyPairPem, names: SubjectNames, now: Date, days: number): Promise<KeyPairPem> {
  const x = await x509();
  const caCert = new x.X509Certificate(ca.certPem);
  const keys = await newKeys();
  const notAfter = new Date(Math.min(now.getTime() + days * DAY_MS, caCert.notAfter.getTime()));
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [names.dns[0] ?? names.ips[0] ?? 'echosim cloud'] }, { O: ['echosim'] }],
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x.BasicConstraintsExtension(false, undefined, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.digitalSignature, true),
      new x.ExtendedKeyUsageExtension([x.ExtendedKeyUsage.serverAuth]),
      new x.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

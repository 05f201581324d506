import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';

/**
 * Secrets sealed end to end for one device (the Wi-Fi passwords in shadow/get/accepted), so that
 * no broker, broker persistence file or message log on the way ever holds them in the clear.
 *
 * The device owns an X25519 key pair (generated once, kept in its private flash) and sends the
 * public half with every shadow/get. The cloud seals the secret fields to it, ECIES style:
 *
 *   ephemeral X25519 key pair (epk) ─► shared = X25519(ephemeral, device public key)
 *   key = HKDF-SHA256(shared, salt = epk ‖ device public key, info = ALGORITHM label), 32 bytes
 *   AES-256-GCM(key, random 96-bit iv, plaintext = the secrets as JSON padded with spaces to a
 *   multiple of 1024 bytes, additional data = [label, deviceId, clientToken, shadow version])
 *
 * The associated data binds the ciphertext to the device and to the very message it travels in: an
 * envelope copied into another device's answer, or into an answer to another request or shadow
 * version, does not open. The padding hides the passwords' lengths. A fresh ephemeral key per
 * message means one message's key says nothing about another's.
 *
 * Keys and envelope fields are base64url without padding. A public key that is not one (wrong
 * length, or a low-order point whose shared secret would be all zeros) is refused, never used.
 */

export const SEALED_SECRETS_ALGORITHM = 'X25519-HKDF-SHA256-A256GCM';
const LABEL = `echosim/v1 shadow-secrets ${SEALED_SECRETS_ALGORITHM}`;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Two passwords of the longest kind, every character escaped, still fit one block: lengths never show. */
export const SEALED_PAD_BYTES = 1024;
/** The largest sealed plaintext: far above two 128-character passwords, bounded before any decrypt. */
export const MAX_SEALED_PLAINTEXT_BYTES = 2048;

const b64Chars = (bytes: number): number => Math.ceil((bytes * 4) / 3);

/** Exactly `bytes` bytes in canonical base64url (no padding, unused bits zero). */
function base64url(bytes: number, description: string) {
  const length = b64Chars(bytes);
  return z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`), `must be ${bytes} bytes in base64url (${length} characters, no padding)`)
    .refine((s) => Buffer.from(s, 'base64url').toString('base64url') === s, `must be ${bytes} bytes in canonical base64url`)
    .meta({ description });
}

export const DevicePublicKeySchema = base64url(KEY_BYTES, "The device's X25519 public key (32 bytes, base64url): the cloud seals the secrets of its answer to it.");

export const SealedSecretsSchema = z
  .strictObject({
    alg: z.literal(SEALED_SECRETS_ALGORITHM),
    epk: base64url(KEY_BYTES, 'The ephemeral X25519 public key of this message.'),
    iv: base64url(IV_BYTES, 'The AES-GCM nonce.'),
    ct: z
      .string()
      .min(1)
      .max(b64Chars(MAX_SEALED_PLAINTEXT_BYTES))
      .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url')
      .meta({ description: `The ciphertext (base64url) of the secret fields as JSON, padded to a multiple of ${SEALED_PAD_BYTES} bytes.` }),
    tag: base64url(TAG_BYTES, 'The AES-GCM authentication tag.'),
  })
  .meta({
    title: 'SealedSecrets',
    description:
      'Secret fields sealed to the requesting device\'s public key (X25519 ECDH with an ephemeral key, HKDF-SHA256, AES-256-GCM; associated data: the device id, the clientToken and the shadow version).',
  });

export type SealedSecrets = z.infer<typeof SealedSecretsSchema>;

/** What a sealed envelope is bound to: the device, and the message it travels in. */
export interface SealBinding {
  deviceId: string;
  clientToken?: string | undefined;
  /** The shadow version of the answer. */
  version: number;
}

/** A device's key pair as it is stored: both halves raw, base64url. */
export interface DeviceKeyPair {
  privateKey: string;
  publicKey: string;
}

export function generateDeviceKeyPair(): DeviceKeyPair {
  const pair = newX25519KeyPair();
  const stored = { privateKey: pair.privateRaw.toString('base64url'), publicKey: pair.publicRaw.toString('base64url') };
  pair.privateRaw.fill(0);
  return stored;
}

/** DER before the 32 raw bytes of an X25519 private key in PKCS #8, and of a public key in SPKI (RFC 8410). */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX_BYTES = 12;

/**
 * A new X25519 key pair: 32 random bytes, clamped as RFC 7748 says, the public half derived by
 * OpenSSL. Not `generateKeyPairSync('x25519')`: on Node 20 a key from it exported while a garbage
 * collection finalizes its key-generation job can deadlock the thread (seen once in a 300-device fleet
 * start: `KeyObjectHandle::ExportJWK` holding the key's mutex, a GC inside it, `~KeyGenJob` waiting for
 * the same mutex). Nothing here makes a key-generation job or exports a key as JWK.
 */
function newX25519KeyPair(): { privateKey: KeyObject; privateRaw: Buffer; publicRaw: Buffer } {
  const privateRaw = randomBytes(32);
  privateRaw[0] = (privateRaw[0] ?? 0) & 248;
  privateRaw[31] = ((privateRaw[31] ?? 0) & 127) | 64;
  const der = Buffer.concat([X25519_PKCS8_PREFIX, privateRaw]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  return { privateKey, privateRaw, publicRaw: rawPublicKey(privateKey) };
}

/** The raw 32 bytes of the public half of an X25519 key (its SPKI DER without the prefix). */
function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX_BYTES));
}

function invalidKey(why: string, cause?: unknown): EchosimError {
  return new EchosimError('DEVICE_KEY_INVALID', `the device public key is not a usable X25519 public key (${why})`, {
    hint: 'Send the raw 32-byte X25519 public key in base64url, as generateDeviceKeyPair() makes it.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function publicKeyObject(publicKey: string): KeyObject {
  if (!DevicePublicKeySchema.safeParse(publicKey).success) throw invalidKey('not 32 bytes of base64url');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: publicKey }, format: 'jwk' });
  } catch (cause) {
    throw invalidKey('rejected by the crypto library', cause);
  }
}

/**
 * The private key object of a stored pair; throws DEVICE_KEY_INVALID when the halves do not belong
 * together (a damaged key store), so the device makes a new pair instead of failing to open forever.
 */
export function devicePrivateKey(pair: DeviceKeyPair): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: pair.privateKey, x: pair.publicKey }, format: 'jwk' });
  } catch (cause) {
    throw invalidKey('the stored private key cannot be read', cause);
  }
  if (rawPublicKey(key).toString('base64url') !== pair.publicKey) throw invalidKey('the stored halves do not match');
  return key;
}

function derive(privateKey: KeyObject, publicKey: KeyObject, epk: Buffer, recipient: Buffer): Buffer {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey });
  } catch (cause) {
    // OpenSSL refuses an all-zero shared secret: the peer key is a low-order point.
    throw invalidKey('a low-order point', cause);
  }
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, recipient]), LABEL, KEY_BYTES));
}

function associatedData(b: SealBinding): Buffer {
  return Buffer.from(JSON.stringify([LABEL, b.deviceId, b.clientToken ?? '', b.version]), 'utf8');
}

/** Seals `secrets` (a JSON value) to `devicePublicKey`; throws DEVICE_KEY_INVALID for a key that is not one. */
export function sealSecrets(secrets: unknown, devicePublicKey: string, binding: SealBinding): SealedSecrets {
  const recipient = publicKeyObject(devicePublicKey);
  const json = Buffer.from(JSON.stringify(secrets), 'utf8');
  const padded = Math.ceil(Math.max(1, json.length) / SEALED_PAD_BYTES) * SEALED_PAD_BYTES;
  if (padded > MAX_SEALED_PLAINTEXT_BYTES) {
    throw new EchosimError('PROTOCOL_MESSAGE_INVALID', `the secrets to seal are ${json.length} bytes; at most ${MAX_SEALED_PLAINTEXT_BYTES}`, {
      hint: 'Only the secret fields (passwords) are sealed; they fit easily.',
    });
  }
  const plaintext = Buffer.alloc(padded, 0x20);
  json.copy(plaintext);
  const ephemeral = newX25519KeyPair();
  ephemeral.privateRaw.fill(0);
  const epk = ephemeral.publicRaw;
  const key = derive(ephemeral.privateKey, recipient, epk, Buffer.from(devicePublicKey, 'base64url'));
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(binding));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  key.fill(0);
  plaintext.fill(0);
  return {
    alg: SEALED_SECRETS_ALGORITHM,
    epk: epk.toString('base64url'),
    iv: iv.toString('base64url'),
    ct: ct.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

function unreadable(why: string, cause?: unknown): EchosimError {
  return new EchosimError('SEALED_SECRETS_UNREADABLE', `the sealed secrets cannot be opened (${why})`, {
    hint: 'They were sealed to another key (the device made a new key pair since it asked) or for another message; ask again with shadow/get.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Opens an envelope sealed to `pair` for the message `binding` describes; returns the JSON value.
 * Throws SEALED_SECRETS_UNREADABLE when it is malformed, sealed to another key, or for another message;
 * DEVICE_KEY_INVALID when `pair` itself is damaged.
 */
export function openSecrets(sealed: unknown, pair: DeviceKeyPair, binding: SealBinding): unknown {
  const parsed = SealedSecretsSchema.safeParse(sealed);
  if (!parsed.success) throw unreadable('not a sealed-secrets envelope');
  const envelope = parsed.data;
  const epk = Buffer.from(envelope.epk, 'base64url');
  const privateKey = devicePrivateKey(pair); // DEVICE_KEY_INVALID: the device's own key store is damaged
  let key: Buffer;
  try {
    key = derive(privateKey, publicKeyObject(envelope.epk), epk, Buffer.from(pair.publicKey, 'base64url'));
  } catch (cause) {
    throw unreadable('unusable ephemeral key', cause);
  }
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64url'));
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64url'));
    plaintext = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64url')), decipher.final()]);
  } catch (cause) {
    throw unreadable('authentication failed', cause);
  } finally {
    key.fill(0);
  }
  try {
    return JSON.parse(plaintext.toString('utf8')) as unknown;
  } catch (cause) {
    throw unreadable('not JSON', cause);
  } finally {
    plaintext.fill(0);
  }
}

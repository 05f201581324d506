import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt as scryptCallback,
  scryptSync,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { EchosimError } from '../../core/errors.js';

/**
 * The cloud's secrets, at rest and in use.
 *
 * - Network passwords must be given back to the devices that need them, so they are *encrypted*
 *   (AES-256-GCM) with a key that lives outside the database, in `secret.key` (mode 0600). A copy of
 *   the database alone reveals nothing; the additional authenticated data binds every ciphertext to
 *   the row and field it belongs to, so a ciphertext moved to another row does not decrypt.
 * - Device secrets and the admin token are only ever *checked*: they are stored as keyed hashes
 *   (auth/credential-key.ts). The scrypt functions below remain to check hashes written before that,
 *   until their next successful login replaces them.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** scrypt cost: N=2^14, r=8, p=1 (about 35 ms on a small x86 core; the parameters travel with each hash). */
const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1 } as const;
const SCRYPT_KEYLEN = 32;
const SALT_BYTES = 16;

/** A new random secret: 32 bytes, base64url (43 characters, safe in MQTT passwords and files). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Refuses a secret file that others can read: like ssh with its keys, a key that may already have
 * leaked is not used silently. The owner must be this process's user.
 */
export function assertPrivateFile(path: string, what: string): void {
  if (process.platform === 'win32') return;
  const st = statSync(path);
  const uid = process.getuid?.();
  if ((st.mode & 0o077) !== 0 || (uid !== undefined && st.uid !== uid)) {
    throw new EchosimError(
      'CLOUD_SECRET_FILE_INSECURE',
      `${what} ${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)})`,
      {
        hint: `Run \`chmod 600 ${path}\` as its owner (and consider the secret exposed: rotate it if others could read it).`,
        details: { path, mode: st.mode & 0o777 },
      },
    );
  }
}

/**
 * Reads a private file, or creates it with `create()`'s bytes when it does not exist: exclusive
 * create with mode 0600 and an fsync, so two processes starting at once cannot both write one and a
 * crash never leaves a half-written key that a later start would trust.
 */
export function readOrCreatePrivateFile(path: string, what: string, create: () => Buffer): { bytes: Buffer; created: boolean } {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    assertPrivateFile(path, what);
    return { bytes: readFileSync(path), created: false };
  }
  try {
    const bytes = create();
    writeSync(fd, bytes);
    fsyncSync(fd);
    if (process.platform !== 'win32' && (fstatSync(fd).mode & 0o077) !== 0) {
      throw new EchosimError('CLOUD_SECRET_FILE_INSECURE', `could not create ${what} ${path} with mode 0600`, {
        hint: 'Check the file system supports Unix permissions.',
      });
    }
    return { bytes, created: true };
  } finally {
    closeSync(fd);
  }
}

/**
 * Authenticated encryption of short secrets (AES-256-GCM, random 96-bit IV per message). A sealed
 * value is `v1.<iv>.<tag>.<ciphertext>` in base64url, a plain string that fits a TEXT column.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new EchosimError('CLOUD_SECRET_INVALID', `the secret key must be ${KEY_BYTES} bytes, got ${key.length}`, {
        hint: 'Restore the original secret.key from a backup; without it the encrypted network passwords cannot be read.',
      });
    }
    this.key = Buffer.from(key);
    // A separate key for MACs (request fingerprints), derived so one file serves both purposes.
    this.macKey = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), 'echosim request mac', 32));
  }

  /** Opens `dir/secret.key`, creating a random one (mode 0600) on first use. */
  static open(dir: string): SecretBox {
    const path = `${dir}/secret.key`;
    const { bytes } = readOrCreatePrivateFile(path, 'the secret key', () => randomBytes(KEY_BYTES));
    if (bytes.length !== KEY_BYTES) {
      throw new EchosimError('CLOUD_SECRET_INVALID', `${path} holds ${bytes.length} bytes; a key is ${KEY_BYTES}`, {
        hint: 'The key file is damaged: restore it from a backup. Without it the stored network passwords are lost (re-enter them).',
        details: { path },
      });
    }
    return new SecretBox(bytes);
  }

  /** Encrypts `plaintext`; `context` (e.g. "network-profile/<id>/CurrentPassword") must match on unseal. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** Decrypts a sealed value; throws CLOUD_SECRET_INVALID when it was tampered with or sealed for another context. */
  unseal(sealed: string, context: string): string {
    const parts = sealed.split('.');
    const [format, ivText, tagText, ctText] = parts;
    if (parts.length !== 4 || format !== FORMAT || ivText === undefined || tagText === undefined || ctText === undefined) {
      throw invalidSealed(context, 'unknown format');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw invalidSealed(context, 'bad header');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw invalidSealed(context, 'authentication failed', cause);
    }
  }

  /**
   * A keyed fingerprint (HMAC-SHA256) of data that may contain secrets, e.g. an idempotent request
   * body holding a Wi-Fi password: unlike a plain hash it cannot be brute-forced without the key.
   */
  mac(data: string): string {
    return createHmac('sha256', this.macKey).update(data, 'utf8').digest('base64url');
  }
}

function invalidSealed(context: string, why: string, cause?: unknown): EchosimError {
  return new EchosimError('CLOUD_SECRET_INVALID', `the encrypted value for ${context} cannot be decrypted (${why})`, {
    hint: 'The database and secret.key do not belong together, or the value was altered. Restore the matching secret.key, or re-enter the secret.',
    cause,
  });
}

/** `scrypt$N$r$p$salt$hash` (base64url): self-describing, so the cost can be raised later. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(SALT_BYTES);
  const hash = scryptSync(secret, salt, SCRYPT_KEYLEN, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

interface ParsedHash {
  salt: Buffer;
  hash: Buffer;
  options: ScryptOptions;
}

function parseHash(stored: string): ParsedHash | undefined {
  const [kind, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (kind !== 'scrypt' || rest.length > 0 || salt === undefined || hash === undefined) return undefined;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (![N, R, P].every((x) => Number.isInteger(x) && x > 0)) return undefined;
  const options: ScryptOptions = { N, r: R, p: P, maxmem: Math.max(32 * 1024 * 1024, 256 * N * R) };
  return { salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url'), options };
}

/** Checks `secret` against a stored hash in constant time (blocking: about one scrypt). */
export function verifySecretSync(secret: string, stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const candidate = scryptSync(secret, parsed.salt, parsed.hash.length, parsed.options);
  return timingSafeEqual(candidate, parsed.hash);
}

/** Like verifySecretSync on libuv's thread pool, so a reconnect storm does not stall the event loop. */
export function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    scryptCallback(secret, parsed.salt, parsed.hash.length, parsed.options, (err, candidate) => {
      if (err) reject(err);
      else resolve(timingSafeEqual(candidate, parsed.hash));
    });
  });
}

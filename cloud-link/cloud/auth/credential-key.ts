import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import { readOrCreatePrivateFile } from '../secrets.js';

/**
 * The keyed hash the cloud stores for the secrets it only ever checks (device secrets, the admin
 * token): HMAC-SHA256 under a server key kept in `credential.key` (mode 0600) beside `secret.key`,
 * never in the database.
 *
 * Why not a slow KDF (scrypt, as before): those secrets are 256-bit random values the cloud makes
 * itself, so there is nothing for a slow hash to protect against brute force, while every check of a
 * wrong secret cost ~35 ms of CPU that anyone on the network could ask for. An HMAC costs a
 * microsecond, and without the key a copy of the database does not even allow checking a guess.
 *
 * A stored value is `hmac-sha256$<key id>$<mac>` (base64url). The key id (a fingerprint of the key,
 * not the key) says which key made it, so a replaced key file is told apart from a wrong secret. The
 * MAC covers a context (`admin`, `device:<serial>`) with the secret, so a value copied to another
 * row does not verify there.
 */
export const CREDENTIAL_KEY_FILE = 'credential.key';
const KEY_BYTES = 32;
const MAC_BYTES = 32;
const SCHEME = 'hmac-sha256';

export type KeyedCheck = 'match' | 'mismatch' | 'other-key';

export class CredentialKey {
  /** Fingerprint of the key (safe to store and log). */
  readonly id: string;
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new EchosimError('CLOUD_SECRET_INVALID', `the credential key must be ${KEY_BYTES} bytes, got ${key.length}`, {
        hint: `Restore ${CREDENTIAL_KEY_FILE} from a backup of the data directory.`,
      });
    }
    this.key = Buffer.from(key);
    this.id = createHmac('sha256', this.key).update('echosim credential key id').digest().subarray(0, 9).toString('base64url');
  }

  /** Opens `dir/credential.key`, creating a random one (mode 0600) on first use. */
  static open(dir: string): { key: CredentialKey; created: boolean } {
    const file = path.join(dir, CREDENTIAL_KEY_FILE);
    const { bytes, created } = readOrCreatePrivateFile(file, 'the credential key', () => randomBytes(KEY_BYTES));
    if (bytes.length !== KEY_BYTES) {
      throw new EchosimError('CLOUD_SECRET_INVALID', `${file} holds ${bytes.length} bytes; a key is ${KEY_BYTES}`, {
        hint: 'The key file is damaged: restore it from a backup of the data directory.',
        details: { path: file },
      });
    }
    return { key: new CredentialKey(bytes), created };
  }

  /** Whether `stored` is a keyed hash (of any key), as opposed to an older scrypt hash. */
  static isKeyed(stored: string): boolean {
    return stored.startsWith(`${SCHEME}$`);
  }

  /** How every value made with the key of fingerprint `id` starts. */
  static prefixOf(id: string): string {
    return `${SCHEME}$${id}$`;
  }

  /** The value to store for `secret` checked in `context` (e.g. `device:<serial>`). */
  hash(context: string, secret: string): string {
    return `${CredentialKey.prefixOf(this.id)}${this.mac(context, secret).toString('base64url')}`;
  }

  /**
   * Checks `secret` against a stored keyed hash in constant time (for a given stored length).
   * 'other-key': made with another credential.key, so it cannot be checked at all.
   */
  verify(context: string, secret: string, stored: string): KeyedCheck {
    const parts = stored.split('$');
    const expected = Buffer.from(parts[2] ?? '', 'base64url');
    const candidate = this.mac(context, secret);
    const wellFormed = expected.length === MAC_BYTES;
    const same = timingSafeEqual(candidate, wellFormed ? expected : Buffer.alloc(MAC_BYTES)) && wellFormed;
    if (parts.length !== 3 || parts[0] !== SCHEME) return 'mismatch';
    if (parts[1] !== this.id) return 'other-key';
    return same ? 'match' : 'mismatch';
  }

  private mac(context: string, secret: string): Buffer {
    // Length-prefixed so no (context, secret) pair can be rewritten as another.
    const ctx = Buffer.from(context, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(ctx.length);
    return createHmac('sha256', this.key).update(len).update(ctx).update(secret, 'utf8').digest();
  }
}

import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes in the format of Mosquitto 2.0's password file, as `mosquitto_passwd` writes them
 * by default (`-H sha512-pbkdf2`):
 *
 *     username:$7$101$<salt, base64>$<hash, base64>
 *
 * `7` is PBKDF2 with HMAC-SHA512, `101` the iteration count Mosquitto 2.0 uses, the salt is 12 random
 * bytes and the hash is the 64-byte derived key. Mosquitto base64-decodes the salt and feeds the raw
 * bytes to PBKDF2 (checked against real `mosquitto_passwd -b` output in the tests), so we do the same.
 *
 * The iteration count is Mosquitto's, not ours to choose: it is low, which is one reason the device
 * secrets the cloud issues are long random strings rather than anything a person picks.
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 101;
const SALT_BYTES = 12;
const KEY_BYTES = 64;

/** The `$7$...` hash of `password`; a fresh random salt unless one is given (tests). */
export function mosquittoPasswordHash(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, MOSQUITTO_PBKDF2_ITERATIONS, KEY_BYTES, 'sha512');
  return `$7$${MOSQUITTO_PBKDF2_ITERATIONS}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Checks `password` against a `$7$` hash (ours or mosquitto_passwd's), in constant time.
 * Returns false for anything that is not a well-formed `$7$` hash.
 */
export function verifyMosquittoPassword(password: string, encoded: string): boolean {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(encoded);
  if (!m) return false;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2] ?? '', 'base64');
  const expected = Buffer.from(m[3] ?? '', 'base64');
  if (!Number.isSafeInteger(iterations) || iterations < 1 || expected.length === 0) return false;
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, expected.length, 'sha512');
  return timingSafeEqual(key, expected);
}

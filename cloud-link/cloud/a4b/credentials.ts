import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../../../core/log.js';
import { CredentialKey } from '../auth/credential-key.js';
import { recordCredentialKey } from '../auth/credential-key-record.js';
import { assertPrivateFile, generateSecret, readOrCreatePrivateFile, verifySecret, verifySecretSync } from '../secrets.js';
import { DEVICE_ID_PATTERN } from './arn.js';
import { prepared } from '../db/statements.js';

/**
 * Checking who is who: the admin token (HTTP API, and the cloud's own MQTT login) and each device's
 * secret (its MQTT password). Both are random 256-bit values the cloud makes, stored only as a keyed
 * hash (auth/credential-key.ts): a check costs a microsecond, so wrong credentials cannot be used to
 * keep the CPU busy, and it is constant-time, so timing tells nothing about how close a guess was.
 * An unknown device is compared against a dummy value, so it costs what a wrong secret costs.
 *
 * Databases from before keep their scrypt hashes (a hash cannot be turned into another without the
 * secret): such a row is still checked with scrypt, off the event loop and at most
 * `maxLegacyChecks` at a time (callers rate-limit failures first, auth/auth-throttle.ts), and it is
 * rewritten as a keyed hash on its first successful login. The admin token is upgraded when the
 * cloud opens, from the token file.
 */

const ADMIN = 'admin';
const MAX_SECRET_LENGTH = 1024;
const DEFAULT_MAX_LEGACY_CHECKS = 2;

/** 'busy': a legacy (scrypt) row could not be checked now; neither a success nor a failure. */
export type CredentialCheck = 'ok' | 'denied' | 'busy';

export class Credentials {
  private legacyChecks = 0;
  private readonly dummy: string;

  private constructor(
    private readonly db: Database,
    readonly adminTokenFile: string,
    private readonly key: CredentialKey,
    private readonly log: Logger,
    private readonly maxLegacyChecks: number,
  ) {
    this.dummy = key.hash('dummy', generateSecret());
  }

  /**
   * Opens the credential key and makes sure an admin token exists: on first open a new one is
   * written to `admin-token` (mode 0600, the only plaintext copy, for the operator) and its keyed
   * hash stored. A database that lost its hash (or holds one the current key cannot check)
   * re-adopts the token still in the file; an older scrypt hash is upgraded if the file matches it.
   */
  static open(db: Database, dir: string, now: number, log: Logger, maxLegacyChecks = DEFAULT_MAX_LEGACY_CHECKS): Credentials {
    const { key, created } = CredentialKey.open(dir);
    recordCredentialKey(db, key, created, now, log);
    const file = path.join(dir, 'admin-token');
    const credentials = new Credentials(db, file, key, log, maxLegacyChecks);
    const stored = credentials.adminHash();
    if (!stored) {
      const { bytes } = readOrCreatePrivateFile(file, 'the admin token', () => Buffer.from(`${generateSecret()}\n`, 'utf8'));
      const token = bytes.toString('utf8').trim();
      if (token.length < 16) throw new Error(`${file} holds no usable admin token; delete it to have a new one made`);
      credentials.storeAdmin(token, now);
    } else if (existsSync(file)) {
      assertPrivateFile(file, 'the admin token');
      const token = readFileSync(file, 'utf8').trim();
      const keyed = CredentialKey.isKeyed(stored);
      const usable = token.length >= 16;
      if (usable && keyed && key.verify(ADMIN, token, stored) === 'other-key') {
        log.warn('the admin token hash was made with another credential key: re-adopting the token in the admin-token file');
        credentials.storeAdmin(token, now);
      } else if (usable && !keyed && verifySecretSync(token, stored)) {
        credentials.storeAdmin(token, now);
        log.info('the admin token hash was upgraded from scrypt to a keyed hash');
      }
    }
    return credentials;
  }

  /**
   * One of the cloud's own logins besides the admin token (Home Assistant's broker user): on first
   * use a random secret is written to `file` (mode 0600, the only plaintext copy, for the operator to
   * give to that client) and its keyed hash stored under `name`. A hash that is missing, or was made
   * with another credential key, is re-adopted from the file. Returns the secret (for an external
   * broker's password file) and whether it was just made.
   */
  ensureLogin(name: string, file: string, now: number): { secret: string; created: boolean } {
    const { bytes, created } = readOrCreatePrivateFile(file, `the ${name} password`, () => Buffer.from(`${generateSecret()}\n`, 'utf8'));
    const secret = bytes.toString('utf8').trim();
    if (secret.length < 16) throw new Error(`${file} holds no usable password; delete it to have a new one made`);
    const context = loginContext(name);
    const stored = this.storedHash(context);
    if (stored === undefined || this.key.verify(context, secret, stored) !== 'match') this.storeHash(context, secret, now);
    return { secret, created };
  }

  /** Checks a login made by ensureLogin (constant-time; false when it was never made). */
  verifyLogin(name: string, secret: unknown): boolean {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return false;
    const context = loginContext(name);
    const stored = this.storedHash(context);
    return this.key.verify(context, secret, stored ?? this.dummy) === 'match' && stored !== undefined;
  }

  /** The stored value for a device secret (RegisterDevice), bound to the device. */
  hashDeviceSecret(deviceId: string, secret: string): string {
    return this.key.hash(deviceContext(deviceId), secret);
  }

  /** The admin token from its file, or undefined when the operator removed the file. */
  readAdminToken(): string | undefined {
    if (!existsSync(this.adminTokenFile)) return undefined;
    assertPrivateFile(this.adminTokenFile, 'the admin token');
    return readFileSync(this.adminTokenFile, 'utf8').trim();
  }

  /**
   * Replaces the admin token; the old one stops working at once. A local operation (it needs the
   * data directory, not a token). The new file is written beside the old one (mode 0600, fsynced)
   * and renamed over it once the new hash is committed.
   */
  rotateAdminToken(now: number): string {
    const token = generateSecret();
    const tmp = `${this.adminTokenFile}.${process.pid}.tmp`;
    try {
      unlinkSync(tmp);
    } catch {
      // no leftover
    }
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${token}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.storeAdmin(token, now);
    renameSync(tmp, this.adminTokenFile);
    return token;
  }

  /**
   * Checks the admin token (synchronous; constant-time). An older scrypt row, left only when the
   * token file was missing at open, costs one scrypt per check until a successful one upgrades it.
   */
  verifyAdminToken(token: unknown): boolean {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_SECRET_LENGTH) return false;
    const stored = this.adminHash();
    if (stored === undefined || CredentialKey.isKeyed(stored)) return this.key.verify(ADMIN, token, stored ?? this.dummy) === 'match' && stored !== undefined;
    if (!verifySecretSync(token, stored)) return false;
    this.upgrade({ credential: 'admin token' }, () =>
      this.db.prepare('UPDATE cloud_credentials SET hash = ? WHERE name = ? AND hash = ?').run(this.key.hash(ADMIN, token), ADMIN, stored),
    );
    return true;
  }

  /**
   * Checks a device's MQTT credentials: its id (= username = client id) and its secret. Denied for
   * unknown and deregistered devices; 'busy' when it needs a legacy scrypt check and enough of those
   * are running already (retry later).
   */
  async checkDeviceSecret(deviceId: unknown, secret: unknown): Promise<CredentialCheck> {
    if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) return 'denied';
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return 'denied';
    const context = deviceContext(deviceId);
    const stored = this.deviceHash(deviceId);
    if (stored === undefined || CredentialKey.isKeyed(stored)) {
      const check = this.key.verify(context, secret, stored ?? this.dummy);
      if (check === 'other-key') this.log.warn({ deviceId }, "the device's secret was hashed with another credential key: re-register it, or restore the original credential.key");
      return check === 'match' && stored !== undefined ? 'ok' : 'denied';
    }
    if (this.legacyChecks >= this.maxLegacyChecks) return 'busy';
    this.legacyChecks++;
    let ok: boolean;
    try {
      ok = await verifySecret(secret, stored);
    } finally {
      this.legacyChecks--;
    }
    if (!ok) return 'denied';
    // Rewritten only if the row still holds the hash just checked (not deregistered or re-registered meanwhile).
    const changed = this.upgrade({ deviceId }, () =>
      this.db.prepare(`UPDATE devices SET credential_hash = ? WHERE serial = ? AND credential_hash = ? AND status <> 'DEREGISTERED'`).run(this.key.hash(context, secret), deviceId, stored),
    );
    return changed ? 'ok' : 'denied';
  }

  private upgrade(who: Record<string, string>, write: () => { changes: number }): boolean {
    const changed = write().changes > 0;
    if (changed) this.log.info(who, 'credential upgraded from scrypt to a keyed hash');
    return changed;
  }

  private storeAdmin(token: string, now: number): void {
    this.storeHash(ADMIN, token, now);
  }

  private adminHash(): string | undefined {
    return this.storedHash(ADMIN);
  }

  /** Stores the keyed hash of `secret` under `name`, which is also its hash context. */
  private storeHash(name: string, secret: string, now: number): void {
    this.db
      .prepare(
        'INSERT INTO cloud_credentials (name, hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at',
      )
      .run(name, this.key.hash(name, secret), now);
  }

  private storedHash(name: string): string | undefined {
    return (this.db.prepare('SELECT hash FROM cloud_credentials WHERE name = ?').get(name) as { hash: string } | undefined)?.hash;
  }

  private deviceHash(deviceId: string): string | undefined {
    const row = prepared(this.db, `SELECT credential_hash FROM devices WHERE serial = ? AND status <> 'DEREGISTERED'`).get(deviceId) as
      | { credential_hash: string | null }
      | undefined;
    return row?.credential_hash ?? undefined;
  }
}

function loginContext(name: string): string {
  return `login:${name}`;
}

function deviceContext(deviceId: string): string {
  return `device:${deviceId}`;
}

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import {
  assertPrivateFile,
  generateSecret,
  hashSecret,
  readOrCreatePrivateFile,
  secretDigest,
  verifySecret,
  verifySecretSync,
} from '../secrets.js';
import { DEVICE_ID_PATTERN } from './arn.js';

/**
 * Checking who is who: the admin token (HTTP API, and the cloud's own MQTT login) and each device's
 * secret (its MQTT password). Both are stored as scrypt hashes only.
 *
 * A successful check is remembered in memory as (stored hash, SHA-256 of the secret), so a device
 * reconnecting or an API client making many calls costs one scrypt per process, not one per call;
 * the entry is void as soon as the stored hash changes (deregistration, re-registration, rotation).
 * Failed checks always pay the full scrypt, and so do unknown devices (a dummy hash), so timing
 * reveals neither a device's existence nor how close a guess was.
 */

const ADMIN = 'admin';
const MAX_SECRET_LENGTH = 1024;

interface Verified {
  stored: string;
  digest: Buffer;
}

export class Credentials {
  private readonly verified = new Map<string, Verified>();
  /** Compared against when there is no real hash, so a miss costs what a wrong secret costs. */
  private readonly dummyHash = hashSecret(generateSecret());

  constructor(
    private readonly db: Database,
    readonly adminTokenFile: string,
  ) {}

  /**
   * Makes sure an admin token exists: on first open a new one is written to `admin-token` (mode
   * 0600, the only plaintext copy, for the operator) and its hash stored. A database that lost its
   * hash re-adopts the token still in the file.
   */
  static open(db: Database, dir: string, now: number): Credentials {
    const file = path.join(dir, 'admin-token');
    const stored = db.prepare('SELECT hash FROM cloud_credentials WHERE name = ?').get(ADMIN) as { hash: string } | undefined;
    if (!stored) {
      const { bytes } = readOrCreatePrivateFile(file, 'the admin token', () => Buffer.from(`${generateSecret()}\n`, 'utf8'));
      const token = bytes.toString('utf8').trim();
      if (token.length < 16) throw new Error(`${file} holds no usable admin token; delete it to have a new one made`);
      db.prepare('INSERT INTO cloud_credentials (name, hash, created_at) VALUES (?, ?, ?)').run(ADMIN, hashSecret(token), now);
    } else if (existsSync(file)) {
      assertPrivateFile(file, 'the admin token');
    }
    return new Credentials(db, file);
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
    this.db
      .prepare(
        'INSERT INTO cloud_credentials (name, hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at',
      )
      .run(ADMIN, hashSecret(token), now);
    renameSync(tmp, this.adminTokenFile);
    this.verified.delete('admin');
    return token;
  }

  /** Checks the admin token (synchronous: one scrypt the first time, then a constant-time compare). */
  verifyAdminToken(token: unknown): boolean {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_SECRET_LENGTH) return false;
    const row = this.db.prepare('SELECT hash FROM cloud_credentials WHERE name = ?').get(ADMIN) as { hash: string } | undefined;
    const stored = row?.hash;
    if (this.cached('admin', stored, token)) return true;
    const ok = verifySecretSync(token, stored ?? this.dummyHash) && stored !== undefined;
    if (ok && stored) this.verified.set('admin', { stored, digest: secretDigest(token) });
    return ok;
  }

  /**
   * Checks a device's MQTT credentials: its id (= username = client id) and its secret. False for
   * unknown and deregistered devices. Runs scrypt off the event loop.
   */
  async verifyDeviceSecret(deviceId: unknown, secret: unknown): Promise<boolean> {
    if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) return false;
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return false;
    const stored = this.deviceHash(deviceId);
    const key = `device:${deviceId}`;
    if (this.cached(key, stored, secret)) return true;
    const ok = (await verifySecret(secret, stored ?? this.dummyHash)) && stored !== undefined;
    // the device may have been deregistered or re-registered while scrypt ran
    if (!ok || this.deviceHash(deviceId) !== stored || stored === undefined) return false;
    this.verified.set(key, { stored, digest: secretDigest(secret) });
    return true;
  }

  private deviceHash(deviceId: string): string | undefined {
    const row = this.db.prepare(`SELECT credential_hash FROM devices WHERE serial = ? AND status <> 'DEREGISTERED'`).get(deviceId) as
      | { credential_hash: string | null }
      | undefined;
    return row?.credential_hash ?? undefined;
  }

  private cached(key: string, stored: string | undefined, secret: string): boolean {
    const hit = this.verified.get(key);
    if (!hit) return false;
    if (stored === undefined || hit.stored !== stored) {
      this.verified.delete(key);
      return false;
    }
    return timingSafeEqual(hit.digest, secretDigest(secret));
  }
}

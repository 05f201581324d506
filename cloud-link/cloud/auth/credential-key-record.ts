import type { Database } from 'better-sqlite3';
import type { Logger } from '../../../core/log.js';
import { CREDENTIAL_KEY_FILE, CredentialKey } from './credential-key.js';

/**
 * The database remembers the fingerprint of the credential key its keyed hashes were made with
 * (table credential_key, migration 7), so a data directory whose credential.key was lost or swapped
 * says so loudly when the cloud opens, with the number of devices that can no longer log in, rather
 * than leaving every device to fail with "bad credentials". The cloud still starts: the admin token
 * is re-adopted from its file, and devices can be re-registered (or the right key restored).
 */
export function recordCredentialKey(db: Database, key: CredentialKey, created: boolean, now: number, log: Logger): void {
  const row = db.prepare('SELECT key_id FROM credential_key WHERE singleton = 1').get() as { key_id: string } | undefined;
  if (row?.key_id === key.id) return;
  if (row) {
    const prefix = CredentialKey.prefixOf(row.key_id);
    const { n } = db
      .prepare(`SELECT count(*) AS n FROM devices WHERE status <> 'DEREGISTERED' AND substr(credential_hash, 1, ?) = ?`)
      .get(prefix.length, prefix) as { n: number };
    log.error(
      { previousKeyId: row.key_id, keyId: key.id, devices: n, file: CREDENTIAL_KEY_FILE },
      `${CREDENTIAL_KEY_FILE} is ${created ? 'new' : 'not the key this database was using'}: ${n} device secrets cannot be checked; ` +
        `restore the original ${CREDENTIAL_KEY_FILE} and restart, or re-register those devices`,
    );
  }
  db.prepare(
    'INSERT INTO credential_key (singleton, key_id, recorded_at) VALUES (1, ?, ?) ON CONFLICT (singleton) DO UPDATE SET key_id = excluded.key_id, recorded_at = excluded.recorded_at',
  ).run(key.id, now);
}

import type { Database } from 'better-sqlite3';
import { DesiredSecretsSchema, mergeDesiredSecrets, splitDesiredSecrets } from '../../protocol/desired-secrets.js';
import { A4bError } from '../a4b/errors.js';
import type { SecretBox } from '../secrets.js';
import { prepared } from './statements.js';

export interface StoredShadow {
  /** The whole shadow document, as the shadow engine keeps it (desired, reported, metadata...). */
  document: unknown;
  /** The shadow's version: it only ever grows, also across restarts. */
  version: number;
  /** Wall-clock ms of the last write. */
  updatedAt: number;
}

interface ShadowRow {
  document: string;
  secrets_enc: string | null;
  version: number;
  updated_at: number;
}

type DocumentShape = { state?: { desired?: unknown } };

/** The additional data of a shadow's sealed secrets: this device, this version of its document. */
export function shadowSecretsContext(deviceId: string, version: number): string {
  return `shadow/${deviceId}/${version}/desired-secrets`;
}

/**
 * A shadow document as it is stored: its JSON without the desired state's secret fields, and those
 * fields sealed with the cloud's key (null when it has none). Used by the store and by the migration
 * that sealed the secrets of databases written before (migrations.ts, version 6).
 */
export function sealShadowDocument(box: SecretBox, deviceId: string, version: number, document: unknown): { json: string; secretsEnc: string | null } {
  const doc = document as DocumentShape;
  const { desired, secrets } = splitDesiredSecrets(doc.state?.desired);
  if (!secrets) return { json: JSON.stringify(document), secretsEnc: null };
  const stored = { ...doc, state: { ...doc.state, desired } };
  return { json: JSON.stringify(stored), secretsEnc: box.seal(JSON.stringify(secrets), shadowSecretsContext(deviceId, version)) };
}

/**
 * Persistence of device shadows (docs/device-shadow.md#rejections). The shadow semantics (merge, delta, 409 on a stale
 * version) live in the protocol's shadow engine; this store keeps the result durable and refuses a
 * write that would move the version backwards, so two writers racing on one device cannot silently
 * lose an update (the loser gets ConcurrentModificationException and re-reads).
 *
 * The desired state's secret fields (the network passwords) never reach the database in the clear:
 * `put` stores the document without them and the fields sealed (AES-256-GCM with secret.key, bound
 * to the device and the document's version) in `secrets_enc`; `get` puts them back. Callers see
 * whole documents; a copy of the database alone reveals no password.
 */
export class ShadowStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    private readonly box: SecretBox,
  ) {}

  get(deviceId: string): StoredShadow | undefined {
    const row = prepared(this.db, 'SELECT document, secrets_enc, version, updated_at FROM shadows WHERE device_id = ?').get(deviceId) as
      | ShadowRow
      | undefined;
    if (!row || row.document === 'null') return undefined;
    const document = JSON.parse(row.document) as DocumentShape;
    if (row.secrets_enc !== null && document.state) {
      const secrets = DesiredSecretsSchema.parse(JSON.parse(this.box.unseal(row.secrets_enc, shadowSecretsContext(deviceId, row.version))));
      document.state = { ...document.state, desired: mergeDesiredSecrets(document.state.desired, secrets) };
    }
    return { document, version: row.version, updatedAt: row.updated_at };
  }

  /**
   * Stores `document` as the device's shadow. With `version`, it must be greater than the stored one;
   * without, the stored version + 1 is used. Returns the version stored. The device must exist.
   */
  put(deviceId: string, document: unknown, version?: number): number {
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
      throw new A4bError('ValidationException', `shadow version must be a positive integer, got ${String(version)}`);
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new A4bError('ValidationException', 'a shadow document must be a JSON object');
    }
    const write = this.db.transaction((): number => {
      const exists = prepared(this.db, 'SELECT 1 FROM devices WHERE serial = ?').get(deviceId);
      if (!exists) throw new A4bError('NotFoundException', `device ${deviceId} is not registered`);
      const current = this.versionOf(deviceId);
      const next = version ?? current + 1;
      if (next <= current) {
        throw new A4bError(
          'ConcurrentModificationException',
          `shadow of ${deviceId} is at version ${current}; refusing to store version ${next}`,
        );
      }
      const { json, secretsEnc } = sealShadowDocument(this.box, deviceId, next, document);
      prepared(
        this.db,
        `INSERT INTO shadows (device_id, document, secrets_enc, version, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (device_id) DO UPDATE SET document = excluded.document, secrets_enc = excluded.secrets_enc,
             version = excluded.version, updated_at = excluded.updated_at`,
      ).run(deviceId, json, secretsEnc, next, this.now());
      return next;
    });
    return write.immediate();
  }

  /** The stored version (0 when the device never had a shadow); it survives delete(). */
  versionOf(deviceId: string): number {
    const row = prepared(this.db, 'SELECT version FROM shadows WHERE device_id = ?').get(deviceId) as { version: number } | undefined;
    return row?.version ?? 0;
  }

  /**
   * Deletes a device's shadow document (deregistration, a reset). As in AWS IoT the version is not
   * reset: a tombstone keeps it, so a device that still holds an old document sees a newer version.
   * Returns whether there was a document.
   */
  delete(deviceId: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE shadows SET document = 'null', secrets_enc = NULL, version = version + 1, updated_at = ? WHERE device_id = ? AND document <> 'null'`,
        )
        .run(this.now(), deviceId).changes > 0
    );
  }
}

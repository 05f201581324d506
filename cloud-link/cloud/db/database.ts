import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { EchosimError } from '../../../core/errors.js';
import { rootLogger, type Logger } from '../../../core/log.js';
import { ensurePrivateDir, tightenFile } from '../../../core/private-files.js';
import type { SecretBox } from '../secrets.js';
import { migrate, type Migration, type MigrationReport } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { runPendingMaintenance } from './scrub.js';

export interface CloudDatabaseOptions {
  /** The cloud's data directory (created with mode 0700 if missing). */
  dir: string;
  /** Database file name inside `dir`. */
  fileName?: string;
  log?: Logger;
  /** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** For tests of old schemas: the migrations to bring the file to (default: all). */
  migrations?: readonly Migration[];
  /** The cloud's secret key, for migrations that seal data written in the clear by older versions. */
  box?: SecretBox;
}

export const DEFAULT_DB_FILE = 'echosim-cloud.db';

/**
 * The cloud's SQLite database (better-sqlite3: synchronous, so one API operation is one short
 * transaction with nothing interleaved inside it).
 *
 * - WAL journal: readers never block the writer; with synchronous=NORMAL a commit is atomic and
 *   survives a crash of the process; a power cut may lose the last commits but never corrupts.
 * - foreign_keys=ON (SQLite's default is off) so rooms, devices and jobs cannot point at nothing.
 * - busy_timeout: a second process (e.g. a CLI reading the same file) waits instead of failing.
 * - The file holds hashes and ciphertexts only, and is still made private (0600): metadata such as
 *   device names and SSIDs is nobody else's business. secure_delete=ON zeroes what a write replaces
 *   or deletes, and a migration that took plaintext out of the file has it scrubbed (scrub.ts) before
 *   the database is used, so neither free pages nor the WAL keep an old copy.
 */
export class CloudDatabase {
  readonly file: string;
  readonly migration: MigrationReport;
  private closed = false;

  private constructor(
    readonly db: Database,
    file: string,
    migration: MigrationReport,
  ) {
    this.file = file;
    this.migration = migration;
  }

  static open(options: CloudDatabaseOptions): CloudDatabase {
    const log = (options.log ?? rootLogger()).child({ component: 'cloud-db' });
    ensurePrivateDir(options.dir);
    const file = path.join(options.dir, options.fileName ?? DEFAULT_DB_FILE);
    let db: Database;
    try {
      db = new BetterSqlite3(file);
    } catch (cause) {
      throw new EchosimError('CLOUD_DATABASE_INVALID', `cannot open the cloud database ${file}: ${(cause as Error).message}`, {
        hint: 'Check the data directory exists, is writable, and the file is an SQLite database.',
        cause,
      });
    }
    try {
      tightenFile(file);
      db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 5000))}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') log.warn({ mode }, 'WAL journal not available; using the fallback journal');
      db.pragma('synchronous = NORMAL');
      // SQLite creates -wal and -shm with the database's mode; ones an older version left wider are tightened
      for (const suffix of ['-wal', '-shm']) tightenFile(`${file}${suffix}`);
      db.pragma('foreign_keys = ON');
      // Deleted and overwritten content is zeroed, not left in free space for a copy of the file to show.
      db.pragma('secure_delete = ON');
      const report = migrate(db, options.migrations ?? MIGRATIONS, log, options.box ? { box: options.box } : {});
      runPendingMaintenance(db, log);
      return new CloudDatabase(db, file, report);
    } catch (err) {
      db.close();
      if (err instanceof EchosimError) throw err;
      throw new EchosimError('CLOUD_DATABASE_INVALID', `the cloud database ${file} cannot be used: ${(err as Error).message}`, {
        hint: 'If the file is damaged, restore it from a backup (with its secret.key).',
        cause: err,
      });
    }
  }

  /** The schema version the file is at. */
  get schemaVersion(): number {
    return (this.db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Runs `fn` in a transaction: IMMEDIATE (takes the write lock first, so a read-then-write cannot
   * deadlock against another writer) unless `readOnly`.
   */
  transaction<T>(fn: () => T, readOnly = false): T {
    const tx = this.db.transaction(fn);
    return readOnly ? tx.deferred() : tx.immediate();
  }

  /** Checkpoints the WAL into the main file and closes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}

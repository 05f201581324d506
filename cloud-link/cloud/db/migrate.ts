import type { Database } from 'better-sqlite3';
import { EchosimError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { SecretBox } from '../secrets.js';

/**
 * One step of the schema's history. Migrations are append-only: a released migration is never edited
 * or reordered (a database records the name of every step it has applied, and opening refuses a
 * history that disagrees), so every database, however old, reaches the same schema by the same path.
 */
export interface Migration {
  /** 1, 2, 3, ... in order, no gaps. */
  readonly version: number;
  /** A short stable name, checked against what the database recorded. */
  readonly name: string;
  /** SQL run as one transaction together with its schema_migrations row. */
  readonly sql: string;
  /**
   * Data the SQL alone cannot move (e.g. re-encrypting with the cloud's key), run after `sql` in the
   * same transaction: if it throws, nothing of the step is applied.
   */
  readonly data?: (db: Database, context: MigrationContext) => void;
}

/** What a migration's data step may use besides the database. */
export interface MigrationContext {
  /** The cloud's secret key (secret.key), for steps that seal data; absent when the caller has none. */
  readonly box?: SecretBox;
  /** Wall-clock ms. */
  readonly now: number;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: Array<{ version: number; name: string }>;
}

function invalid(message: string, hint: string, details?: Record<string, unknown>): EchosimError {
  return new EchosimError('CLOUD_DATABASE_INVALID', message, { hint, ...(details ? { details } : {}) });
}

/** Checks that a migration list is well formed: versions 1..n in order, unique names. */
export function checkMigrations(migrations: readonly Migration[]): void {
  const names = new Set<string>();
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}; expected ${i + 1}`);
    if (names.has(m.name)) throw new Error(`migration name ${m.name} is used twice`);
    names.add(m.name);
  });
}

/**
 * Brings the database up to the last migration. Each step runs in its own IMMEDIATE transaction with
 * the row that records it, so a crash or an error leaves the database at the previous version, never
 * half-migrated. A database newer than this code (a downgrade) is refused rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[], log?: Logger, context: Omit<MigrationContext, 'now'> = {}): MigrationReport {
  checkMigrations(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as Array<{
    version: number;
    name: string;
  }>;
  applied.forEach((row, i) => {
    const known = migrations[i];
    if (row.version !== i + 1) {
      throw invalid(`schema_migrations has a gap: version ${row.version} where ${i + 1} was expected`, 'Restore the database from a backup.');
    }
    if (!known) {
      throw invalid(
        `the database is at schema version ${applied.length}, newer than this echosim (${migrations.length})`,
        'Run the newer echosim that wrote it, or restore a backup taken before the upgrade.',
        { databaseVersion: applied.length, knownVersion: migrations.length },
      );
    }
    if (known.name !== row.name) {
      throw invalid(
        `schema migration ${row.version} is "${row.name}" in the database but "${known.name}" here`,
        'The database was written by a different build of echosim; use that build or restore a matching backup.',
      );
    }
  });

  const from = applied.length;
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: MigrationReport['applied'] = [];
  for (const m of migrations.slice(from)) {
    const step = db.transaction(() => {
      const now = Date.now();
      db.exec(m.sql);
      m.data?.(db, { ...context, now });
      record.run(m.version, m.name, now);
    });
    try {
      step.immediate();
    } catch (cause) {
      throw new EchosimError('CLOUD_DATABASE_INVALID', `schema migration ${m.version} (${m.name}) failed: ${(cause as Error).message}`, {
        hint: `Nothing of this step was applied. ${cause instanceof EchosimError && cause.hint ? cause.hint : 'Check the disk is writable and not full, then start again.'}`,
        cause,
      });
    }
    log?.info({ version: m.version, name: m.name }, 'applied schema migration');
    done.push({ version: m.version, name: m.name });
  }
  const problems = db.pragma('foreign_key_check') as unknown[];
  if (problems.length > 0) {
    throw invalid(`the database has ${problems.length} broken references after migrating`, 'Restore the database from a backup.', {
      problems: problems.slice(0, 5),
    });
  }
  return { from, to: migrations.length, applied: done };
}

import type { Database } from 'better-sqlite3';
import type { Logger } from '../../../core/log.js';

/**
 * Maintenance a migration asked for (the `pending_maintenance` table) that cannot run inside its
 * transaction, done right after migrating, before the database is used.
 *
 * 'scrub': no byte of what the database held before may survive anywhere in its files. A migration
 * that takes plaintext out of rows (e.g. sealing the shadows' passwords) leaves older copies in
 * free pages, in unused space inside pages and in WAL frames. So:
 *
 *   1. VACUUM rebuilds the database into fresh pages (its temporary copy in memory, not in a
 *      temporary file), every page written anew into the WAL;
 *   2. checkpoint(TRUNCATE) copies those pages over the whole main file, cuts the file to its new
 *      size and the WAL to zero bytes;
 *   3. the task is deleted (secure_delete zeroes its row) and the WAL truncated again.
 *
 * The task is deleted only once the scrub is complete: a crash, or another connection holding the
 * WAL open (checkpoint busy), leaves it to be done at the next open.
 */
export function runPendingMaintenance(db: Database, log: Logger): void {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pending_maintenance'`).get();
  if (!hasTable) return;
  const scrub = db.prepare(`SELECT 1 FROM pending_maintenance WHERE task = 'scrub'`).get();
  if (!scrub) return;
  const started = Date.now();
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  db.pragma('temp_store = MEMORY');
  try {
    db.exec('VACUUM');
  } finally {
    db.pragma(`temp_store = ${tempStore}`);
  }
  if (!truncateWal(db)) {
    log.warn('database scrub not finished: another connection holds the WAL; it is retried at the next open');
    return;
  }
  db.prepare(`DELETE FROM pending_maintenance WHERE task = 'scrub'`).run();
  truncateWal(db);
  log.info({ ms: Date.now() - started }, 'database scrubbed: no old content left in free pages or the WAL');
}

/** checkpoint(TRUNCATE); false when another connection kept it from completing. */
function truncateWal(db: Database): boolean {
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
  return result === undefined || result.busy === 0;
}

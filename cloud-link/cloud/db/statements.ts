import type { Database, Statement } from 'better-sqlite3';

/**
 * Prepared statements kept per database: preparing (parsing and planning the SQL) costs more than
 * running a point query, and the hot paths (a device's login, its shadow, its row) run once per
 * device and message. Only for SQL written in the code (constant text, values bound as
 * parameters), so the cache holds as many statements as the code has queries.
 */
const caches = new WeakMap<Database, Map<string, Statement>>();

export function prepared(db: Database, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

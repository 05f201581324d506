import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { canonicalJson } from './idempotency.js';
import type { FilterInput, SortInput } from './validation.js';
import { invalidField } from './validation.js';

/**
 * The Search* operations of Alexa for Business: Filters (Key + Values; values of one filter are
 * alternatives, filters all apply; values match exactly), SortCriteria (Key + ASC|DESC, in order,
 * case-insensitive),
 * MaxResults 1..50 (default 50), NextToken, TotalCount.
 *
 * NextToken is opaque to the caller: the offset of the next page plus a fingerprint of the query, so
 * a token cannot be replayed against a different query. Rows created or deleted between two pages
 * may shift a page by that many rows (offset paging, as is usual for management consoles).
 */

export interface SearchSpec {
  /** `SELECT ... FROM ... JOIN ...` without WHERE/ORDER. */
  readonly query: string;
  /** A condition every row must meet, with its `?` parameters in `whereParams`. */
  readonly where?: string;
  readonly whereParams?: readonly unknown[];
  /** Filter key -> an SQL expression whose value must equal one of the filter's values, or a builder. */
  readonly filters: Readonly<Record<string, string | ((values: string[]) => { sql: string; params: unknown[] })>>;
  /** Sort key -> SQL expression. */
  readonly sorts: Readonly<Record<string, string>>;
  /** Appended to every ORDER BY so pages are stable (ends with a unique column). */
  readonly order: string;
}

export interface SearchRequest {
  MaxResults?: number | undefined;
  NextToken?: string | undefined;
  Filters?: FilterInput[] | undefined;
  SortCriteria?: SortInput[] | undefined;
}

export interface SearchPage<Row> {
  rows: Row[];
  nextToken?: string;
  total: number;
}

export const DEFAULT_MAX_RESULTS = 50;

function fingerprint(operation: string, req: SearchRequest): string {
  const q = canonicalJson({ operation, filters: req.Filters ?? [], sort: req.SortCriteria ?? [] });
  return createHash('sha256').update(q).digest('base64url').slice(0, 16);
}

function decodeToken(token: string, expected: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (typeof parsed.o === 'number' && Number.isSafeInteger(parsed.o) && parsed.o >= 0 && parsed.q === expected) return parsed.o;
  } catch {
    // fall through
  }
  throw invalidField('NextToken', 'is not a token this query returned; repeat the search without it');
}

function encodeToken(offset: number, q: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q }), 'utf8').toString('base64url');
}

export function runSearch<Row>(db: Database, operation: string, spec: SearchSpec, req: SearchRequest): SearchPage<Row> {
  const conditions: string[] = spec.where ? [spec.where] : [];
  const params: unknown[] = spec.where ? [...(spec.whereParams ?? [])] : [];
  (req.Filters ?? []).forEach((filter, i) => {
    const rule = spec.filters[filter.Key];
    if (rule === undefined) {
      throw invalidField(`Filters[${i}].Key`, `must be one of ${Object.keys(spec.filters).join(', ')}`);
    }
    if (typeof rule === 'string') {
      conditions.push(`${rule} IN (${filter.Values.map(() => '?').join(', ')})`);
      params.push(...filter.Values);
    } else {
      const built = rule(filter.Values);
      conditions.push(`(${built.sql})`);
      params.push(...built.params);
    }
  });
  const seen = new Set<string>();
  const order = (req.SortCriteria ?? []).map((sort, i) => {
    const column = spec.sorts[sort.Key];
    if (column === undefined) throw invalidField(`SortCriteria[${i}].Key`, `must be one of ${Object.keys(spec.sorts).join(', ')}`);
    if (seen.has(sort.Key)) throw invalidField(`SortCriteria[${i}].Key`, `${sort.Key} is given twice`);
    seen.add(sort.Key);
    return `${column} COLLATE NOCASE ${sort.Value}`;
  });
  order.push(spec.order);

  const q = fingerprint(operation, req);
  const offset = req.NextToken === undefined ? 0 : decodeToken(req.NextToken, q);
  const limit = req.MaxResults ?? DEFAULT_MAX_RESULTS;
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT count(*) AS n FROM (${spec.query}${where})`).get(...params) as { n: number }).n;
  const rows = db.prepare(`${spec.query}${where} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`).all(...params, limit, offset) as Row[];
  const next = offset + rows.length;
  return { rows, total, ...(next < total && rows.length > 0 ? { nextToken: encodeToken(next, q) } : {}) };
}

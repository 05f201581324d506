import type { OpContext } from './context.js';
import { A4bError } from './errors.js';

/** How long a ClientRequestToken is remembered. A retry after that creates anew (or meets NameInUse). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** JSON with object keys sorted, so the same request in another key order has the same fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs a Create-style operation at most once per (operation, ClientRequestToken): a retry with the
 * same token and the same request returns the first response without doing anything; the same
 * token with a different request is IdempotentParameterMismatchException. It runs inside the
 * operation's transaction, so a failed create remembers nothing and the retry really retries.
 *
 * The request is remembered as a keyed MAC, not as text: it may hold a Wi-Fi password.
 */
export function idempotent<T>(
  ctx: OpContext,
  operation: string,
  token: string | undefined,
  request: Record<string, unknown>,
  create: () => T,
): T {
  if (token === undefined) return create();
  const now = ctx.now();
  ctx.db.prepare('DELETE FROM idempotency_tokens WHERE created_at <= ?').run(now - IDEMPOTENCY_WINDOW_MS);
  const { ClientRequestToken: _token, ...rest } = request;
  const mac = ctx.box.mac(`${operation}\n${canonicalJson(rest)}`);
  const seen = ctx.db
    .prepare('SELECT request_mac, response FROM idempotency_tokens WHERE operation = ? AND token = ?')
    .get(operation, token) as { request_mac: string; response: string } | undefined;
  if (seen) {
    if (seen.request_mac !== mac) {
      throw new A4bError(
        'IdempotentParameterMismatchException',
        `ClientRequestToken ${token} was already used for a different ${operation} request; use a new token for a new request`,
      );
    }
    return JSON.parse(seen.response) as T;
  }
  const result = create();
  ctx.db
    .prepare('INSERT INTO idempotency_tokens (operation, token, request_mac, response, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(operation, token, mac, JSON.stringify(result), now);
  return result;
}

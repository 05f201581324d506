import type { z } from 'zod';

/**
 * Turning an MQTT payload into a typed message. Payloads come from the network, so nothing here
 * throws on bad input: invalid UTF-8, invalid JSON, an oversized payload and schema errors all come
 * back as a result with the shadow-style code (400 or 413) and a message that names the field path
 * and the rule broken. Messages never quote the offending values (a rejected password must not be
 * echoed into a rejection or a log line).
 */

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: 400 | 413; message: string };

export interface ParseOptions {
  /** Largest payload accepted, bytes (default 64 KiB). Larger ones get 413 without being decoded. */
  maxBytes?: number;
  /** Treat an empty payload as `{}` (AWS accepts an empty shadow/get). */
  allowEmpty?: boolean;
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
const MAX_LISTED_ISSUES = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `a.b[2].c` from a zod issue path. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** One line for a failed parse: the first few issues as `path: message`. */
export function formatIssues(error: z.ZodError, prefix = ''): string {
  const lines = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const where = formatPath(issue.path, prefix);
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  const more = error.issues.length - MAX_LISTED_ISSUES;
  if (more > 0) lines.push(`and ${more} more`);
  return lines.join('; ');
}

/** Decodes, parses and validates one payload. Never throws. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: Buffer | Uint8Array | string, options: ParseOptions = {}): ParseResult<z.output<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const size = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
  if (size > maxBytes) {
    return { ok: false, code: 413, message: `The payload exceeds the maximum size allowed (${size} > ${maxBytes} bytes)` };
  }
  let text: string;
  if (typeof payload === 'string') {
    text = payload;
  } else {
    try {
      text = utf8.decode(payload);
    } catch {
      return { ok: false, code: 400, message: 'The payload is not valid UTF-8' };
    }
  }
  let json: unknown;
  if (text.trim() === '' && options.allowEmpty) {
    json = {};
  } else {
    try {
      json = JSON.parse(text);
    } catch (err) {
      // V8's message quotes a snippet of the text, which may hold a secret: keep only the position.
      const position = err instanceof SyntaxError ? /position (\d+)/.exec(err.message)?.[1] : undefined;
      return { ok: false, code: 400, message: position === undefined ? 'Invalid JSON' : `Invalid JSON at position ${position}` };
    }
  }
  return validate(schema, json);
}

/** Validates an already-parsed value; the same result shape as parsePayload. Never throws. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): ParseResult<z.output<S>> {
  let parsed: z.ZodSafeParseResult<z.output<S>>;
  try {
    parsed = schema.safeParse(value) as z.ZodSafeParseResult<z.output<S>>;
  } catch (err) {
    // A refinement that throws on odd input must not take the receiver down with it.
    return { ok: false, code: 400, message: `Invalid message: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, code: 400, message: formatIssues(parsed.error, prefix) };
}

import { z } from 'zod';
import { A4bError } from './errors.js';

/**
 * Input validation of the management API. Every operation's input is a strict zod object (an unknown
 * field is an error, not silently dropped: a typo like "MaxVolumLimit" must not look like success),
 * with Alexa for Business's own limits. Failures become ValidationException naming each field path;
 * messages never echo the rejected value (it may be a password).
 */

/** A4B's "printable" character class for names and descriptions. */
const PRINTABLE = /^[\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

export function text(min: number, max: number): z.ZodString {
  return z.string().min(min).max(max).regex(PRINTABLE, 'contains characters that are not allowed');
}

export const ArnInput = z.string().min(1).max(1100);

/** ClientRequestToken (A4B: 10-150 characters, [a-zA-Z0-9][a-zA-Z0-9_-]*). */
export const ClientRequestToken = z
  .string()
  .min(10)
  .max(150)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'must be letters, digits, _ and -, starting with a letter or digit');

export const Tags = z.array(z.strictObject({ Key: z.string().min(1).max(128), Value: z.string().max(256) })).max(50);

const Filter = z.strictObject({
  Key: z.string().min(1).max(500),
  Values: z.array(z.string().min(1).max(500)).min(1).max(50),
});
export const Filters = z.array(Filter).max(25);
export type FilterInput = z.infer<typeof Filter>;

const Sort = z.strictObject({ Key: z.string().min(1).max(500), Value: z.enum(['ASC', 'DESC']) });
export const SortCriteria = z.array(Sort).max(25);
export type SortInput = z.infer<typeof Sort>;

/** The paging fields every Search* operation takes. */
export const SearchFields = {
  MaxResults: z.int().min(1).max(50).optional(),
  NextToken: z.string().min(1).max(1100).optional(),
  Filters: Filters.optional(),
  SortCriteria: SortCriteria.optional(),
};

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(input)' : out;
}

/** Validates an operation's input; ValidationException lists every problem with its field path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const value = input === undefined || input === null ? {} : input;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new A4bError('ValidationException', 'the request must be a JSON object');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((i) => `${formatPath(i.path)}: ${i.message}`);
  const more = parsed.error.issues.length > issues.length ? `; and ${parsed.error.issues.length - issues.length} more` : '';
  const n = parsed.error.issues.length;
  throw new A4bError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${issues.join('; ')}${more}`);
}

/** A ValidationException for one field, for rules zod cannot express alone. */
export function invalidField(path: string, message: string): A4bError {
  return new A4bError('ValidationException', `1 validation error detected: ${path}: ${message}`);
}

/** The times the API takes: from 2000 to 2100 (a mistyped year is refused, not booked). */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const LATEST_MS = Date.UTC(2100, 0, 1);
const EPOCH_SECONDS = /^\d{1,10}(\.\d{1,3})?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function timestampMs(value: number | string): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value * 1000;
  else if (EPOCH_SECONDS.test(value)) ms = Number(value) * 1000;
  else if (ISO_8601.test(value)) ms = Date.parse(value);
  else return undefined;
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms < LATEST_MS ? Math.round(ms) : undefined;
}

/**
 * A point in time as the AWS CLI takes timestamps: epoch seconds (a number, or digits) or ISO 8601
 * with its offset (`2026-01-05T10:00:00Z`, `2026-01-05T11:00+01:00`). Parsed to wall-clock ms.
 */
export const Timestamp = z.union([z.number(), z.string().max(40)]).transform((value, ctx) => {
  const ms = timestampMs(value);
  if (ms !== undefined) return ms;
  ctx.issues.push({ code: 'custom', input: value, message: 'must be epoch seconds or an ISO 8601 time with its offset, between 2000 and 2100' });
  return z.NEVER;
});

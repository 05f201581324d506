import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';

/**
 * Validation at the edge of every feature mutation. Input comes from voice intents and from the cloud
 * (shadow deltas, StartDeviceSync), so it is checked against a zod schema before anything is touched;
 * a failure throws FEATURE_INPUT_INVALID and the state is exactly as it was.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string, hint: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new EchosimError('FEATURE_INPUT_INVALID', `${what}: ${z.prettifyError(result.error)}`, {
    hint: `${hint} Nothing was changed.`,
    details: { issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  });
}

/** An item addressed by id (or address) that is not there; nothing was changed. */
export function notFound(what: string, id: string, hint: string): EchosimError {
  return new EchosimError('FEATURE_NOT_FOUND', `${what} ${JSON.stringify(id)} does not exist`, {
    hint: `${hint} Nothing was changed.`,
    details: { id },
  });
}

/** A per-feature capacity limit (list length, number of timers) would be exceeded; nothing was changed. */
export function limitExceeded(what: string, limit: number, hint: string): EchosimError {
  return new EchosimError('FEATURE_LIMIT_EXCEEDED', `${what} already holds the maximum of ${limit} items`, {
    hint: `${hint} Nothing was changed.`,
    details: { limit },
  });
}

/** An id as the features hand them out ("timer-3"); bounded so junk from the cloud is rejected early. */
export const IdSchema = z.string().trim().min(1).max(64);

/** An optional human label ("pasta"): trimmed, at most 100 characters; blank means no label. */
export const LabelSchema = z
  .string()
  .trim()
  .max(100)
  .optional()
  .transform((s) => (s === '' ? undefined : s));

/** `{ label }` when there is one, `{}` otherwise, so stored items carry no `label: undefined` keys. */
export function labelled(label: string | undefined): { label?: string } {
  return label === undefined ? {} : { label };
}

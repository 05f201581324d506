/**
 * The one error type echosim throws on purpose. Every case has a stable string `code` that scripts
 * and tests can rely on, a message that says what went wrong, and a hint that says what to do.
 *
 * Each layer declares its own codes beside its code (hal/errors.ts, models/errors.ts,
 * cloud-link/protocol/errors.ts, firmware/errors.ts, cloud-link/<area>/errors.ts, tools/errors.ts) and
 * adds them to `ErrorCodeLists` below by declaration merging, so this file names no upper layer's
 * failures and `ErrorCode` is still the union of every code. A layer uses only its own codes and those
 * of the layers below it (test/core/error-codes.test.ts checks it, and that no code is declared twice).
 */

/** Codes of what every layer uses: a bad argument, the crash-safe store, a stopped component. */
export const CORE_ERROR_CODES = [
  // An argument (a CLI option, a spec string, a constructor option) is not usable
  'CLI_ARGUMENT_INVALID',
  // The crash-safe store refused a value
  'SETTINGS_INVALID',
  // A component was used after it stopped (or before it started)
  'DEVICE_NOT_RUNNING',
] as const;

export type CoreErrorCode = (typeof CORE_ERROR_CODES)[number];

/** One entry per layer, each the union of that layer's codes; the layers add theirs (see above). */
export interface ErrorCodeLists {
  core: CoreErrorCode;
}

/** Every error code echosim has, whichever layer declares it. */
export type ErrorCode = ErrorCodeLists[keyof ErrorCodeLists];

export interface EchosimErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
  /** Structured context for logs and JSON output. */
  details?: Record<string, unknown>;
}

export class EchosimError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: EchosimErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EchosimError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** One line for a terminal: what happened, then what to do. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isEchosimError(err: unknown, code?: ErrorCode): err is EchosimError {
  return err instanceof EchosimError && (code === undefined || err.code === code);
}

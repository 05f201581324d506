import { EchosimError, type ErrorCode } from '../../core/errors.js';

/** How a check came out: `warn` works but deserves a look; `skip` was not configured. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One row of `echosim doctor`'s table. */
export interface CheckResult {
  /** What was checked, e.g. "microphone", "SPI (LEDs)". */
  readonly piece: string;
  readonly status: CheckStatus;
  /** What was found (the error's message for a failure). */
  readonly detail: string;
  /** What to do about it (the error's hint for a failure). */
  readonly fix?: string;
  /** The error code the same failure has when the device starts. */
  readonly code?: ErrorCode;
}

/** Where the checks look and what they run: the real machine by default, a stand-in in tests. */
export interface DoctorContext {
  /** Stands in for `/` when looking for /dev and /sys nodes (a fake device tree in tests). Default '/'. */
  readonly root: string;
  /** Environment of arecord, aplay and the libgpiod tools (PATH; HOME for ~/.asoundrc). */
  readonly env: NodeJS.ProcessEnv;
  /** How long one probe (a capture, a broker connection) may take, ms. */
  readonly timeoutMs: number;
}

export function ok(piece: string, detail: string): CheckResult {
  return { piece, status: 'ok', detail };
}

export function skipped(piece: string, detail: string): CheckResult {
  return { piece, status: 'skip', detail };
}

/** A failure row from an error: its message and hint, the same words the device's start would use. */
export function failed(piece: string, err: unknown): CheckResult {
  if (err instanceof EchosimError) return { piece, status: 'fail', detail: err.message, ...(err.hint ? { fix: err.hint } : {}), code: err.code };
  return { piece, status: 'fail', detail: err instanceof Error ? err.message : String(err) };
}

/** Runs `probe`; a throw becomes a failure row. */
export async function check(piece: string, probe: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await probe();
  } catch (err) {
    return failed(piece, err);
  }
}

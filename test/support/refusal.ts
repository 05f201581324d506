import type { EchosimError } from '../../core/errors.js';

/** The error a synchronous call throws; fails the test when it does not throw. */
export function refusal(fn: () => unknown): EchosimError {
  try {
    fn();
  } catch (err) {
    return err as EchosimError;
  }
  throw new Error('expected a refusal');
}

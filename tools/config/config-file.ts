import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { EchosimError } from '../../core/errors.js';

/** A config file is a few hundred bytes; anything past this is not one, and is refused before it is read. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** One config value bound for a command-line option, with the config field it came from (for errors). */
export interface ConfigValue {
  /** The field as written in the file, e.g. `microphone.channels`. */
  readonly field: string;
  /** The commander attribute name of the option it fills, e.g. `channels`. */
  readonly option: string;
  readonly value: string | number | boolean | readonly string[];
}

function invalid(file: string, message: string, hint: string): EchosimError {
  return new EchosimError('CONFIG_INVALID', `${file}: ${message}`, { hint, details: { file } });
}

/** Reads `file` (JSON, at most MAX_CONFIG_BYTES) without following it past the bound. */
function readBounded(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw invalid(file, `cannot read the config file: ${(err as Error).message}`, 'Give the path of a readable JSON config file (see docs/raspberry-pi.md for an example).');
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_CONFIG_BYTES) throw invalid(file, `the config file is ${size} bytes, more than ${MAX_CONFIG_BYTES}`, 'A config file holds a few settings; check that this is the right file.');
    const buf = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `a.b[0].c` for a zod issue path. */
function fieldName(p: readonly PropertyKey[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(the whole file)';
}

/** A field that holds a secret is refused by name: secrets live in their own 0600 files, never in a config. */
const SECRET_KEYS = /secret|password|token/i;

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((k) => {
        const field = fieldName([...issue.path, k]);
        return SECRET_KEYS.test(k)
          ? `${field}: secrets are not kept in a config file; put the secret in a file of its own (mode 0600) and name it (cloud.credentialsFile)`
          : `${field}: not a known field (a typo?)`;
      })
      .join('\n  ');
  }
  return `${fieldName(issue.path)}: ${issue.message}`;
}

/**
 * Reads and validates a JSON config file against `schema`. Every problem names the field it is
 * about (`microphone.channels: expected a number, got "four"`), all of them in one error, so one
 * edit fixes the file. Nothing is changed anywhere when the file is bad.
 */
export function readConfigFile<T>(file: string, schema: z.ZodType<T>): T {
  const text = readBounded(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalid(file, `not valid JSON: ${(err as Error).message}`, 'Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(describeIssue);
    throw new EchosimError('CONFIG_INVALID', `${file}: ${problems.length === 1 ? 'a field is' : `${problems.length} fields are`} invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'Fix the fields named above; docs/raspberry-pi.md lists every field with an example.',
      details: { file, fields: parsed.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => fieldName([...i.path, k])) : [fieldName(i.path)])) },
    });
  }
  return parsed.data;
}

/** A path from the config file, relative to the file's own folder (so a config and its files move together). */
export function resolveFrom(file: string, p: string): string {
  return path.resolve(path.dirname(path.resolve(file)), p);
}

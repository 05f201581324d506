/**
 * `echosim a4b <operation>`: every operation of the management API from the command line, in the
 * AWS CLI's style, so `aws alexaforbusiness ...` habits carry over:
 *
 *   echosim a4b create-profile --cli-input-json file://hq.json --max-volume-limit 7
 *   echosim a4b search-rooms --output text
 *   echosim a4b start-device-sync --device-arn arn:... --features ALL
 *
 * Input is `--cli-input-json` (file://PATH, `-` for stdin, or inline JSON) with per-field overrides
 * (`--profile-name X` sets ProfileName; types from cloud-link/cloud/http/api-fields.ts; `--no-pstn-enabled`
 * sets a boolean false). Exit status: 0 success, 1 API error (`echosim: error A4B_API_ERROR:
 * NotFoundException: ...`), 2 usage error (unknown operation with a "did you mean", bad JSON, missing file).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EchosimError } from '../../core/errors.js';
import { API_FIELD_TYPES, redactSecrets, type FieldType } from '../../cloud-link/cloud/http/api-fields.js';
import { describeJsonError, parseJsonText } from '../../cloud-link/cloud/http/json-text.js';
import { closestNames, operationCliNames, operationFromKebab, pascalToKebab, type A4bOperation } from '../../cloud-link/cloud/http/operations.js';
import { A4bClient } from '../a4b-client.js';

export type OutputFormat = 'json' | 'text';

/** Options every API command takes (also `echosim flash`). */
export interface ConnectionOptions {
  endpointUrl?: string;
  token?: string;
  dataDir?: string;
  /** The CA file an https:// endpoint is verified with (default <data dir>/tls/ca.pem when it exists). */
  ca?: string;
}

export interface A4bInvocation extends ConnectionOptions {
  operation: A4bOperation;
  input: Record<string, unknown>;
  output: OutputFormat;
}

const GLOBAL_OPTIONS = new Set(['--cli-input-json', '--endpoint-url', '--token', '--data-dir', '--ca', '--output']);

/** Known field names by their kebab-case option, e.g. `pstn-enabled` -> PSTNEnabled. */
const FIELDS_BY_KEBAB: ReadonlyMap<string, string> = new Map(Object.keys(API_FIELD_TYPES).map((f) => [pascalToKebab(f), f]));

export function registerA4b(program: Command): void {
  program
    .command('a4b')
    .description('call the management API (Alexa for Business operations) in the AWS CLI style')
    .argument('[operation]', 'operation in kebab-case, e.g. create-profile (list below)')
    .argument('[args...]', '--cli-input-json file://FILE|-|JSON, --<field-name> VALUE overrides, --endpoint-url URL, --token TOKEN, --data-dir DIR, --ca FILE (https), --output json|text')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', `\nOperations:\n${wrapList(operationCliNames())}\n\nExample:\n  echosim a4b create-profile --cli-input-json file://hq.json --max-volume-limit 7`)
    .action(async (operation: string | undefined, args: string[]) => {
      const inv = parseA4bArgs([...(operation === undefined ? [] : [operation]), ...args]);
      const client = new A4bClient({ endpoint: inv.endpointUrl, token: inv.token, dataDir: inv.dataDir, ca: inv.ca });
      const result = await client.call(inv.operation, inv.input);
      process.stdout.write(formatOutput(result, inv.output));
    });
}

/**
 * Parses what follows `echosim a4b`: connection options may come anywhere, the operation is the first
 * bare word, field overrides come after it. Throws CLI_ARGUMENT_INVALID (exit 2) with a hint.
 */
export function parseA4bArgs(tokens: string[], readStdin: () => string = () => readFileSync(0, 'utf8')): A4bInvocation {
  const globals = new Map<string, string>();
  const overrides: Record<string, unknown> = {};
  let operation: A4bOperation | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq === -1 ? token : token.slice(0, eq);
    const inlineValue = eq === -1 ? undefined : token.slice(eq + 1);
    const takeValues = (max: number): string[] => {
      if (inlineValue !== undefined) return [inlineValue];
      const values: string[] = [];
      while (values.length < max && i + 1 < tokens.length && !isOptionToken(tokens[i + 1]!)) values.push(tokens[++i]!);
      return values;
    };
    if (GLOBAL_OPTIONS.has(name)) {
      const [value] = takeValues(1);
      if (value === undefined) throw usage(`${name} needs a value`);
      if (globals.has(name)) throw usage(`${name} given twice`);
      globals.set(name, value);
    } else if (!name.startsWith('--')) {
      if (operation !== undefined) throw usage(`Unexpected argument ${JSON.stringify(token)}`, 'Values follow their --field option; quote values that contain spaces');
      operation = resolveOperation(token);
    } else {
      if (operation === undefined) throw usage(`${name} before the operation`, 'Write the operation first: echosim a4b <operation> --field value');
      const { field, value } = parseOverride(name, inlineValue, takeValues);
      if (field in overrides) throw usage(`${name} given twice`);
      overrides[field] = value;
    }
  }
  if (operation === undefined) throw usage('No operation given', `Operations: ${operationCliNames().join(', ')}`);
  const output = globals.get('--output') ?? 'json';
  if (output !== 'json' && output !== 'text') throw usage(`--output must be json or text, not ${JSON.stringify(output)}`);
  const spec = globals.get('--cli-input-json');
  const base = spec === undefined ? {} : readJsonObject(spec, readStdin, '--cli-input-json');
  return {
    operation,
    // As in the AWS CLI, explicit parameters override the same top-level keys of --cli-input-json.
    input: { ...base, ...overrides },
    output,
    endpointUrl: globals.get('--endpoint-url'),
    token: globals.get('--token'),
    dataDir: globals.get('--data-dir'),
    ca: globals.get('--ca'),
  };
}

function resolveOperation(word: string): A4bOperation {
  const op = operationFromKebab(word);
  if (op) return op;
  // Someone typing the API name (CreateProfile) gets the CLI spelling suggested.
  const suggestions = closestNames(/[A-Z]/.test(word) ? pascalToKebab(word) : word, operationCliNames());
  throw usage(
    `Unknown operation ${JSON.stringify(word)}`,
    suggestions.length > 0 ? `Did you mean ${suggestions.join(' or ')}? (echosim a4b --help lists all)` : 'echosim a4b --help lists the operations',
  );
}

function parseOverride(option: string, inlineValue: string | undefined, takeValues: (max: number) => string[]): { field: string; value: unknown } {
  const kebab = option.slice(2);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(kebab)) throw usage(`Malformed option ${option}`, 'Options are --kebab-case field names, e.g. --profile-name');
  // AWS CLI boolean style: --no-setup-mode-disabled sets SetupModeDisabled to false.
  if (kebab.startsWith('no-') && inlineValue === undefined) {
    const field = fieldName(kebab.slice(3));
    const type = API_FIELD_TYPES[field];
    if (type === 'boolean' || type === undefined) {
      if (takeValues(1).length > 0) throw usage(`${option} takes no value`);
      return { field, value: false };
    }
  }
  const field = fieldName(kebab);
  const type: FieldType | undefined = API_FIELD_TYPES[field];
  if (type === 'boolean') {
    const [v] = takeValues(1);
    if (v === undefined) return { field, value: true }; // a bare flag, like the AWS CLI's --setup-mode-disabled
    if (v === 'true' || v === 'false') return { field, value: v === 'true' };
    throw usage(`${option} expects true or false, not ${JSON.stringify(v)}`);
  }
  if (type === 'string-list') {
    const values = takeValues(Number.POSITIVE_INFINITY);
    if (values.length === 0) throw usage(`${option} needs at least one value`);
    if (values.length === 1 && values[0]!.trimStart().startsWith('[')) return { field, value: jsonValue(option, values[0]!) };
    return { field, value: values };
  }
  const [v] = takeValues(1);
  if (v === undefined) throw usage(`${option} needs a value`);
  if (type === 'integer') {
    if (!/^-?\d+$/.test(v.trim())) throw usage(`${option} expects a whole number, not ${JSON.stringify(v)}`);
    return { field, value: Number(v) };
  }
  if (type === 'json') return { field, value: jsonValue(option, v) };
  if (type === 'string') return { field, value: v };
  // Unknown field: JSON structures and booleans are recognisable; anything else stays a string.
  if (/^\s*[[{]/.test(v)) return { field, value: jsonValue(option, v) };
  if (v === 'true' || v === 'false') return { field, value: v === 'true' };
  return { field, value: v };
}

/** `profile-name` -> ProfileName, `pstn-enabled` -> PSTNEnabled (known fields keep their acronyms). */
function fieldName(kebab: string): string {
  return FIELDS_BY_KEBAB.get(kebab) ?? kebab.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

function jsonValue(option: string, text: string): unknown {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw usage(`${option}: not valid JSON (${describeJsonError(parsed)})`);
  return parsed.value;
}

/**
 * Text of `file://PATH` (relative to the working directory, or `file:///abs`), `-` (stdin), or the
 * argument itself; `source` names it in error messages.
 */
export function readInputText(spec: string, readStdin: () => string, what: string): { text: string; source: string } {
  if (spec === '-') return { text: readStdin(), source: 'stdin' };
  if (!spec.startsWith('file://')) {
    // `--cli-input-json p.json` (a path without file://, as with the AWS CLI) is not JSON: say so
    if (!/^\s*[[{]/.test(spec) && /\.json$/i.test(spec.trim())) {
      throw usage(`${what}: "${spec}" looks like a file name, not JSON`, `Write file://${spec.trim()} to read the file (AWS CLI style), or - for stdin.`);
    }
    return { text: spec, source: what };
  }
  const file = spec.startsWith('file:///') ? fileURLToPath(spec) : spec.slice('file://'.length);
  return { text: readFileOrThrow(file), source: file };
}

export function readFileOrThrow(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw usage(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(cause))}`, `Paths are relative to ${path.resolve('.')}`);
  }
}

/** Reads and parses a JSON object from an input spec, with line and column on syntax errors. */
export function readJsonObject(spec: string, readStdin: () => string, what: string): Record<string, unknown> {
  const { text, source } = readInputText(spec, readStdin, what);
  return parseJsonObject(text, source);
}

export function parseJsonObject(text: string, source: string): Record<string, unknown> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw usage(`${source}: not valid JSON at ${describeJsonError(parsed)}`, 'Fix the JSON at that line and column', { line: parsed.line, column: parsed.column });
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) throw usage(`${source}: expected a JSON object ({ ... })`);
  return parsed.value as Record<string, unknown>;
}

/**
 * The response as the user asked for it, with network passwords redacted (defence in depth: the
 * service never returns them). `json`: pretty, 4-space indent like the AWS CLI. `text`: one
 * `Path<TAB>value` line per leaf (`Profile.ProfileName	HQ`, `Rooms[0].RoomArn	arn:...`), greppable.
 */
export function formatOutput(value: unknown, format: OutputFormat): string {
  const safe = redactSecrets(value);
  if (format === 'json') return `${JSON.stringify(safe ?? {}, null, 4)}\n`;
  const lines: string[] = [];
  const walk = (v: unknown, p: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
    else lines.push(`${p}\t${v === null ? 'None' : String(v)}`);
  };
  walk(safe, '');
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/**
 * Only `--name` starts an option: single-dash words are values, so negative numbers and tokens or
 * passwords that begin with "-" (base64url secrets can) are passed through. A value that itself starts
 * with "--" is written `--field=--value`.
 */
function isOptionToken(token: string): boolean {
  return token.startsWith('--');
}

export function usage(message: string, hint?: string, details?: Record<string, unknown>): EchosimError {
  return new EchosimError('CLI_ARGUMENT_INVALID', message, { hint, details });
}

function wrapList(names: string[]): string {
  const lines: string[] = [];
  let line = ' ';
  for (const n of names) {
    if (line.length + n.length + 1 > 100) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${n}`;
  }
  lines.push(line);
  return lines.join('\n');
}

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { MESSAGE_SCHEMAS, type SchemaName } from './message-schemas.js';
import { renderReadme } from './schemas-readme.js';

/**
 * Writes every protocol schema as a JSON Schema (draft 2020-12) file, plus a README listing the
 * topics, who publishes them and which schema each payload follows, into cloud-link/schemas/, so
 * clients in other languages can validate and generate code without reading TypeScript. The files
 * are committed; a test regenerates them in memory and fails when they drift from the sources.
 *
 *   npm run build && npm run schemas           # rewrite the files
 *   node dist/cloud-link/protocol/export-schemas.js --check    # exit 1 when they are stale
 *
 * Output is byte-stable: keys in a fixed order (the JSON Schema keywords a reader looks for first,
 * then alphabetical), two-space indent, a trailing newline.
 */

export const SCHEMA_FILE_SUFFIX = '.schema.json';
export const defaultSchemaDir = (): string => path.join(packageRoot(), 'cloud-link', 'schemas');

const LEADING_KEYS = ['$schema', '$id', 'title', 'description', 'type'];

/** Recursively orders object keys: LEADING_KEYS first, the rest alphabetically. Arrays keep their order. */
export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort((a, b) => {
    const ia = LEADING_KEYS.indexOf(a);
    const ib = LEADING_KEYS.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? LEADING_KEYS.length : ia) - (ib === -1 ? LEADING_KEYS.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = canonicalize(obj[k]);
  return out;
}

export function schemaFileName(name: SchemaName): string {
  return `${name}${SCHEMA_FILE_SUFFIX}`;
}

/**
 * Every schema as JSON Schema, converted together: a schema used inside another (the room profile in
 * the desired state, the job in jobs/notify) becomes a `$ref` to its own file instead of a copy.
 */
export function renderJsonSchemas(): Record<SchemaName, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(MESSAGE_SCHEMAS)) registry.add(schema, { id: name });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', unrepresentable: 'throw', uri: (id) => schemaFileName(id as SchemaName) });
  const out = {} as Record<SchemaName, Record<string, unknown>>;
  for (const name of Object.keys(MESSAGE_SCHEMAS) as SchemaName[]) {
    const json = schemas[name] as Record<string, unknown> | undefined;
    if (!json) throw new EchosimError('PROTOCOL_MESSAGE_INVALID', `zod produced no JSON Schema for ${name}`);
    out[name] = { ...json, $id: schemaFileName(name), title: json.title ?? name };
  }
  return out;
}

/** Every generated file, by file name (README.md included), in a stable order. */
export function renderSchemaFiles(): Map<string, string> {
  const json = renderJsonSchemas();
  const files = new Map<string, string>();
  for (const name of Object.keys(json).sort() as SchemaName[]) {
    files.set(schemaFileName(name), `${JSON.stringify(canonicalize(json[name]), null, 2)}\n`);
  }
  files.set('README.md', renderReadme());
  return files;
}

/** Files that are missing, different, or left over from a removed schema; empty when up to date. */
export function staleSchemaFiles(dir: string = defaultSchemaDir()): string[] {
  return staleFiles(dir, renderSchemaFiles(), listSchemaFiles(dir));
}

/** Of `files` (name to text), those missing from `dir` or different there, then the `present` ones not among them. */
export function staleFiles(dir: string, files: ReadonlyMap<string, string>, present: readonly string[]): string[] {
  const stale: string[] = [];
  for (const [name, text] of files) {
    let current: string | undefined;
    try {
      current = readFileSync(path.join(dir, name), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) stale.push(name);
  }
  for (const extra of present) if (!files.has(extra)) stale.push(extra);
  return stale;
}

function listSchemaFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(SCHEMA_FILE_SUFFIX));
  } catch {
    return [];
  }
}

/** Writes the files and removes schema files no longer generated. Returns the file names written. */
export function writeSchemaFiles(dir: string = defaultSchemaDir()): string[] {
  const files = renderSchemaFiles();
  try {
    mkdirSync(dir, { recursive: true });
    for (const extra of listSchemaFiles(dir)) if (!files.has(extra)) rmSync(path.join(dir, extra));
    for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
  } catch (err) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `cannot write the schema files to ${dir}: ${(err as Error).message}`, {
      hint: 'Run it from a checkout of echosim with write access to cloud-link/schemas/.',
      cause: err,
    });
  }
  return [...files.keys()];
}

function main(argv: string[]): number {
  const dir = defaultSchemaDir();
  if (argv.includes('--check')) {
    const stale = staleSchemaFiles(dir);
    if (stale.length > 0) {
      process.stderr.write(`stale schema files in ${dir}: ${stale.join(', ')}\n  hint: run \`npm run build && npm run schemas\`\n`);
      return 1;
    }
    process.stdout.write(`schema files in ${dir} are up to date\n`);
    return 0;
  }
  const written = writeSchemaFiles(dir);
  process.stdout.write(`wrote ${written.length} files to ${dir}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof EchosimError ? err.describe() : String(err)}\n`);
    process.exitCode = 1;
  }
}

import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { packageRoot } from '../../../core/package-root.js';
import { canonicalize, SCHEMA_FILE_SUFFIX, staleFiles } from '../../../cloud-link/protocol/export-schemas.js';
import { CloudClientCommandSchema, CloudServerMessageSchema, FleetRowSchema } from './cloud-socket.js';
import { DeviceClientCommandSchema, DeviceEventSchema, DeviceServerMessageSchema } from './device-socket.js';
import * as limits from './limits.js';

/**
 * The web pages' WebSocket messages as JSON Schema files in cloud-link/schemas/ws/, beside the MQTT
 * protocol's, so an LED or button service in another language can validate what it receives and
 * sends. `npm run schemas` writes them; a test fails when they drift from the zod sources.
 */
export const WS_SCHEMAS = {
  'device-event': DeviceEventSchema,
  'device-server-message': DeviceServerMessageSchema,
  'device-client-command': DeviceClientCommandSchema,
  'fleet-row': FleetRowSchema,
  'cloud-server-message': CloudServerMessageSchema,
  'cloud-client-command': CloudClientCommandSchema,
} as const;

export const wsSchemaDir = (): string => path.join(packageRoot(), 'cloud-link', 'schemas', 'ws');

export function renderWsSchemaFiles(): Map<string, string> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(WS_SCHEMAS)) registry.add(schema, { id: name });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', unrepresentable: 'throw', uri: (id) => `${id}${SCHEMA_FILE_SUFFIX}` });
  const files = new Map<string, string>();
  for (const name of Object.keys(WS_SCHEMAS).sort()) {
    const json = { ...(schemas[name] as Record<string, unknown>), $id: `${name}${SCHEMA_FILE_SUFFIX}` };
    files.set(`${name}${SCHEMA_FILE_SUFFIX}`, `${JSON.stringify(canonicalize(json), null, 2)}\n`);
  }
  files.set('limits.json', `${JSON.stringify(canonicalize({ ...limits }), null, 2)}\n`);
  return files;
}

/** Files missing or different from what the sources give, plus stray files; empty when up to date. */
export function staleWsSchemaFiles(dir: string = wsSchemaDir()): string[] {
  let present: string[];
  try {
    present = readdirSync(dir).filter((f) => f !== 'README.md');
  } catch {
    present = [];
  }
  return staleFiles(dir, renderWsSchemaFiles(), present);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = wsSchemaDir();
  if (process.argv.includes('--check')) {
    const stale = staleWsSchemaFiles(dir);
    if (stale.length > 0) process.stderr.write(`stale WebSocket schema files in ${dir}: ${stale.join(', ')}\n  hint: run \`npm run build && npm run schemas\`\n`);
    process.exitCode = stale.length > 0 ? 1 : 0;
  } else {
    mkdirSync(dir, { recursive: true });
    const files = renderWsSchemaFiles();
    for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
    process.stdout.write(`wrote ${files.size} files to ${dir}\n`);
  }
}

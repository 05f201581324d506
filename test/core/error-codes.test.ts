/**
 * Error codes per layer: each layer declares its own codes beside its code, no code is declared twice,
 * and a layer uses (throws, warns with, matches on) only its own codes and those of the layers below it
 * (layers.cjs). The sources are parsed with the TypeScript compiler, so comments do not count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { CORE_ERROR_CODES } from '../../core/errors.js';
import { HAL_ERROR_CODES } from '../../hal/errors.js';
import { MODEL_ERROR_CODES } from '../../models/errors.js';
import { PROTOCOL_ERROR_CODES } from '../../cloud-link/protocol/errors.js';
import { FIRMWARE_ERROR_CODES } from '../../firmware/errors.js';
import { TLS_ERROR_CODES } from '../../cloud-link/tls/errors.js';
import { MQTT_ERROR_CODES } from '../../cloud-link/mqtt/errors.js';
import { BROKER_ERROR_CODES } from '../../cloud-link/broker/errors.js';
import { DEVICE_LINK_ERROR_CODES } from '../../cloud-link/device/errors.js';
import { CLOUD_ERROR_CODES } from '../../cloud-link/cloud/errors.js';
import { TOOLS_ERROR_CODES } from '../../tools/errors.js';

interface Layer {
  path: string;
  uses: string[];
}
const { layers } = createRequire(import.meta.url)('../../layers.cjs') as { layers: Record<string, Layer> };

/** Each layer's declared codes, keyed as in layers.cjs. */
const DECLARED: Record<string, readonly string[]> = {
  core: CORE_ERROR_CODES,
  hal: HAL_ERROR_CODES,
  models: MODEL_ERROR_CODES,
  protocol: PROTOCOL_ERROR_CODES,
  firmware: FIRMWARE_ERROR_CODES,
  tls: TLS_ERROR_CODES,
  mqtt: MQTT_ERROR_CODES,
  broker: BROKER_ERROR_CODES,
  deviceLink: DEVICE_LINK_ERROR_CODES,
  cloud: CLOUD_ERROR_CODES,
  tools: TOOLS_ERROR_CODES,
};

const ALL = new Map<string, string>(); // code -> declaring layer
const DUPLICATES: string[] = [];
for (const [layer, codes] of Object.entries(DECLARED)) {
  for (const code of codes) {
    if (ALL.has(code)) DUPLICATES.push(`${code} (${ALL.get(code)} and ${layer})`);
    else ALL.set(code, layer);
  }
}

function layerOf(file: string): string | undefined {
  return Object.entries(layers).find(([, l]) => new RegExp(l.path).test(file))?.[0];
}

interface Use {
  code: string;
  line: number;
  /** True for the first argument of `new EchosimError(...)`. */
  thrown: boolean;
}

/** Every string literal that looks like an error code, and the first arguments of `new EchosimError`. */
function codeUses(fileName: string, text: string): Use[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const uses: Use[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && node.expression.getText(sf) === 'EchosimError') {
      const first = node.arguments?.[0];
      if (first && ts.isStringLiteralLike(first)) {
        uses.push({ code: first.text, line: sf.getLineAndCharacterOfPosition(first.getStart(sf)).line + 1, thrown: true });
      }
    } else if (ts.isStringLiteralLike(node) && /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(node.text)) {
      const parent = node.parent;
      const isFirstArg = ts.isNewExpression(parent) && parent.arguments?.[0] === node;
      if (!isFirstArg) uses.push({ code: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, thrown: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses;
}

/** Problems in one file: undeclared codes thrown, codes of a layer this one may not use. */
function violations(file: string, text: string): string[] {
  const layer = layerOf(file);
  if (layer === undefined) return [];
  const own = layers[layer];
  if (!own) return [];
  const allowed = new Set([layer, ...own.uses]);
  const out: string[] = [];
  for (const use of codeUses(file, text)) {
    const declaredBy = ALL.get(use.code);
    if (declaredBy === undefined) {
      if (use.thrown) out.push(`${file}:${use.line} throws ${use.code}, which no layer declares`);
    } else if (!allowed.has(declaredBy)) {
      out.push(`${file}:${use.line} uses ${use.code}, a code of ${declaredBy}, which ${layer} may not use`);
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

const SOURCES = ['core', 'hal', 'models', 'firmware', 'cloud-link', 'tools'].flatMap(sourceFiles);

test('no error code is declared twice', () => {
  expect(DUPLICATES).toEqual([]);
  expect(ALL.size).toBeGreaterThan(70);
});

test('every layer in layers.cjs that throws has its own list of codes', () => {
  for (const layer of Object.keys(DECLARED)) expect(layers[layer]).toBeDefined();
  const throwing = new Set(SOURCES.filter((f) => /new EchosimError\(/.test(readFileSync(f, 'utf8'))).map(layerOf));
  for (const layer of throwing) expect(DECLARED[layer ?? 'unknown']).toBeDefined();
});

test('each layer throws only codes it or a layer below it declares', () => {
  expect(SOURCES.length).toBeGreaterThan(300);
  const problems = SOURCES.flatMap((f) => violations(f, readFileSync(f, 'utf8')));
  expect(problems).toEqual([]);
});

test('the check finds a code thrown above its layer, and an undeclared one', () => {
  const text = "import { EchosimError } from '../core/errors.js';\n" +
    "export const a = new EchosimError('HARNESS_TIMEOUT', 'x');\n" +
    "export const b = new EchosimError('NO_SUCH_CODE', 'x');\n" +
    "export const ok = new EchosimError('WAV_TRUNCATED', 'x');\n" +
    "// 'CLOUD_DATABASE_INVALID' in a comment does not count\n" +
    "export const matched = (code: string) => code === 'CLOUD_DATABASE_INVALID';\n";
  expect(violations('hal/mic/example.ts', text)).toEqual([
    'hal/mic/example.ts:2 uses HARNESS_TIMEOUT, a code of tools, which hal may not use',
    'hal/mic/example.ts:3 throws NO_SUCH_CODE, which no layer declares',
    'hal/mic/example.ts:6 uses CLOUD_DATABASE_INVALID, a code of cloud, which hal may not use',
  ]);
  expect(violations('tools/example.ts', text)).toEqual(['tools/example.ts:3 throws NO_SUCH_CODE, which no layer declares']);
});

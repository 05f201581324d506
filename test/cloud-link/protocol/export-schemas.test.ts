import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  canonicalize,
  defaultSchemaDir,
  renderSchemaFiles,
  staleSchemaFiles,
  writeSchemaFiles,
} from '../../../cloud-link/protocol/export-schemas.js';
import { MESSAGE_SCHEMAS } from '../../../cloud-link/protocol/message-schemas.js';
import { TOPIC_SPECS } from '../../../cloud-link/protocol/topics.js';

describe('exported JSON Schema files', () => {
  test('the committed files in cloud-link/schemas match the sources (run `npm run build && npm run schemas` if not)', () => {
    const dir = defaultSchemaDir();
    const files = renderSchemaFiles();
    for (const [name, text] of files) expect(readFileSync(path.join(dir, name), 'utf8')).toBe(text);
    expect(staleSchemaFiles(dir)).toEqual([]);
  });

  test('one file per schema plus the README; every file is JSON Schema 2020-12 with its own $id and a trailing newline', () => {
    const files = renderSchemaFiles();
    expect(files.size).toBe(Object.keys(MESSAGE_SCHEMAS).length + 1);
    for (const [name, text] of files) {
      expect(text.endsWith('\n')).toBe(true);
      if (name === 'README.md') continue;
      const json = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(json).slice(0, 3)).toEqual(['$schema', '$id', 'title']);
      expect(json.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(json.$id).toBe(name);
    }
  });

  test('shared objects are $refs to their own files, and every $ref resolves to a generated file', () => {
    const files = renderSchemaFiles();
    const desired = JSON.parse(files.get('shadow-desired-state.schema.json') ?? '{}') as { properties: Record<string, unknown> };
    expect(desired.properties.roomProfile).toEqual({ $ref: 'room-profile.schema.json' });
    expect(desired.properties.networkProfile).toEqual({ $ref: 'network-profile.schema.json' });
    for (const text of files.values()) {
      for (const [, ref] of text.matchAll(/"\$ref": "([^"#]+)"/g)) expect(files.has(ref as string)).toBe(true);
    }
  });

  test('limits and strictness survive the conversion', () => {
    const files = renderSchemaFiles();
    const room = JSON.parse(files.get('room-profile.schema.json') ?? '{}') as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(room.additionalProperties).toBe(false);
    expect(room.required).toEqual(['ProfileName', 'Timezone', 'Address', 'DistanceUnit', 'TemperatureUnit', 'WakeWord']);
    expect(room.properties.MaxVolumeLimit).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
    expect(room.properties.WakeWord).toMatchObject({ enum: ['ALEXA', 'AMAZON', 'ECHO', 'COMPUTER'] });
    const network = JSON.parse(files.get('network-profile.schema.json') ?? '{}') as { allOf: unknown[] };
    expect(network.allOf).toHaveLength(5); // one if/then rule per SecurityType
    const redacted = JSON.parse(files.get('network-profile-redacted.schema.json') ?? '{}') as { properties: Record<string, unknown> };
    expect(Object.keys(redacted.properties)).not.toContain('CurrentPassword');
    expect(Object.keys(redacted.properties)).not.toContain('NextPassword');
  });

  test('the README lists every topic with its publisher and schema file', () => {
    const readme = renderSchemaFiles().get('README.md') ?? '';
    for (const spec of TOPIC_SPECS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${spec.pattern}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(`| ${spec.publisher} | ${spec.qos} |`);
      if (spec.schema) expect(row).toContain(`(${spec.schema}.schema.json)`);
    }
  });

  test('canonicalize puts the JSON Schema keywords first and sorts the rest, recursively; arrays keep their order', () => {
    const out = canonicalize({ z: 1, type: 'object', b: { y: [3, { d: 1, c: 2 }], a: 0 }, $schema: 's', title: 't' });
    expect(JSON.stringify(out)).toBe('{"$schema":"s","title":"t","type":"object","b":{"a":0,"y":[3,{"c":2,"d":1}]},"z":1}');
  });

  test('writeSchemaFiles writes everything and removes schema files that are no longer generated', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'echosim-schemas-'));
    try {
      writeFileSync(path.join(dir, 'retired.schema.json'), '{}\n');
      writeFileSync(path.join(dir, 'notes.txt'), 'kept\n');
      expect(staleSchemaFiles(dir)).toContain('retired.schema.json');
      const written = writeSchemaFiles(dir);
      expect(written).toHaveLength(renderSchemaFiles().size);
      expect(readdirSync(dir)).not.toContain('retired.schema.json');
      expect(readdirSync(dir)).toContain('notes.txt');
      expect(staleSchemaFiles(dir)).toEqual([]);
      writeFileSync(path.join(dir, 'job.schema.json'), '{}\n');
      expect(staleSchemaFiles(dir)).toEqual(['job.schema.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

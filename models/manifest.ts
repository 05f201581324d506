import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { EchosimError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';

/**
 * models/manifest.json names every model file echosim loads, the npm package it comes from, its
 * sha256 and each keyword's default threshold. Files are verified when loaded: a missing or corrupt
 * file is a clear error, never a silent mis-detection.
 */
const fileEntry = z.object({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const keywordEntry = fileEntry.extend({
  threshold: z.number().gt(0).lt(1),
  wakeWord: z.string().optional(),
});
const manifestSchema = z.object({
  package: z.string().min(1),
  packageVersion: z.string().min(1),
  directory: z.string().min(1),
  features: z.object({ melspectrogram: fileEntry, embedding: fileEntry }),
  vad: fileEntry,
  keywords: z.record(z.string(), keywordEntry),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelFileEntry = z.infer<typeof fileEntry>;
export type KeywordEntry = z.infer<typeof keywordEntry>;

export function loadManifest(manifestPath: string = path.join(packageRoot(), 'models', 'manifest.json')): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (cause) {
    throw new EchosimError('MODEL_MANIFEST_INVALID', `cannot read the model manifest ${manifestPath}`, {
      cause,
      hint: 'Reinstall echosim; models/manifest.json ships with it.',
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EchosimError('MODEL_MANIFEST_INVALID', `the model manifest ${manifestPath} is invalid: ${z.prettifyError(parsed.error)}`, {
      hint: 'Restore models/manifest.json from the repository.',
    });
  }
  return parsed.data;
}

/** The folder holding the model files: the npm package's models/ unless overridden. */
export function resolveModelDir(manifest: ModelManifest, override?: string): string {
  if (override) return override;
  const require = createRequire(import.meta.url);
  try {
    const pkgJson = require.resolve(`${manifest.package}/package.json`);
    return path.join(path.dirname(pkgJson), manifest.directory);
  } catch (cause) {
    throw new EchosimError('MODEL_FILE_MISSING', `the npm package ${manifest.package} that holds the models is not installed`, {
      cause,
      hint: `Run "npm install" in the echosim folder (it installs ${manifest.package}@${manifest.packageVersion}).`,
    });
  }
}

/** Reads a model file and checks its sha256; resolves to its bytes. */
export function readVerifiedModel(dir: string, entry: ModelFileEntry): Promise<Uint8Array> {
  return readVerifiedFile(path.join(dir, entry.file), entry.sha256);
}

/**
 * Reads a model file by its path and, when a sha256 is given, checks it; resolves to its bytes. A
 * file without one (a custom head given with --model) is read as it is.
 */
export async function readVerifiedFile(file: string, sha256: string | undefined): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new EchosimError('MODEL_FILE_MISSING', `model file ${file} is missing`, {
      cause,
      hint: sha256
        ? 'Run "npm install" again to restore the model package, or point --model-dir at a folder holding the files.'
        : 'Check the path given with --model.',
      details: { file },
    });
  }
  if (sha256 === undefined) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) {
    throw new EchosimError('MODEL_CHECKSUM_MISMATCH', `model file ${file} is corrupt or not the expected version (sha256 ${actual})`, {
      hint: `Expected sha256 ${sha256}. Reinstall the model package with "npm ci", or restore the file from the repository.`,
      details: { file, expected: sha256, actual },
    });
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function keywordEntryFor(manifest: ModelManifest, keyword: string): KeywordEntry {
  const entry = manifest.keywords[keyword];
  if (!entry) {
    throw new EchosimError('MODEL_UNKNOWN', `no wake-word model named "${keyword}"`, {
      hint: `Known keywords: ${Object.keys(manifest.keywords).join(', ')}.`,
    });
  }
  return entry;
}

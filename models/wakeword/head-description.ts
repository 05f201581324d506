import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';

/**
 * A wake-word head this project trained (`echosim train wakeword`), described by
 * `models/wakeword/heads/<word>/<word>.json` beside its ONNX files and model card:
 *
 * - `<word>.onnx`: the stage-1 head the device runs (input [1, 16, 96] embeddings, output [1, 1] score),
 *   with its default `threshold` and `patience`;
 * - `<word>-verifier.onnx` (with `verifier`): a stricter stage-2 head the cloud runs over the streamed
 *   window; at or above `high` it confirms, below `low` it rejects, in between the `keyphrase` check
 *   (a speech recognizer spotting `keyphrase.text` at `keyphrase.kwsThreshold`) decides;
 * - `files`: the sha256 of every model file, checked when it is loaded.
 *
 * docs/wake-word.md#trained-heads-and-the-second-stage describes the format and how a description
 * becomes a word of the registry.
 */
const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');
const FILE_NAME = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a file name in the same folder');

export const HeadDescriptionSchema = z.object({
  word: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be 1-32 characters of a-z 0-9 _, starting with a letter'),
  /** The room-profile WakeWord the head covers, e.g. COMPUTER. */
  wakeWord: z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/).optional(),
  files: z.record(FILE_NAME, SHA256),
  threshold: z.number().gt(0).lt(1),
  patience: z.int().min(1).max(10).optional(),
  verifier: z
    .object({ high: z.number().min(0).max(1), low: z.number().min(0).max(1), patience: z.int().min(1).max(10).optional() })
    .refine((v) => v.low <= v.high, 'low must not be above high')
    .optional(),
  keyphrase: z
    .object({
      text: z.string().regex(/^[a-z][a-z']*( [a-z][a-z']*){0,3}$/, 'must be 1-4 lowercase words'),
      kwsThreshold: z.number().gt(0).max(1e10),
    })
    .optional(),
});

export type HeadDescription = z.infer<typeof HeadDescriptionSchema>;

/** A head description with its files resolved to absolute paths. */
export interface ProjectHead {
  readonly description: HeadDescription;
  readonly file: string;
  readonly sha256: string;
  readonly verifierFile?: { readonly file: string; readonly sha256: string };
}

/** Where the project's trained heads live: `models/wakeword/heads/` in the package. */
export function defaultHeadsDir(): string {
  return path.join(packageRoot(), 'models', 'wakeword', 'heads');
}

function invalid(file: string, message: string): EchosimError {
  return new EchosimError('MODEL_MANIFEST_INVALID', `the head description ${file} is invalid: ${message}`, {
    hint: 'Restore it from the repository, or write it again with "echosim train wakeword".',
    details: { file },
  });
}

/** Reads a description file and checks it against the schema; `hint` says what to do when it cannot be read. */
function parseDescription(file: string, hint: string): HeadDescription {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new EchosimError('MODEL_MANIFEST_INVALID', `cannot read the head description ${file}`, { cause, hint });
  }
  const parsed = HeadDescriptionSchema.safeParse(raw);
  if (!parsed.success) throw invalid(file, z.prettifyError(parsed.error));
  return parsed.data;
}

/** Reads and checks one `<dir>/<word>.json`; its word must be its folder's name. */
export function readHeadDescription(dir: string): ProjectHead {
  const word = path.basename(dir);
  const file = path.join(dir, `${word}.json`);
  const d = parseDescription(file, 'Restore it from the repository.');
  if (d.word !== word) throw invalid(file, `its word "${d.word}" is not its folder's name "${word}"`);
  const head = `${word}.onnx`;
  const headSha = d.files[head];
  if (headSha === undefined) throw invalid(file, `files must list ${head}`);
  let verifierFile: ProjectHead['verifierFile'];
  if (d.verifier) {
    const name = `${word}-verifier.onnx`;
    const sha = d.files[name];
    if (sha === undefined) throw invalid(file, `a verifier needs ${name} in files`);
    verifierFile = { file: path.join(dir, name), sha256: sha };
  }
  return { description: d, file: path.join(dir, head), sha256: headSha, ...(verifierFile ? { verifierFile } : {}) };
}

/**
 * The description beside a head given as a file (`--model DIR/word.onnx` of a head `echosim train
 * wakeword --out DIR` wrote): `DIR/word.json`, when there is one. Its threshold, patience and the
 * file's sha256 then apply as they would in the registry; an unreadable or invalid one is an error,
 * not silently ignored (the head would run at a threshold nobody chose).
 */
export function descriptionBeside(onnxFile: string): { threshold: number; patience?: number; sha256?: string } | undefined {
  const name = path.basename(onnxFile);
  const file = path.join(path.dirname(onnxFile), `${name.replace(/\.onnx$/i, '')}.json`);
  if (!existsSync(file)) return undefined;
  const d = parseDescription(file, 'Fix or remove it: it describes the head beside it.');
  const sha256 = d.files[name];
  return { threshold: d.threshold, ...(d.patience === undefined ? {} : { patience: d.patience }), ...(sha256 === undefined ? {} : { sha256 }) };
}

/**
 * Every head description under `headsDir` (one folder per word holding `<word>.json`), sorted by
 * word. A folder without its description is not a head and is skipped; a missing `headsDir` holds none.
 */
export function readHeadDescriptions(headsDir: string = defaultHeadsDir()): ProjectHead[] {
  if (!existsSync(headsDir)) return [];
  return readdirSync(headsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(headsDir, e.name, `${e.name}.json`)))
    .map((e) => e.name)
    .sort()
    .map((name) => readHeadDescription(path.join(headsDir, name)));
}

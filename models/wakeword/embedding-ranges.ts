import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import type { ModelFileEntry } from '../manifest.js';

/**
 * The calibration of the int8 embedding (quantized-embedding.ts): for each convolution of the
 * embedding model, named by its weights, the range of its input and of its output over a calibration
 * set of real speech. Made by `echosim train calibrate-embedding` (tools/train/calibrate-embedding.ts),
 * which writes the recipe beside the figures; committed as models/wakeword/embedding-int8.json. It
 * belongs to one embedding model file: a file with another sha256 is refused, never quantized with
 * another model's scales.
 */
const range = z.tuple([z.number().finite(), z.number().finite()]).refine(([lo, hi]) => lo <= hi, 'a range is [low, high]');
const rangesSchema = z.object({
  model: z.object({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  recipe: z.string().min(1),
  windows: z.number().int().positive(),
  /** Convolutions kept in float (0-based in the chain's order, negative from its end). */
  floatConvolutions: z.array(z.number().int()),
  convolutions: z.record(z.string(), z.object({ input: range, output: range })),
});

export type TensorRange = readonly [number, number];
export type EmbeddingRanges = z.infer<typeof rangesSchema>;

export const DEFAULT_RANGES_FILE = (): string => path.join(packageRoot(), 'models', 'wakeword', 'embedding-int8.json');

/** Reads and checks a calibration file against the embedding model it will quantize. */
export function loadEmbeddingRanges(model: ModelFileEntry, file: string = DEFAULT_RANGES_FILE()): EmbeddingRanges {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new EchosimError('MODEL_RANGES_INVALID', `cannot read the int8 embedding calibration ${file}`, {
      cause,
      hint: 'Restore models/wakeword/embedding-int8.json, or make it: echosim train calibrate-embedding (or use --embedding float).',
    });
  }
  const parsed = rangesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EchosimError('MODEL_RANGES_INVALID', `the int8 embedding calibration ${file} is invalid: ${z.prettifyError(parsed.error)}`, {
      hint: 'Make it again: echosim train calibrate-embedding (or use --embedding float).',
    });
  }
  if (parsed.data.model.sha256 !== model.sha256) {
    throw new EchosimError('MODEL_RANGES_MISMATCH', `the int8 embedding calibration ${file} was made for another embedding model (sha256 ${parsed.data.model.sha256.slice(0, 12)}..., loaded ${model.sha256.slice(0, 12)}...)`, {
      hint: 'Calibrate for this model: echosim train calibrate-embedding, or run the float embedding (--embedding float).',
    });
  }
  return parsed.data;
}

export function serializeEmbeddingRanges(ranges: EmbeddingRanges): string {
  return `${JSON.stringify(rangesSchema.parse(ranges), null, 2)}\n`;
}

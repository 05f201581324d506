import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of a fixture folder's labels.tsv; negatives have `-` times (NaN here). */
export interface FixtureLabel {
  startS: number;
  endS: number;
  text: string;
}

/**
 * TEST-ONLY reader of `labels.tsv` (`file<TAB>start_s<TAB>end_s<TAB>text`, a header line, blank and
 * # lines skipped), keyed by file name. A folder without the file has no labels.
 */
export function readFixtureLabels(dir: string): Map<string, FixtureLabel> {
  const labels = new Map<string, FixtureLabel>();
  const path = join(dir, 'labels.tsv');
  if (!existsSync(path)) return labels;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('file\t')) continue;
    const [file, start, end, text] = line.split('\t');
    if (file === undefined) continue;
    labels.set(file, { startS: Number(start), endS: Number(end), text: text ?? '' });
  }
  return labels;
}

import { existsSync, readFileSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';

export interface Label {
  readonly startS: number;
  readonly endS: number;
  readonly text: string;
}

export interface Corpus {
  readonly positives: string[];
  readonly negatives: string[];
  /** Labels by file path (absolute), when pos/labels.tsv gives them. */
  readonly labels: Map<string, Label>;
}

/**
 * Every .wav under a folder, sorted, recursively. Symbolic links are followed, to files and to
 * folders (a corpus is often links into a larger data set); a folder reached twice (a loop, or two
 * links to it) is walked once, and a file reached twice is listed once, under the first path.
 */
export function listWavs(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EchosimError('BENCH_CORPUS_INVALID', `${dir} is not a folder`, { hint: 'Pass --pos and --neg folders that hold .wav files.' });
  }
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const walk = (d: string): void => {
    const real = realpathSync(d);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      const isWav = e.name.toLowerCase().endsWith('.wav');
      const kind = e.isSymbolicLink() ? linkTarget(p, isWav) : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other';
      if (kind === 'dir') walk(p);
      else if (kind === 'file' && isWav) {
        const file = realpathSync(p);
        if (seenFiles.has(file)) continue;
        seenFiles.add(file);
        out.push(path.resolve(p));
      }
    }
  };
  walk(dir);
  return out;
}

/** What a symbolic link points at; a broken link named *.wav is an error (the corpus is incomplete). */
function linkTarget(link: string, isWav: boolean): 'dir' | 'file' | 'other' {
  let st: Stats;
  try {
    st = statSync(link);
  } catch (cause) {
    if (!isWav) return 'other';
    throw new EchosimError('BENCH_CORPUS_INVALID', `${link} is a symbolic link to nothing (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
      hint: 'Fix or remove the link; every .wav of the corpus must be readable.',
      cause,
    });
  }
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

/**
 * pos/labels.tsv: `file<TAB>start_s<TAB>end_s<TAB>text`, file relative to pos/ (a header line and
 * blank or # lines are skipped). Lines that name no file in the corpus are an error, so a typo does
 * not quietly turn labelled files into unlabelled ones.
 */
export function readLabels(posDir: string, positives: readonly string[]): Map<string, Label> {
  const file = path.join(posDir, 'labels.tsv');
  const labels = new Map<string, Label>();
  if (!existsSync(file)) return labels;
  const known = new Set(positives);
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim() || line.startsWith('#')) return;
      const [name, start, end, ...text] = line.split('\t');
      const startS = Number(start);
      const endS = Number(end);
      if (i === 0 && (!Number.isFinite(startS) || !Number.isFinite(endS))) return; // header
      if (!name || !Number.isFinite(startS) || !Number.isFinite(endS) || endS <= startS || startS < 0) {
        throw new EchosimError('BENCH_CORPUS_INVALID', `${file}:${i + 1}: expected file<TAB>start_s<TAB>end_s<TAB>text`, {
          hint: 'start_s and end_s are seconds from the start of the file, end after start.',
        });
      }
      const abs = path.resolve(posDir, name);
      if (!known.has(abs)) {
        throw new EchosimError('BENCH_CORPUS_INVALID', `${file}:${i + 1}: ${name} is not a .wav under ${posDir}`);
      }
      labels.set(abs, { startS, endS, text: text.join('\t') });
    });
  return labels;
}

export function loadCorpus(posDir: string, negDir: string): Corpus {
  const positives = listWavs(posDir);
  const negatives = listWavs(negDir);
  if (positives.length === 0 && negatives.length === 0) {
    throw new EchosimError('BENCH_CORPUS_INVALID', `no .wav files under ${posDir} or ${negDir}`);
  }
  return { positives, negatives, labels: readLabels(posDir, positives) };
}

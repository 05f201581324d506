import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readWav16kMono } from '../reference/wav.js';

export const FIXTURES = path.join(process.cwd(), 'test', 'fixtures');
export const WAKEWORD = path.join(FIXTURES, 'wakeword');

export interface Fixture {
  name: string;
  file: string;
  samples: Int16Array;
  label?: { startS: number; endS: number; text: string };
}

/** The committed fixtures of one folder (pos, neg, silence), with their labels. */
export function loadFixtures(kind: 'pos' | 'neg' | 'silence'): Fixture[] {
  const dir = path.join(WAKEWORD, kind);
  const labels = new Map<string, { startS: number; endS: number; text: string }>();
  for (const line of readFileSync(path.join(dir, 'labels.tsv'), 'utf8').split('\n').slice(1)) {
    const [name, start, end, text] = line.split('\t');
    if (name && start && end) labels.set(name, { startS: Number(start), endS: Number(end), text: text ?? '' });
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const label = labels.get(name);
      return { name, file, samples: readWav16kMono(readFileSync(file)), ...(label && label.endS > label.startS ? { label } : {}) };
    });
}

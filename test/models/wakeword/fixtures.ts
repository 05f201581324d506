import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readFixtureLabels } from '../reference/labels.js';
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
  const labels = readFixtureLabels(dir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const label = labels.get(name);
      return { name, file, samples: readWav16kMono(readFileSync(file)), ...(label && label.endS > label.startS ? { label } : {}) };
    });
}

import { readFileSync } from 'node:fs';
import { EchosimError } from '../../../core/errors.js';

/** Debian's pocketsphinx-en-us pronouncing dictionary (CMU phones, no stress marks). */
export const CMUDICT_PATH = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';

export const VOWELS: ReadonlySet<string> = new Set(['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW']);

/** Words and their pronunciations (each a list of phones); a word may have several. */
export class PronouncingDictionary {
  private lengths: Map<number, [string, readonly (readonly string[])[]][]> | undefined;

  private constructor(private readonly entries: ReadonlyMap<string, readonly (readonly string[])[]>) {}

  static load(file = CMUDICT_PATH): PronouncingDictionary {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new EchosimError('TRAIN_TOOL_MISSING', `the pronouncing dictionary ${file} is missing`, {
        cause,
        hint: 'install Debian\'s pocketsphinx-en-us (bash tools/setup.sh installs it); near misses are generated from it',
      });
    }
    return PronouncingDictionary.parse(text);
  }

  /** Lines of `word PH ON ES`, alternatives as `word(2) ...`. */
  static parse(text: string): PronouncingDictionary {
    const entries = new Map<string, string[][]>();
    for (const line of text.split('\n')) {
      const parts = line.trim().split(/\s+/);
      const head = parts[0];
      if (!head || parts.length < 2) continue;
      const word = head.replace(/\(\d+\)$/, '').toLowerCase();
      const list = entries.get(word) ?? [];
      list.push(parts.slice(1).map((p) => p.replace(/\d$/, '').toUpperCase()));
      entries.set(word, list);
    }
    return new PronouncingDictionary(entries);
  }

  get size(): number {
    return this.entries.size;
  }

  pronunciations(word: string): readonly (readonly string[])[] {
    return this.entries.get(word.toLowerCase()) ?? [];
  }

  /** Every pronunciation of a phrase (the product of its words'), or none when a word is unknown. */
  phrasePronunciations(phrase: string, limit = 8): string[][] {
    let out: string[][] = [[]];
    for (const w of phrase.toLowerCase().split(/\s+/).filter(Boolean)) {
      const prons = this.pronunciations(w);
      if (prons.length === 0) return [];
      out = out.flatMap((head) => prons.map((p) => [...head, ...p])).slice(0, limit);
    }
    return out;
  }

  *words(): IterableIterator<[string, readonly (readonly string[])[]]> {
    yield* this.entries;
  }

  /** Words with a pronunciation of `min` to `max` phones. */
  *wordsOfLength(min: number, max: number): IterableIterator<[string, readonly (readonly string[])[]]> {
    if (!this.lengths) {
      this.lengths = new Map();
      for (const entry of this.entries) {
        for (const n of new Set(entry[1].map((p) => p.length))) {
          const list = this.lengths.get(n);
          if (list) list.push(entry);
          else this.lengths.set(n, [entry]);
        }
      }
    }
    const seen = new Set<string>();
    for (let n = min; n <= max; n++) {
      for (const entry of this.lengths.get(n) ?? []) {
        if (seen.has(entry[0])) continue;
        seen.add(entry[0]);
        yield entry;
      }
    }
  }
}

/** Whether `needle` occurs as a contiguous run inside `hay`. */
export function containsPhones(hay: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0 || needle.length > hay.length) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

/**
 * Edit distance between two phone sequences where swapping a vowel for a vowel costs 0.5 and a
 * consonant for a consonant 0.75 (they sound closer than a vowel for a consonant, 1), and an
 * insertion or deletion costs 1.
 */
export function phoneDistance(a: readonly string[], b: readonly string[]): number {
  let prev = new Float64Array(b.length + 1);
  let cur = new Float64Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const pa = a[i - 1]!;
    const va = VOWELS.has(pa);
    for (let j = 1; j <= b.length; j++) {
      const pb = b[j - 1]!;
      const sub = pa === pb ? 0 : va && VOWELS.has(pb) ? 0.5 : !va && !VOWELS.has(pb) ? 0.75 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + sub);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Length of the longest run of phones the two sequences share. */
export function longestSharedRun(a: readonly string[], b: readonly string[]): number {
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let k = 0;
      while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k++;
      best = Math.max(best, k);
    }
  }
  return best;
}

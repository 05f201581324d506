/**
 * A word's near misses from a pronouncing dictionary (CMU phone set, `word PH ON ES` per line):
 * the words whose pronunciation is closest to the word's (phone edit distance), e.g. for alexa
 * (AH L EH K S AH): alexis, alexia, alexei, lexus. They compete with the word in the recognizer's
 * forced choice (keyphrase-spotter.ts), so a window is taken as the word only when the word fits
 * it better than every one of them. The word's own entries, homophones and its plural or possessive
 * (the word followed by S or Z) are never near misses.
 */
export interface Pronunciation {
  readonly word: string;
  readonly phones: readonly string[];
}

export interface NearMissOptions {
  /** At most this many (default 24), closest first. */
  readonly max?: number;
  /** Largest edit distance (default: a third of the word's phones, at least 1). */
  readonly maxDistance?: number;
}

/** Parses dictionary lines; `alexa(2)` (an alternative pronunciation) is read as `alexa`. */
export function parseDictionary(text: string): Pronunciation[] {
  const out: Pronunciation[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const head = parts[0];
    if (!head || parts.length < 2 || head.startsWith(';;;')) continue;
    out.push({ word: head.replace(/\(\d+\)$/, ''), phones: parts.slice(1) });
  }
  return out;
}

export function nearMisses(dictionary: readonly Pronunciation[], word: string, options: NearMissOptions = {}): Pronunciation[] {
  const own = dictionary.filter((p) => p.word === word);
  if (own.length === 0) return [];
  const length = Math.min(...own.map((p) => p.phones.length));
  const limit = options.maxDistance ?? Math.max(1, Math.floor(length / 3));
  const sameAs = (phones: readonly string[]): boolean =>
    own.some((o) => equal(o.phones, phones) || (phones.length === o.phones.length + 1 && equal(o.phones, phones.slice(0, -1)) && /^[SZ]$/.test(phones.at(-1)!)));
  const best = new Map<string, { p: Pronunciation; d: number }>();
  for (const p of dictionary) {
    if (p.word === word || !/^[a-z][a-z']*$/.test(p.word) || Math.abs(p.phones.length - length) > limit || sameAs(p.phones)) continue;
    const d = Math.min(...own.map((o) => distance(o.phones, p.phones, limit)));
    if (d > limit) continue;
    const known = best.get(p.word);
    if (!known || d < known.d) best.set(p.word, { p, d });
  }
  return [...best.values()]
    .sort((a, b) => a.d - b.d || a.p.word.localeCompare(b.p.word))
    .slice(0, options.max ?? 24)
    .map((x) => x.p);
}

function equal(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Levenshtein distance over phones, giving up (returning limit + 1) once it must exceed `limit`. */
function distance(a: readonly string[], b: readonly string[], limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let low = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      low = Math.min(low, v);
    }
    if (low > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}

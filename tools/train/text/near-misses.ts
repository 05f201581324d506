import { hashOf } from '../hash.js';
import { COMMON_WORDS } from './common-words.js';
import { containsPhones, longestSharedRun, phoneDistance, type PronouncingDictionary } from './cmudict.js';
import { mentionsWord } from './word-match.js';

/**
 * How a near miss relates to the word: a phonetic neighbour (a small phone edit away), a word that
 * shares a long run of its phones (its syllables), two common words that together come close to it,
 * part of a wake phrase, or (for words the dictionary lacks) a spelling neighbour.
 */
export type NearMissKind = 'neighbour' | 'shares-syllables' | 'two-words' | 'part-of-phrase' | 'spelling';

export interface NearMiss {
  readonly text: string;
  readonly kind: NearMissKind;
  /** Phone (or letter) edit distance to the word; lower is closer. */
  readonly distance: number;
}

const PLAIN_WORD = /^[a-z][a-z']*[a-z]$/;

/**
 * Near misses for a word or phrase, from the pronouncing dictionary: the closest first, at most
 * `count`. Nothing returned sounds like the word itself: a candidate whose pronunciation contains one
 * of the word's is dropped ("eco" sounds like echo, "computers" contains computer), and so is any
 * text that mentions the word (word-boundary check, see mentionsWord).
 */
export function generateNearMisses(word: string, dict: PronouncingDictionary, count = 60): NearMiss[] {
  const targets = dict.phrasePronunciations(word);
  if (targets.length === 0) return spellingNeighbours(word, dict, count);
  const target = targets[0]!;
  const soundsLikeWord = (prons: readonly (readonly string[])[]): boolean => prons.some((p) => targets.some((t) => containsPhones(p, t)));
  const found = new Map<string, NearMiss>();
  const add = (m: NearMiss): void => {
    if (mentionsWord(m.text, word) || found.has(m.text)) return;
    found.set(m.text, m);
  };
  const maxDistance = Math.max(1, 0.4 * target.length);
  const minShared = Math.max(2, Math.ceil(target.length / 2));
  for (const [w, prons] of dict.wordsOfLength(1, target.length + 6)) {
    if (!PLAIN_WORD.test(w) || soundsLikeWord(prons)) continue;
    const d = Math.min(...prons.map((p) => phoneDistance(target, p)));
    if (d > 0 && d <= maxDistance) {
      add({ text: w, kind: 'neighbour', distance: d });
      continue;
    }
    const shared = Math.max(...prons.map((p) => longestSharedRun(target, p)));
    const pron = prons[0]!;
    if (shared >= minShared && pron.length <= target.length + 6) add({ text: w, kind: 'shares-syllables', distance: target.length - shared + 0.1 * Math.abs(pron.length - target.length) });
  }
  for (const m of twoWordNearMisses(target, dict, soundsLikeWord)) add(m);
  for (const m of phraseParts(word, dict, count)) if (!soundsLikeWord(dict.phrasePronunciations(m.text))) add(m);
  return pickClosest([...found.values()], count);
}

/** "a lexus", "compute her": a common word that is exactly one end of the word, and a word close to the rest. */
function twoWordNearMisses(
  target: readonly string[],
  dict: PronouncingDictionary,
  soundsLikeWord: (prons: readonly (readonly string[])[]) => boolean,
): NearMiss[] {
  const out: NearMiss[] = [];
  const common = COMMON_WORDS.flatMap((w) => dict.pronunciations(w).map((p) => ({ w, p })));
  for (let i = 1; i < target.length; i++) {
    const head = target.slice(0, i);
    const tail = target.slice(i);
    for (const [part, rest, commonFirst] of [[head, tail, true], [tail, head, false]] as const) {
      const anchors = common.filter((c) => c.p.length === part.length && c.p.every((ph, k) => ph === part[k]));
      if (anchors.length === 0 || rest.length < 2) continue;
      for (const [w, prons] of dict.wordsOfLength(rest.length - 1, rest.length + 1)) {
        if (!PLAIN_WORD.test(w)) continue;
        const d = Math.min(...prons.map((p) => (Math.abs(p.length - rest.length) > 1 ? Infinity : phoneDistance(rest, p))));
        if (d === 0 || d > 1) continue;
        for (const a of anchors.slice(0, 1)) {
          const text = commonFirst ? `${a.w} ${w}` : `${w} ${a.w}`;
          const phrase = prons.map((p) => (commonFirst ? [...a.p, ...p] : [...p, ...a.p]));
          if (!soundsLikeWord(phrase)) out.push({ text, kind: 'two-words', distance: d + 0.25 });
        }
      }
    }
  }
  return out;
}

/** For a phrase: each shorter run of its words, and each word swapped for its closest neighbours. */
function phraseParts(word: string, dict: PronouncingDictionary, count: number): NearMiss[] {
  const words = word.split(' ');
  if (words.length < 2) return [];
  const out: NearMiss[] = [];
  for (let len = words.length - 1; len >= 1; len--) {
    for (let i = 0; i + len <= words.length; i++) out.push({ text: words.slice(i, i + len).join(' '), kind: 'part-of-phrase', distance: words.length - len });
  }
  for (const [i, w] of words.entries()) {
    // A swap by a near-identical word ("heh" for "hey") would still be the phrase: only real changes.
    for (const n of generateNearMisses(w, dict, Math.ceil(count / words.length)).filter((m) => m.kind === 'neighbour' && m.distance >= 1)) {
      out.push({ text: [...words.slice(0, i), n.text, ...words.slice(i + 1)].join(' '), kind: 'part-of-phrase', distance: n.distance });
    }
  }
  return out;
}

/** Words the dictionary lacks: dictionary words a small spelling edit away. */
function spellingNeighbours(word: string, dict: PronouncingDictionary, count: number): NearMiss[] {
  const letters = word.replace(/[^\p{L}]/gu, '');
  const out: NearMiss[] = [];
  for (const [w] of dict.words()) {
    if (!PLAIN_WORD.test(w) || Math.abs(w.length - letters.length) > 2 || mentionsWord(w, word)) continue;
    const d = phoneDistance([...letters], [...w]);
    if (d > 0 && d <= Math.max(1, 0.3 * letters.length)) out.push({ text: w, kind: 'spelling', distance: d });
  }
  return pickClosest(out, count);
}

/**
 * The closest `count`, taking kinds in turn so each kind is represented; equal distances in an
 * order fixed by a hash of the text (deterministic, and not alphabetical).
 */
function pickClosest(all: readonly NearMiss[], count: number): NearMiss[] {
  const byKind = new Map<NearMissKind, NearMiss[]>();
  for (const m of all) {
    const list = byKind.get(m.kind);
    if (list) list.push(m);
    else byKind.set(m.kind, [m]);
  }
  const queues = [...byKind.values()].map((list) =>
    list.map((m) => ({ m, tie: hashOf(m.text) })).sort((a, b) => a.m.distance - b.m.distance || a.tie.localeCompare(b.tie)).map((x) => x.m),
  );
  const out: NearMiss[] = [];
  while (out.length < count && queues.some((q) => q.length > 0)) {
    for (const q of queues) {
      const next = q.shift();
      if (next && out.length < count) out.push(next);
    }
  }
  return out;
}

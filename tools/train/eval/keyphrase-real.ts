import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { Rng } from '../../bench/fuzz-rng.js';
import { deriveSeed } from '../hash.js';
import { decodeAudio } from '../real/decode.js';
import type { RealSource } from '../real/sources.js';
import { sample } from '../shuffle.js';
import type { PronouncingDictionary } from '../text/cmudict.js';
import { transcriptContains } from '../text/word-match.js';
import { spotKeyphrase } from './pocketsphinx.js';
import { round } from './sweep.js';

/** The keyphrase check on one source's clips: how many it spotted at each threshold of the ladder. */
export interface KeyphraseSourceResult {
  readonly name: string;
  readonly split: RealSource['split'];
  /** Clips whose transcript says the word, and how many the check found at each threshold. */
  readonly wordClips: number;
  readonly wordFound: readonly number[];
  /** Other clips checked (a seeded sample), their hours, and the false accepts at each threshold. */
  readonly negativeClips: number;
  readonly negativeHours: number;
  readonly falseAccepts: readonly number[];
}

export interface KeyphraseRealResult {
  readonly word: string;
  readonly ladder: readonly number[];
  readonly sources: readonly KeyphraseSourceResult[];
  /** Over all sources: recall on the clips that say the word, false accepts per hour on the rest, per threshold. */
  readonly recall: readonly number[];
  readonly falseAcceptsPerHour: readonly number[];
}

/**
 * Debian's pocketsphinx keyphrase check alone on real recordings, each clip one utterance as the
 * cloud checks one streamed window: its recall on every clip whose transcript says the word, and its
 * false accepts per hour on a seeded sample of `perSource` other clips of each source. What the
 * cascade's grey zone can expect of it on real voices (the validation measures it only where the
 * first stage fires).
 */
export async function keyphraseOnReal(sources: readonly RealSource[], word: string, ladder: readonly number[], dict: PronouncingDictionary, perSource: number, onSource: (name: string) => void = () => undefined): Promise<KeyphraseRealResult> {
  const results: KeyphraseSourceResult[] = [];
  for (const source of sources) {
    onSource(source.name);
    const saying = source.clips.filter((c) => transcriptContains(c.transcript, word));
    const others = sample(source.clips.filter((c) => !transcriptContains(c.transcript, word)), perSource, new Rng(deriveSeed(0, 'keyphrase-real', source.name)));
    const read = async (clips: typeof saying): Promise<Int16Array[]> => (await Promise.all(clips.map((c) => decodeAudio(c.file)))).filter((a): a is Int16Array => a !== undefined && a.length > 0);
    const words = await read(saying);
    const negatives = await read(others);
    const found = words.length + negatives.length > 0 ? await spotKeyphrase([...words, ...negatives], word, ladder, dict) : [];
    const count = (from: number, to: number): number[] => ladder.map((_, k) => found.slice(from, to).filter((f) => f[k]).length);
    results.push({
      name: source.name,
      split: source.split,
      wordClips: words.length,
      wordFound: count(0, words.length),
      negativeClips: negatives.length,
      negativeHours: negatives.reduce((n, a) => n + a.length, 0) / SAMPLE_RATE / 3600,
      falseAccepts: count(words.length, found.length),
    });
  }
  const words = results.reduce((n, r) => n + r.wordClips, 0);
  const hours = results.reduce((n, r) => n + r.negativeHours, 0);
  return {
    word,
    ladder,
    sources: results,
    recall: ladder.map((_, k) => round(words > 0 ? results.reduce((n, r) => n + r.wordFound[k]!, 0) / words : 0)),
    falseAcceptsPerHour: ladder.map((_, k) => round(hours > 0 ? results.reduce((n, r) => n + r.falseAccepts[k]!, 0) / hours : 0, 2)),
  };
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { nearMisses, parseDictionary, type Pronunciation } from './near-misses.js';
import { ResidentDecoder } from './resident-decoder.js';

/** A phrase to listen for and how sure the recognizer must be (pocketsphinx's kws_threshold: smaller finds more). */
export interface Keyphrase {
  readonly text: string;
  readonly kwsThreshold: number;
}

export interface WordChoice {
  /** The word that fits best: `word` itself, one of `nearMisses`, or undefined when none fits. */
  readonly heard: string | undefined;
  readonly nearMisses: readonly string[];
}

/**
 * The cloud's second opinion on a wake word it is unsure of: does a speech recognizer trained on real
 * speech hear the keyphrase in this window? Errors: KEYPHRASE_UNAVAILABLE (not installed, or a word it
 * has no pronunciation for), KEYPHRASE_BUSY (too many checks waiting), KEYPHRASE_FAILED.
 */
export interface KeyphraseSpotter {
  /** Whether `phrase` is spoken in `audio` (16 kHz mono), decoded as one utterance, searching that phrase only. */
  spot(audio: Int16Array, phrase: Keyphrase): Promise<boolean>;
  /**
   * Which of `word` and its near misses (near-misses.ts) fits `audio` best, decoded as one utterance
   * with a grammar of exactly those words; undefined when none fits at all.
   */
  choose(audio: Int16Array, word: string): Promise<WordChoice>;
  /** Why it cannot run at all here, if it cannot. */
  unavailable(): EchosimError | undefined;
  close(): void;
}

export interface PocketsphinxOptions {
  /** The batch decoder (default pocketsphinx_batch, found on PATH). */
  binary?: string;
  /** The US English model folder of Debian's pocketsphinx-en-us. */
  modelDir?: string;
  /** Checks waiting per search beyond the one being decoded (default 16); more are refused with KEYPHRASE_BUSY. */
  maxQueued?: number;
  /** A window taking longer kills its decoder: KEYPHRASE_FAILED (default 10 s). */
  timeoutMs?: number;
  /** Near misses per word in a forced choice (default 24). */
  maxNearMisses?: number;
}

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const INSTALL_HINT = 'Install it: sudo apt install pocketsphinx pocketsphinx-en-us (tools/setup.sh does). Until then the cloud decides on the verifier head alone.';
/** The longest window a check is given: a claimed wake word, its pre-roll and tolerance are far shorter. */
const MAX_SECONDS = 4;
/** At most this many searches (words x thresholds) keep a decoder each. */
const MAX_SEARCHES = 16;

/**
 * Keyphrase spotting and near-miss choice with Debian's pocketsphinx (0.8+5prealpha): one resident
 * `pocketsphinx_batch` per search (resident-decoder.ts), started on first use and kept, so a check
 * costs the decode (~0.035 x real time: ~50 ms of CPU for 1.5 s) and not a model load per process.
 * Each window is its own utterance. A keyword search looks for one phrase only (several keyphrases
 * in one search pre-empt each other), with a dictionary of just its words; a choice decodes with a
 * grammar of the word and its near misses.
 */
export class PocketsphinxSpotter implements KeyphraseSpotter {
  private readonly binary: string;
  private readonly modelDir: string;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly maxNearMisses: number;
  private readonly decoders = new Map<string, ResidentDecoder>();
  private readonly choices = new Map<string, readonly Pronunciation[]>();
  private dictionaryCache: Pronunciation[] | undefined;

  constructor(options: PocketsphinxOptions = {}) {
    this.binary = options.binary ?? 'pocketsphinx_batch';
    this.modelDir = options.modelDir ?? POCKETSPHINX_MODEL_DIR;
    this.maxQueued = Math.max(0, options.maxQueued ?? 16);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxNearMisses = Math.max(0, Math.min(100, options.maxNearMisses ?? 24));
  }

  unavailable(): EchosimError | undefined {
    const found = path.isAbsolute(this.binary)
      ? existsSync(this.binary)
      : (process.env.PATH ?? '').split(path.delimiter).some((d) => d !== '' && existsSync(path.join(d, this.binary)));
    if (!found) return new EchosimError('KEYPHRASE_UNAVAILABLE', `${this.binary} (pocketsphinx) is not installed`, { hint: INSTALL_HINT });
    if (!existsSync(path.join(this.modelDir, 'en-us', 'mdef')) || !existsSync(this.dictionaryFile())) {
      return new EchosimError('KEYPHRASE_UNAVAILABLE', `pocketsphinx's US English model is not in ${this.modelDir}`, { hint: INSTALL_HINT });
    }
    return undefined;
  }

  async spot(audio: Int16Array, phrase: Keyphrase): Promise<boolean> {
    if (!(phrase.kwsThreshold > 0) || !/^[a-z][a-z']*( [a-z][a-z']*){0,3}$/.test(phrase.text)) {
      throw new EchosimError('KEYPHRASE_FAILED', `"${phrase.text}" at ${phrase.kwsThreshold} is not a keyphrase pocketsphinx can search`, { hint: 'Use 1-4 lowercase words and a threshold above 0, e.g. 1e-20.' });
    }
    const words = [...new Set(phrase.text.split(' '))];
    const decoder = this.decoder(`kws:${phrase.text}:${phrase.kwsThreshold}`, () => ({
      dictionary: words.flatMap((w) => this.pronunciations(w)),
      search: () => ['-keyphrase', phrase.text, '-kws_threshold', String(phrase.kwsThreshold)],
    }));
    const hyp = await decoder.decode(bounded(audio));
    return hyp.split(/\s+/).join(' ').includes(phrase.text);
  }

  async choose(audio: Int16Array, word: string): Promise<WordChoice> {
    if (!/^[a-z][a-z']{0,31}$/.test(word)) throw new EchosimError('KEYPHRASE_FAILED', `"${word}" is not one dictionary word`, { hint: 'The near-miss choice is for single-word wake words.' });
    const misses = this.nearMissesOf(word);
    const names = misses.map((m) => m.word);
    const decoder = this.decoder(`choice:${word}`, () => ({
      dictionary: [...this.pronunciations(word), ...misses.map((m) => `${m.word} ${m.phones.join(' ')}`)],
      search: (dir) => {
        const file = path.join(dir, 'choice.gram');
        writeFileSync(file, `#JSGF V1.0;\ngrammar choice;\npublic <w> = ${[word, ...new Set(names)].join(' | ')};\n`);
        return ['-jsgf', file];
      },
    }));
    const hyp = (await decoder.decode(bounded(audio))).split(/\s+/).find((w) => w !== '');
    return { heard: hyp === word || (hyp !== undefined && names.includes(hyp)) ? hyp : undefined, nearMisses: names };
  }

  /** The near misses a choice for `word` competes with (loaded once per word). */
  nearMissesOf(word: string): readonly Pronunciation[] {
    let misses = this.choices.get(word);
    if (!misses) {
      this.pronunciations(word); // KEYPHRASE_UNAVAILABLE for a word the dictionary lacks
      misses = nearMisses(this.dictionary(), word, { max: this.maxNearMisses });
      this.choices.set(word, misses);
    }
    return misses;
  }

  /** Process ids of the resident decoders (CPU accounting in bench). */
  get pids(): number[] {
    return [...this.decoders.values()].flatMap((d) => (d.pid === undefined ? [] : [d.pid]));
  }

  close(): void {
    for (const d of this.decoders.values()) d.close();
    this.decoders.clear();
  }

  private decoder(key: string, make: () => { dictionary: string[]; search: (dir: string) => string[] }): ResidentDecoder {
    const missing = this.unavailable();
    if (missing) throw missing;
    let d = this.decoders.get(key);
    if (!d) {
      if (this.decoders.size >= MAX_SEARCHES) {
        throw new EchosimError('KEYPHRASE_BUSY', `already ${MAX_SEARCHES} recognizer searches`, { hint: 'Fewer words or thresholds per cloud.' });
      }
      const { dictionary, search } = make();
      d = new ResidentDecoder({ binary: this.binary, hmm: path.join(this.modelDir, 'en-us'), dictionary, search, maxQueued: this.maxQueued, timeoutMs: this.timeoutMs });
      this.decoders.set(key, d);
    }
    return d;
  }

  private dictionaryFile(): string {
    return path.join(this.modelDir, 'cmudict-en-us.dict');
  }

  private dictionary(): Pronunciation[] {
    this.dictionaryCache ??= parseDictionary(readFileSync(this.dictionaryFile(), 'utf8'));
    return this.dictionaryCache;
  }

  /** A word's dictionary lines (every pronunciation); KEYPHRASE_UNAVAILABLE when it has none. */
  private pronunciations(word: string): string[] {
    const own = this.dictionary().filter((p) => p.word === word);
    if (own.length === 0) {
      throw new EchosimError('KEYPHRASE_UNAVAILABLE', `pocketsphinx's dictionary has no pronunciation for "${word}"`, {
        hint: 'Choose a keyphrase of dictionary words, or drop the keyphrase from the head description.',
      });
    }
    return own.map((p, i) => `${word}${i === 0 ? '' : `(${i + 1})`} ${p.phones.join(' ')}`);
  }
}

/** The last MAX_SECONDS of a window. */
function bounded(audio: Int16Array): Int16Array {
  return audio.length > MAX_SECONDS * SAMPLE_RATE ? audio.subarray(audio.length - MAX_SECONDS * SAMPLE_RATE) : audio;
}

import { EchosimError } from '../../../core/errors.js';

/** Longest wake word or phrase accepted (characters and words). */
export const MAX_WORD_CHARS = 32;
export const MAX_WORD_WORDS = 4;

/**
 * The wake word as training uses it: lower case, single spaces. Letters a-z, apostrophes and
 * hyphens only (the TTS voices are English), 1-4 words, so it can be spoken and named in a file.
 */
export function normalizeWord(input: string): string {
  const word = input.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
  const words = word.split(' ');
  if (word.length === 0 || word.length > MAX_WORD_CHARS || words.length > MAX_WORD_WORDS || !/^[a-z][a-z'’-]*( [a-z][a-z'’-]*)*$/.test(word)) {
    throw new EchosimError('TRAIN_INPUT_INVALID', `"${input}" is not a word or short phrase to train`, {
      hint: `give 1-${MAX_WORD_WORDS} English words of letters a-z (at most ${MAX_WORD_CHARS} characters), e.g. --word computer or --word "hey echo"`,
    });
  }
  return word;
}

/** A file-name-safe form of the word: "hey echo" -> "hey_echo". */
export function wordSlug(word: string): string {
  return normalizeWord(word).replace(/['’]/g, '').replace(/[ -]+/g, '_');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matches the word (or phrase) as a whole word in any text, with its inflections (computers,
 * Alexa's, echoed, echoing), whatever the case and the punctuation between the words of a phrase.
 * Not a match: the word inside another word ("Alexander" for alexa, "gecko" for echo), which is
 * exactly what a near miss is.
 */
export function wordPattern(word: string): RegExp {
  const parts = normalizeWord(word).split(' ').map(escapeRegExp);
  return new RegExp(`(?<![\\p{L}\\p{N}])${parts.join("[\\s,.;:!?'\"-]+")}(?:s|es|'s|’s|ed|ing)?(?![\\p{L}\\p{N}])`, 'iu');
}

/** Whether a text says the word (see wordPattern): such a text can never be a negative. */
export function mentionsWord(text: string, word: string): boolean {
  return wordPattern(word).test(text.normalize('NFC'));
}

/**
 * Whether a recording's transcript may contain the word's sound: the word anywhere, also inside a
 * longer word (the Dutch "computervirussen" says "computer"). Stricter than mentionsWord, for real
 * recordings whose audio cannot be checked otherwise: when in doubt, a clip is not a negative.
 */
export function transcriptContains(transcript: string, word: string): boolean {
  const letters = (s: string): string => s.normalize('NFC').toLowerCase().replace(/[^\p{L}]+/gu, '');
  return letters(transcript).includes(letters(word));
}

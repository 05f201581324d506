import { isEchosimError } from '../../../core/errors.js';
import { mentionsWord, normalizeWord, transcriptContains, wordSlug } from '../../../tools/train/text/word-match.js';

describe('the wake word and the texts that say it', () => {
  test('a word or short phrase is normalised; anything else is refused with a hint', () => {
    expect(normalizeWord('  Computer ')).toBe('computer');
    expect(normalizeWord('Hey   Echo')).toBe('hey echo');
    expect(wordSlug("hey o'brien")).toBe('hey_obrien');
    for (const bad of ['', '   ', 'comp4ter', 'a b c d e', 'x'.repeat(33), 'héllo', '../etc']) {
      let err: unknown;
      try {
        normalizeWord(bad);
      } catch (e) {
        err = e;
      }
      expect(isEchosimError(err, 'TRAIN_INPUT_INVALID')).toBe(true);
    }
  });

  test('mentionsWord finds the word and its inflections as whole words, not inside other words', () => {
    const says: Array<[string, string]> = [
      ['Computer, what time is it?', 'computer'],
      ['two COMPUTERS', 'computer'],
      ["Alexa's timer", 'alexa'],
      ['it echoed', 'echo'],
      ['echoing halls', 'echo'],
      ['hey, echo!', 'hey echo'],
    ];
    for (const [text, word] of says) expect([text, mentionsWord(text, word)]).toEqual([text, true]);
    expect(mentionsWord('Alexander and Alexis', 'alexa')).toBe(false);
    expect(mentionsWord('a gecko and an echelon', 'echo')).toBe(false);
    expect(mentionsWord('the commuter computes', 'computer')).toBe(false);
    expect(mentionsWord('hey there, echo', 'hey echo')).toBe(false);
  });

  test('a transcript that may hold the sound of the word is caught even inside a compound', () => {
    expect(transcriptContains('Dat zijn vast computervirussen.', 'computer')).toBe(true);
    expect(transcriptContains('demo echotest', 'echo')).toBe(true);
    expect(transcriptContains('Hello there', 'echo')).toBe(false);
  });
});

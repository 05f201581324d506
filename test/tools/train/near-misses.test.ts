import { Rng } from '../../../tools/bench/fuzz-rng.js';
import { containsPhones, phoneDistance, PronouncingDictionary } from '../../../tools/train/text/cmudict.js';
import { generateNearMisses } from '../../../tools/train/text/near-misses.js';
import { commandsFor, KNOWN_NEAR_MISSES, negativeSentences, SEED_COMMANDS } from '../../../tools/train/text/sentences.js';
import { mentionsWord } from '../../../tools/train/text/word-match.js';

describe('near misses and negative texts', () => {
  let dict: PronouncingDictionary;
  beforeAll(() => {
    dict = PronouncingDictionary.load();
  });

  test.each(['computer', 'alexa', 'amazon', 'echo'])('near misses of %s never say it nor sound like it', (word) => {
    const misses = generateNearMisses(word, dict, 80);
    expect(misses.length).toBeGreaterThanOrEqual(40);
    const targets = dict.phrasePronunciations(word);
    for (const m of misses) {
      expect(mentionsWord(m.text, word)).toBe(false);
      for (const p of dict.phrasePronunciations(m.text)) for (const t of targets) expect(containsPhones(p, t)).toBe(false);
    }
    expect(new Set(misses.map((m) => m.kind)).size).toBeGreaterThanOrEqual(3);
  });

  test('the closest phonetic neighbours are found', () => {
    const computer = generateNearMisses('computer', dict, 120).map((m) => m.text);
    expect(computer).toEqual(expect.arrayContaining(['commuter', 'compute', 'computing']));
    expect(generateNearMisses('computer', dict, 120).map((m) => m.text)).toEqual(computer); // deterministic
    const echo = generateNearMisses('echo', dict, 120).map((m) => m.text);
    expect(echo).toContain('acco');
    expect(echo).not.toContain('eco'); // "eco(2)" is pronounced exactly as echo
    expect(phoneDistance(['K', 'AH', 'M', 'P', 'Y', 'UW', 'T', 'ER'], ['K', 'AH', 'M', 'Y', 'UW', 'T', 'ER'])).toBe(1);
  });

  test('negative sentences and the known near misses never say the word; commands that do are dropped', () => {
    for (const word of Object.keys(KNOWN_NEAR_MISSES)) {
      const sentences = negativeSentences(word, [...KNOWN_NEAR_MISSES[word]!, word], 300, new Rng(7));
      expect(sentences).toHaveLength(300);
      expect(sentences.filter((s) => mentionsWord(s, word))).toEqual([]);
      expect(KNOWN_NEAR_MISSES[word]!.filter((s) => mentionsWord(s, word))).toEqual([]);
    }
    expect(commandsFor('stop')).toHaveLength(SEED_COMMANDS.length - 1);
    expect(negativeSentences('computer', ['commuter'], 20, new Rng(3))).toEqual(negativeSentences('computer', ['commuter'], 20, new Rng(3)));
  });
});

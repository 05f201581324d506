import { nearMisses, parseDictionary } from '../../../../cloud-link/cloud/verification/near-misses.js';

const DICT = parseDictionary(
  [
    'alexa AH L EH K S AH',
    'alexa(2) AH L EH K S AA',
    "alexa's AH L EH K S AH Z",
    'alexis AH L EH K S IH S',
    'alexia AH L EH K S IY AH',
    'lexus L EH K S AH S',
    'alyssa AH L IH S AH',
    'computer K AH M P Y UW T ER',
    'a.b. EY B IY',
  ].join('\n'),
);

describe('near misses from a pronouncing dictionary', () => {
  test('alternative pronunciations are read as the word', () => {
    expect(DICT.filter((p) => p.word === 'alexa').map((p) => p.phones.join(' '))).toEqual(['AH L EH K S AH', 'AH L EH K S AA']);
  });

  test('the closest words by phones, closest first; never the word, its homophones or its possessive', () => {
    expect(nearMisses(DICT, 'alexa').map((p) => p.word)).toEqual(['alexia', 'alexis', 'alyssa', 'lexus']);
    expect(nearMisses(DICT, 'alexa', { max: 2 }).map((p) => p.word)).toEqual(['alexia', 'alexis']);
    expect(nearMisses(DICT, 'alexa', { maxDistance: 1 }).map((p) => p.word)).toEqual(['alexia']);
  });

  test('a word the dictionary lacks has none', () => {
    expect(nearMisses(DICT, 'echo')).toEqual([]);
  });
});

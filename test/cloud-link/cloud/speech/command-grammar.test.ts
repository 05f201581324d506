import { readFileSync } from 'node:fs';
import { commandGrammar } from '../../../../cloud-link/cloud/speech/command-grammar.js';
import { clockTime, durationSeconds, numberValue, slotValues } from '../../../../cloud-link/cloud/speech/slot-values.js';
import { INTENT_NAMES } from '../../../../cloud-link/protocol/intent.js';

const g = commandGrammar();
const sentences = readFileSync(new URL('../../../../tools/fixtures/command-sentences.tsv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t') as [string, string, string]);

test('every corpus sentence reads back as its intent and slots; out-of-grammar sentences match nothing', () => {
  for (const [intent, slots, text] of sentences) {
    const m = g.match(text);
    if (intent === 'NoMatch') {
      expect([text, m]).toEqual([text, undefined]);
      continue;
    }
    expect([text, m?.intent]).toEqual([text, intent]);
    expect([text, slotValues(m!.intent, m!.slotWords)]).toEqual([text, JSON.parse(slots)]);
  }
});

test('the grammar covers every intent of the protocol, and the wake word may lead', () => {
  for (const name of INTENT_NAMES) expect(g.jsgf).toContain(`<${name}> =`);
  expect(g.match('alexa set a timer for five minutes')?.intent).toBe('SetTimer');
  expect(g.match('set a timer for five minutes please')).toBeUndefined();
  expect(g.match('')).toBeUndefined();
});

test('number words, durations and clock times', () => {
  expect(numberValue('twenty five')).toBe(25);
  expect(numberValue('twenty')).toBe(20);
  expect(numberValue('five twenty')).toBeUndefined();
  expect(durationSeconds('half an hour')).toBe(1800);
  expect(durationSeconds('ninety nine hours')).toBe(99 * 3600);
  expect(slotValues('SetTimer', { duration: 'ninety nine hours' })).toBeUndefined(); // over 24 h: a no-match, not a clamp
  expect(clockTime('seven thirty a m')).toBe('07:30');
  expect(clockTime("six o'clock in the evening")).toBe('18:00');
  expect(clockTime('twelve p m')).toBe('12:00');
  expect(clockTime('twelve a m')).toBe('00:00');
  expect(clockTime('three')).toBe('15:00');
  expect(clockTime('seven oh five')).toBe('07:05');
  expect(clockTime('seven five')).toBeUndefined();
});

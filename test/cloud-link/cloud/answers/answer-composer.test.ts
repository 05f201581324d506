import { composeAnswer, NO_MATCH_TEXT, spokenDuration, spokenTimeOfDay } from '../../../../cloud-link/cloud/answers/answer-composer.js';
import type { DeviceContext } from '../../../../cloud-link/protocol/directives.js';
import { DirectivesSchema } from '../../../../cloud-link/protocol/directives.js';
import type { Intent } from '../../../../cloud-link/protocol/intent.js';

const intent = (name: Intent['name'], slots: Intent['slots'] = {}): Intent => ({ name, slots, confidence: 0.9, heard: '' });
const context: DeviceContext = { timeZone: 'Europe/Berlin', timers: [{ remainingMs: 125_400 }], shoppingList: ['milk', 'eggs', 'bread'], volume: 5, doNotDisturb: false };
const NOON_UTC = Date.UTC(2026, 5, 1, 12, 0, 0);

test('a no-match is spoken and does nothing', () => {
  expect(composeAnswer(intent('NoMatch'), context, NOON_UTC)).toEqual({ text: NO_MATCH_TEXT, directives: [] });
});

test('answers use the device context: time zone, timers, the shopping list', () => {
  expect(composeAnswer(intent('WhatTime'), context, NOON_UTC).text).toBe("It's 2:00 PM.");
  expect(composeAnswer(intent('TimeLeft'), context, NOON_UTC).text).toBe('2 minutes and 6 seconds left.');
  expect(composeAnswer(intent('TimeLeft'), { ...context, timers: [] }, NOON_UTC).text).toBe("There's no timer running.");
  expect(composeAnswer(intent('ReadList'), context, NOON_UTC).text).toBe('Your shopping list has milk, eggs and bread.');
  expect(composeAnswer(intent('CancelTimer'), { ...context, timers: [] }, NOON_UTC)).toEqual({ text: "There's no timer running.", directives: [] });
});

test('actions become valid directives; volume and stop say nothing', () => {
  const cases: Array<[Intent, unknown]> = [
    [intent('SetTimer', { durationSeconds: 300 }), [{ type: 'SetTimer', durationMs: 300_000 }]],
    [intent('SetAlarm', { time: '07:30' }), [{ type: 'SetAlarm', time: '07:30' }]],
    [intent('SetVolume', { level: 4 }), [{ type: 'SetVolume', level: 4 }]],
    [intent('VolumeDown'), [{ type: 'AdjustVolume', step: -1 }]],
    [intent('AddToList', { item: 'paper towels' }), [{ type: 'AddToList', list: 'shopping', item: 'paper towels' }]],
    [intent('DndOn'), [{ type: 'SetDoNotDisturb', enabled: true }]],
    [intent('Stop'), [{ type: 'Stop' }]],
  ];
  for (const [i, directives] of cases) {
    const a = composeAnswer(i, context, NOON_UTC);
    expect([i.name, a.directives]).toEqual([i.name, directives]);
    expect(DirectivesSchema.safeParse(a.directives).success).toBe(true);
  }
  expect(composeAnswer(intent('SetVolume', { level: 4 }), context, NOON_UTC).text).toBeUndefined();
  expect(composeAnswer(intent('DeleteLast'), context, NOON_UTC).action).toEqual({ kind: 'delete-recordings', which: 'last' });
});

test('durations and times of day are worded for speech', () => {
  expect(spokenDuration(3_661_000)).toBe('1 hour, 1 minute and 1 second');
  expect(spokenDuration(1_800_000)).toBe('30 minutes');
  expect(spokenTimeOfDay('07:30')).toBe('7:30 AM');
  expect(spokenTimeOfDay('18:00')).toBe('6 PM');
  expect(spokenTimeOfDay('00:05')).toBe('12:05 AM');
});

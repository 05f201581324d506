import { alt, opt, rule, seq, slot, words, type Expr } from './grammar-expr.js';

/**
 * The spoken commands the cloud understands, as grammar rules (grammar-expr.ts): number words, times,
 * durations, list items, and one rule per intent with the ways people say it. The recognizer's JSGF
 * grammar and the matcher that turns a hypothesis into an intent and its slots are both built from
 * these (command-grammar.ts), so what can be recognized is exactly what can be understood.
 */

export const UNITS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;
export const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'] as const;
export const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;

/** What can be added to the shopping list by voice (a grammar needs a closed set of items). */
export const LIST_ITEMS = [
  'milk', 'eggs', 'bread', 'butter', 'cheese', 'coffee', 'tea', 'sugar', 'apples', 'bananas', 'oranges', 'lemons',
  'potatoes', 'tomatoes', 'onions', 'carrots', 'rice', 'pasta', 'flour', 'chicken', 'fish', 'yogurt', 'juice', 'water',
  'cereal', 'soap', 'shampoo', 'toothpaste', 'batteries', 'paper towels', 'toilet paper', 'dish soap', 'olive oil', 'orange juice',
] as const;

/** The helper rules, by name (JSGF `<name>`). */
export const HELPER_RULES: ReadonlyMap<string, Expr> = new Map<string, Expr>([
  ['units', alt(...UNITS)],
  ['teens', alt(...TEENS)],
  ['tens', alt(...TENS)],
  ['number', alt(rule('units'), rule('teens'), seq(rule('tens'), opt(rule('units'))))],
  ['timeunit', alt('second', 'seconds', 'minute', 'minutes', 'hour', 'hours')],
  ['duration', alt(seq(rule('number'), rule('timeunit')), 'a minute', 'an hour', 'half an hour')],
  ['hour', alt(...UNITS, 'ten', 'eleven', 'twelve')],
  ['minute', alt(seq('oh', rule('units')), rule('teens'), seq(rule('tens'), opt(rule('units'))))],
  ['meridiem', alt('a m', 'p m', 'in the morning', 'in the afternoon', 'in the evening', 'at night')],
  ['clock', alt(seq(rule('hour'), opt(alt("o'clock", rule('minute'))), opt(rule('meridiem'))), 'noon', 'midnight')],
  ['level', alt('zero', ...UNITS, 'ten')],
  ['item', alt(...LIST_ITEMS)],
  ['mylist', seq(alt('my', 'the'), 'shopping list')],
  ['room', alt('this room', 'the room')],
  ['meeting', alt('the meeting', 'my meeting', 'this meeting')],
  ['dnd', words('do not disturb')],
]);

/** One intent and the sentences that express it (without the wake word). */
export interface IntentRule {
  readonly name: string;
  readonly body: Expr;
}

export const INTENT_RULES: readonly IntentRule[] = [
  { name: 'WhatTime', body: alt('what time is it', "what's the time", 'what is the time', 'tell me the time') },
  {
    name: 'SetTimer',
    body: alt(
      seq(alt('set a timer for', 'set the timer for', 'start a timer for', 'timer for'), slot('duration', rule('duration'))),
      seq(alt('set a', 'start a'), slot('duration', seq(rule('number'), alt('second', 'minute', 'hour'))), 'timer'),
    ),
  },
  { name: 'CancelTimer', body: alt('cancel the timer', 'cancel my timer', 'stop the timer', 'delete the timer') },
  { name: 'TimeLeft', body: alt('how much time is left', 'how much time is left on my timer', 'how much time is left on the timer', 'how long is left on my timer') },
  { name: 'SetAlarm', body: seq(alt('set an alarm for', 'set an alarm at', 'wake me up at', 'set the alarm for'), slot('time', rule('clock'))) },
  { name: 'CancelAlarm', body: alt('cancel the alarm', 'cancel my alarm', 'turn off the alarm', 'delete the alarm') },
  { name: 'Stop', body: alt('stop', 'be quiet') },
  { name: 'VolumeUp', body: alt('volume up', 'turn it up', 'turn up the volume', 'turn the volume up', 'louder') },
  { name: 'VolumeDown', body: alt('volume down', 'turn it down', 'turn down the volume', 'turn the volume down', 'quieter') },
  { name: 'SetVolume', body: seq(alt('set the volume to', 'set volume to', 'volume', 'change the volume to'), slot('level', rule('level'))) },
  { name: 'AddToList', body: seq(alt('add', 'put'), slot('item', rule('item')), alt('to', 'on'), rule('mylist')) },
  { name: 'ReadList', body: alt(seq(alt("what's on", 'what is on', 'read'), rule('mylist'))) },
  { name: 'DndOn', body: alt(seq('turn on', rule('dnd')), seq(rule('dnd'), 'on'), seq('enable', rule('dnd'))) },
  { name: 'DndOff', body: alt(seq('turn off', rule('dnd')), seq(rule('dnd'), 'off'), seq('disable', rule('dnd'))) },
  { name: 'DeleteLast', body: alt('delete what i just said', 'delete what i said') },
  { name: 'DeleteToday', body: alt('delete everything i said today', 'delete all i said today') },
  { name: 'RoomFree', body: seq('is', rule('room'), alt('free', 'available', 'booked')) },
  {
    name: 'BookRoom',
    body: seq(
      alt('book', 'reserve'),
      rule('room'),
      'for',
      slot('length', alt(seq(rule('number'), 'minutes'), 'half an hour', 'an hour', 'one hour', 'thirty minutes')),
    ),
  },
  { name: 'WhoBooked', body: seq('who booked', rule('room')) },
  { name: 'CheckIn', body: alt('check in', 'check me in', 'check in to this room') },
  { name: 'EndMeeting', body: seq(alt('end', 'stop'), rule('meeting')) },
  { name: 'JoinMeeting', body: seq(alt('join', 'start'), rule('meeting')) },
];

/** Every intent the grammar can give, and the answer for everything else. */
export const INTENT_NAMES = INTENT_RULES.map((r) => r.name);

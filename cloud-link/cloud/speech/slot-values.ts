import { MAX_BOOKING_MINUTES, MAX_TIMER_SECONDS, type IntentName, type IntentSlots } from '../../protocol/intent.js';
import { TEENS, TENS, UNITS } from './command-rules.js';

/**
 * Slot words (as the grammar produced them) to values: number words, durations, clock times, volume
 * levels, list items and booking lengths. Returns undefined when a value is out of its bounds (e.g. a
 * timer of ninety hours), which the caller treats as a no-match rather than a wrong action.
 */
export function slotValues(intent: IntentName, words: Readonly<Record<string, string>>): IntentSlots | undefined {
  switch (intent) {
    case 'SetTimer': {
      const s = words.duration === undefined ? undefined : durationSeconds(words.duration);
      return s === undefined || s < 1 || s > MAX_TIMER_SECONDS ? undefined : { durationSeconds: s };
    }
    case 'SetAlarm': {
      const time = words.time === undefined ? undefined : clockTime(words.time);
      return time === undefined ? undefined : { time };
    }
    case 'SetVolume': {
      const level = words.level === 'zero' ? 0 : words.level === undefined ? undefined : numberValue(words.level);
      return level === undefined || level > 10 ? undefined : { level };
    }
    case 'AddToList':
      return words.item ? { item: words.item } : undefined;
    case 'BookRoom': {
      const m = words.length === undefined ? undefined : durationSeconds(words.length);
      return m === undefined || m < 60 || m / 60 > MAX_BOOKING_MINUTES ? undefined : { minutes: Math.round(m / 60) };
    }
    default:
      return {};
  }
}

/** "twenty five" -> 25; undefined for anything that is not one number of 1-99. */
export function numberValue(text: string): number | undefined {
  const w = text.trim().split(' ');
  const unit = (x: string | undefined): number => (x === undefined ? -1 : (UNITS as readonly string[]).indexOf(x) + 1);
  if (w.length === 1) {
    const u = unit(w[0]);
    if (u > 0) return u;
    const t = (TEENS as readonly string[]).indexOf(w[0]!);
    if (t >= 0) return 10 + t;
    const tens = (TENS as readonly string[]).indexOf(w[0]!);
    return tens >= 0 ? 20 + 10 * tens : undefined;
  }
  if (w.length === 2) {
    const tens = (TENS as readonly string[]).indexOf(w[0]!);
    const u = unit(w[1]);
    return tens >= 0 && u > 0 ? 20 + 10 * tens + u : undefined;
  }
  return undefined;
}

const UNIT_SECONDS: Record<string, number> = { second: 1, seconds: 1, minute: 60, minutes: 60, hour: 3600, hours: 3600 };

/** "five minutes" -> 300, "half an hour" -> 1800, "an hour" -> 3600. */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (t === 'half an hour') return 1800;
  if (t === 'an hour' || t === 'one hour') return 3600;
  if (t === 'a minute') return 60;
  const w = t.split(' ');
  const per = UNIT_SECONDS[w[w.length - 1] ?? ''];
  const n = numberValue(w.slice(0, -1).join(' '));
  return per === undefined || n === undefined ? undefined : n * per;
}

const MERIDIEM_PM = new Set(['p m', 'in the afternoon', 'in the evening', 'at night']);
const MERIDIEM_AM = new Set(['a m', 'in the morning']);

/**
 * "seven thirty a m" -> "07:30", "six o'clock in the evening" -> "18:00", "noon" -> "12:00". Without a
 * morning/evening word, 7-11 is the morning and 12-6 the afternoon (an alarm at "three" is at 15:00).
 */
export function clockTime(text: string): string | undefined {
  const t = text.trim();
  if (t === 'noon') return '12:00';
  if (t === 'midnight') return '00:00';
  let rest = t;
  let meridiem: 'am' | 'pm' | undefined;
  for (const [set, m] of [[MERIDIEM_AM, 'am'], [MERIDIEM_PM, 'pm']] as const) {
    for (const phrase of set) {
      if (rest.endsWith(` ${phrase}`)) {
        rest = rest.slice(0, -phrase.length - 1);
        meridiem = m;
      }
    }
  }
  const [hourWord, ...minuteWords] = rest.replace(" o'clock", '').split(' ');
  const hour = hourWord === undefined ? undefined : numberValue(hourWord);
  if (hour === undefined || hour < 1 || hour > 12) return undefined;
  let minute = 0;
  if (minuteWords.length > 0) {
    const oh = minuteWords[0] === 'oh';
    const m = numberValue((oh ? minuteWords.slice(1) : minuteWords).join(' '));
    if (m === undefined || m > 59 || (oh && m > 9) || (!oh && m < 10)) return undefined;
    minute = m;
  }
  const pm = meridiem === 'pm' || (meridiem === undefined && (hour === 12 || hour <= 6));
  const h24 = (hour % 12) + (pm ? 12 : 0);
  return `${String(h24).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

import { ALARM_TIME_PATTERN, type AlarmRepeat } from '../../cloud-link/protocol/local-feature-limits.js';
import { addDays, localDateTime, weekday, zonedToEpoch } from './zoned-time.js';

// How an alarm repeats and its time's pattern are the contract's (local commands set alarms too).
export { ALARM_REPEATS, ALARM_TIME_PATTERN, type AlarmRepeat } from '../../cloud-link/protocol/local-feature-limits.js';

function ringsOn(repeat: AlarmRepeat, day: number): boolean {
  switch (repeat) {
    case 'once':
    case 'daily':
      return true;
    case 'weekdays':
      return day >= 1 && day <= 5;
    case 'weekends':
      return day === 0 || day === 6;
  }
}

/**
 * The first instant strictly after `afterMs` at which an alarm set for local `time` with `repeat`
 * rings in `timeZone`. A one-shot alarm rings at the next such wall time (today if still ahead,
 * otherwise tomorrow), like saying "set an alarm for 7 AM".
 *
 * The search walks local calendar days rather than adding 24 h, so the local time stays put across
 * DST changes (a 23 or 25 hour day). It starts a day early because a wall time that falls in a DST gap
 * is pushed forward and can land after midnight of the next day in zones that switch at midnight.
 */
export function nextOccurrence(time: string, repeat: AlarmRepeat, timeZone: string, afterMs: number): number {
  const match = ALARM_TIME_PATTERN.exec(time);
  if (!match) throw new RangeError(`alarm time must be HH:MM, got ${JSON.stringify(time)}`);
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const today = localDateTime(timeZone, afterMs);
  // 9 days always contains the next weekday and the next weekend day.
  for (let offset = -1; offset <= 8; offset++) {
    const date = addDays(today, offset);
    if (!ringsOn(repeat, weekday(date))) continue;
    const at = zonedToEpoch(timeZone, date, hour, minute);
    if (at > afterMs) return at;
  }
  throw new Error(`no occurrence of ${time} ${repeat} in ${timeZone} within 9 days`);
}

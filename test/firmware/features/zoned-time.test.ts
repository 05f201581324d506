import { nextOccurrence } from '../../../firmware/features/alarm-recurrence.js';
import { addDays, canonicalTimeZone, localDateTime, offsetMs, weekday, zonedToEpoch } from '../../../firmware/features/zoned-time.js';

const H = 3_600_000;

describe('zoned time (Intl only)', () => {
  test('time zones are validated and canonicalised', () => {
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });

  test('offsets follow DST: Berlin +1 h in winter, +2 h in summer; New York -5 h / -4 h', () => {
    expect(offsetMs('Europe/Berlin', Date.UTC(2026, 0, 15, 12))).toBe(1 * H);
    expect(offsetMs('Europe/Berlin', Date.UTC(2026, 6, 15, 12))).toBe(2 * H);
    expect(offsetMs('America/New_York', Date.UTC(2026, 0, 15, 12))).toBe(-5 * H);
    expect(offsetMs('America/New_York', Date.UTC(2026, 6, 15, 12))).toBe(-4 * H);
    expect(localDateTime('Europe/Berlin', Date.UTC(2026, 2, 29, 1, 0))).toEqual({ year: 2026, month: 3, day: 29, hour: 3, minute: 0, second: 0 });
  });

  test('ordinary local times convert both ways', () => {
    const at = zonedToEpoch('Europe/Berlin', { year: 2026, month: 3, day: 30 }, 7, 0);
    expect(at).toBe(Date.UTC(2026, 2, 30, 5, 0));
    expect(zonedToEpoch('America/New_York', { year: 2026, month: 11, day: 2 }, 7, 0)).toBe(Date.UTC(2026, 10, 2, 12, 0));
    expect(zonedToEpoch('UTC', { year: 2026, month: 1, day: 1 }, 0, 0)).toBe(Date.UTC(2026, 0, 1));
  });

  test('a wall time in the spring-forward gap moves forward by the gap (02:30 -> 03:30)', () => {
    // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    expect(zonedToEpoch('Europe/Berlin', { year: 2026, month: 3, day: 29 }, 2, 30)).toBe(Date.UTC(2026, 2, 29, 1, 30));
    // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    expect(zonedToEpoch('America/New_York', { year: 2026, month: 3, day: 8 }, 2, 30)).toBe(Date.UTC(2026, 2, 8, 7, 30));
  });

  test('a wall time that happens twice in the fall-back overlap resolves to the earlier instant', () => {
    // Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00 UTC); 02:30 happens at 00:30Z and 01:30Z.
    expect(zonedToEpoch('Europe/Berlin', { year: 2026, month: 10, day: 25 }, 2, 30)).toBe(Date.UTC(2026, 9, 25, 0, 30));
    // New York 2026-11-01: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(zonedToEpoch('America/New_York', { year: 2026, month: 11, day: 1 }, 1, 30)).toBe(Date.UTC(2026, 10, 1, 5, 30));
  });

  test('calendar helpers cross month and year ends', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 3, day: 1 }, -1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(weekday({ year: 2026, month: 1, day: 5 })).toBe(1); // a Monday
  });
});

describe('alarm recurrence', () => {
  const friday9utc = Date.UTC(2026, 0, 9, 9, 0); // Friday 2026-01-09 09:00Z

  test('once/daily: later today if still ahead, else tomorrow; strictly after the reference', () => {
    expect(nextOccurrence('10:15', 'once', 'UTC', friday9utc)).toBe(Date.UTC(2026, 0, 9, 10, 15));
    expect(nextOccurrence('08:00', 'daily', 'UTC', friday9utc)).toBe(Date.UTC(2026, 0, 10, 8, 0));
    expect(nextOccurrence('09:00', 'daily', 'UTC', friday9utc)).toBe(Date.UTC(2026, 0, 10, 9, 0));
  });

  test('weekdays skip the weekend and weekends skip the week, in the local calendar', () => {
    expect(nextOccurrence('07:00', 'weekdays', 'UTC', friday9utc)).toBe(Date.UTC(2026, 0, 12, 7, 0)); // Monday
    expect(nextOccurrence('07:00', 'weekends', 'UTC', friday9utc)).toBe(Date.UTC(2026, 0, 10, 7, 0)); // Saturday
    // 23:30 Friday in New York is Saturday 04:30Z: the local day (Friday) decides, so a weekday alarm at
    // 23:45 still rings that Friday night.
    const fri2330ny = Date.UTC(2026, 0, 10, 4, 30);
    expect(nextOccurrence('23:45', 'weekdays', 'America/New_York', fri2330ny)).toBe(Date.UTC(2026, 0, 10, 4, 45));
    expect(nextOccurrence('07:00', 'weekdays', 'America/New_York', fri2330ny)).toBe(Date.UTC(2026, 0, 12, 12, 0));
  });

  test('a daily alarm keeps its local time across both DST changes', () => {
    const berlin = (after: number) => nextOccurrence('07:00', 'daily', 'Europe/Berlin', after);
    expect(berlin(Date.UTC(2026, 2, 28, 6, 0))).toBe(Date.UTC(2026, 2, 29, 5, 0)); // 23-hour day
    expect(berlin(Date.UTC(2026, 9, 24, 5, 0))).toBe(Date.UTC(2026, 9, 25, 6, 0)); // 25-hour day
    const ny = (after: number) => nextOccurrence('07:00', 'daily', 'America/New_York', after);
    expect(ny(Date.UTC(2026, 2, 7, 12, 0))).toBe(Date.UTC(2026, 2, 8, 11, 0));
    expect(ny(Date.UTC(2026, 9, 31, 11, 0))).toBe(Date.UTC(2026, 10, 1, 12, 0));
  });

  test('an alarm inside the gap rings once that morning, shifted forward', () => {
    expect(nextOccurrence('02:30', 'daily', 'Europe/Berlin', Date.UTC(2026, 2, 28, 12))).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(nextOccurrence('02:30', 'daily', 'Europe/Berlin', Date.UTC(2026, 2, 29, 1, 30))).toBe(Date.UTC(2026, 2, 30, 0, 30));
  });

  test('malformed times are refused', () => {
    expect(() => nextOccurrence('7:00', 'daily', 'UTC', 0)).toThrow(RangeError);
    expect(() => nextOccurrence('24:00', 'daily', 'UTC', 0)).toThrow(RangeError);
  });
});

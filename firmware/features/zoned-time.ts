/**
 * Wall-clock arithmetic in IANA time zones with nothing but `Intl` (no date library on the device).
 *
 * Alarms are defined in local wall time ("07:00 on weekdays") but scheduled and persisted as absolute
 * epoch milliseconds, so the device needs two conversions: epoch -> local date/time in a zone, and
 * local date/time in a zone -> epoch. The second one is ambiguous twice a year in zones with daylight
 * saving time, and is resolved like Temporal's `disambiguation: 'compatible'` (and like phones do):
 * - a time that does not exist (spring forward, e.g. 02:30 in Berlin on the last Sunday of March) is
 *   moved forward by the length of the gap (03:30), so the alarm still rings that morning;
 * - a time that happens twice (fall back) resolves to the earlier instant, so it rings once, on time.
 */

/** A calendar date (month 1..12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;

/** One formatter per zone: constructing Intl.DateTimeFormat is far more expensive than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The canonical name of an IANA time zone (e.g. 'utc' -> 'UTC'), or undefined when this runtime's
 * ICU does not know it. The canonical name is what gets persisted, so a later comparison is exact.
 */
export function canonicalTimeZone(timeZone: string): string | undefined {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return undefined;
  const known = canonicalNames.get(timeZone);
  if (known !== undefined) return known;
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: timeZone.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (canonicalNames.size < CANONICAL_NAMES_MAX) canonicalNames.set(timeZone, canonical);
  return canonical;
}

/** Spellings ICU accepted, with their canonical names (asking ICU builds an Intl.DateTimeFormat); bounded. */
const canonicalNames = new Map<string, string>();
const CANONICAL_NAMES_MAX = 1024;

/** The local date and time in `timeZone` at the instant `epochMs` (seconds resolution). */
export function localDateTime(timeZone: string, epochMs: number): LocalDateTime {
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type in out) out[part.type as keyof LocalDateTime] = Number(part.value);
  }
  return out;
}

/** The zone's offset from UTC at `epochMs`, in ms (positive east of Greenwich: Berlin in summer is +7_200_000). */
export function offsetMs(timeZone: string, epochMs: number): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const p = localDateTime(timeZone, whole);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local date and time
 * (DST gaps and overlaps resolved as described at the top of this file).
 */
export function zonedToEpoch(timeZone: string, date: LocalDate, hour: number, minute: number): number {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // Every real zone changes its offset at most once within a day either side, so the offsets a day
  // before and a day after are the only candidates.
  const before = offsetMs(timeZone, asUtc - DAY_MS);
  const after = offsetMs(timeZone, asUtc + DAY_MS);
  const matches = [...new Set([before, after])]
    .map((offset) => asUtc - offset)
    .filter((epoch) => offsetMs(timeZone, epoch) === asUtc - epoch);
  if (matches.length > 0) return Math.min(...matches);
  // In a gap: read the wall time with the offset in force before the transition, which lands the same
  // distance past the gap's end as the requested time was past its start.
  return asUtc - before;
}

/** `date` moved by `days` calendar days (proleptic Gregorian, no time zone involved). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of the week of a calendar date: 0 = Sunday ... 6 = Saturday. */
export function weekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

import { DATA_RETENTION, type DataRetention } from '../../protocol/room-profile.js';

/**
 * What happens to a room's kept utterances (the room profile's `DataRetention`, docs/privacy.md#retention):
 * kept until deleted, deleted 3 or 18 months after they were made, or never saved at all.
 */
export type RetentionPolicy = DataRetention;
export const RETENTION_POLICIES: readonly RetentionPolicy[] = DATA_RETENTION;

const MONTHS: Readonly<Record<RetentionPolicy, number | undefined>> = {
  KEEP: undefined,
  DELETE_AFTER_3_MONTHS: 3,
  DELETE_AFTER_18_MONTHS: 18,
  DO_NOT_SAVE: 0,
};

export function isRetentionPolicy(value: unknown): value is RetentionPolicy {
  return typeof value === 'string' && (RETENTION_POLICIES as readonly string[]).includes(value);
}

/**
 * Whether an utterance may be written at all. A room that has not opted in to data retention
 * (`DataRetentionOptIn: false`) saves nothing whatever its policy says; `undefined` means the room
 * profile does not say, and the policy alone decides.
 */
export function savesRecordings(policy: RetentionPolicy, dataRetentionOptIn?: boolean): boolean {
  return policy !== 'DO_NOT_SAVE' && dataRetentionOptIn !== false;
}

/**
 * When a recording made at `createdAt` (wall-clock ms) expires under `policy`; undefined = never.
 * Months are calendar months in UTC, so "3 months" after 30 November is 28 (or 29) February, the
 * way people read a retention promise, not a fixed 90 days.
 */
export function expiresAt(createdAt: number, policy: RetentionPolicy): number | undefined {
  const months = MONTHS[policy];
  return months === undefined ? undefined : addMonthsUtc(createdAt, months);
}

export function isExpired(createdAt: number, policy: RetentionPolicy, now: number): boolean {
  const at = expiresAt(createdAt, policy);
  return at !== undefined && at <= now;
}

/** `ms` plus whole calendar months (UTC), the day clamped to the target month's length. */
export function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

import { z } from 'zod';
import { ALARM_REPEATS, ALARM_TIME_PATTERN } from './alarm-recurrence.js';

/**
 * What the notifications group (timers and alarms) keeps on flash. Due times are absolute epoch ms so
 * that a restart keeps them: a 10 minute timer set 2 minutes before a power cut still rings 8 minutes
 * after the device is back, not 10.
 */
const EpochMs = z.number().finite();

export const TimerSchema = z.object({
  id: z.string(),
  label: z.string().optional(),
  durationMs: z.number().int().positive(),
  /** When it rings (epoch ms). */
  dueAt: EpochMs,
  createdAt: EpochMs,
});
export type Timer = z.infer<typeof TimerSchema>;

export const AlarmSchema = z.object({
  id: z.string(),
  /** Local wall time, 'HH:MM', in the device's time zone. */
  time: z.string().regex(ALARM_TIME_PATTERN),
  repeat: z.enum(ALARM_REPEATS),
  label: z.string().optional(),
  createdAt: EpochMs,
  /** The next time it rings (epoch ms): its next occurrence, or the end of a snooze. */
  dueAt: EpochMs,
  /** True while `dueAt` is the end of a snooze rather than a scheduled occurrence. */
  snoozed: z.boolean(),
});
export type Alarm = z.infer<typeof AlarmSchema>;

export const NotificationsStateSchema = z.object({
  /** Ids are never reused, not even after a reset, so the cloud cannot confuse an old item with a new one. */
  nextId: z.number().int().positive(),
  /**
   * The zone the alarms' due times were computed in. It follows the device setting; keeping a copy
   * here lets a restart notice a zone change that was saved to settings just before a power cut and
   * recompute the alarms then.
   */
  timeZone: z.string(),
  timers: z.array(TimerSchema),
  alarms: z.array(AlarmSchema),
});
export type NotificationsState = z.infer<typeof NotificationsStateSchema>;

export function defaultNotificationsState(): NotificationsState {
  return { nextId: 1, timeZone: 'UTC', timers: [], alarms: [] };
}

/** Most timers and alarms kept at once; a 101st is refused with FEATURE_LIMIT_EXCEEDED. */
export const MAX_TIMERS = 100;
export const MAX_ALARMS = 100;
// Alexa timers run for at most 24 hours: the contract's limits (local commands start timers too).
export { MAX_TIMER_MS, MIN_TIMER_MS } from '../../cloud-link/protocol/local-feature-limits.js';
export const DEFAULT_SNOOZE_MINUTES = 9;
export const MAX_SNOOZE_MINUTES = 60;

export interface TimerFired {
  timer: Timer;
  /** Wall-clock time it fired (epoch ms). */
  at: number;
}

export interface AlarmFired {
  alarm: Alarm;
  at: number;
}

/** An item that came due while the device was off; reported once, at the next start. */
export type MissedItem = { kind: 'timer'; item: Timer } | { kind: 'alarm'; item: Alarm };

/**
 * The limits of the device's local features that a local command (local-command.ts) is checked
 * against: the contract owns them, so the cloud and Home Assistant refuse what the device would, and
 * the firmware's features (firmware/features/) apply the same values.
 */

/** The speaker volume, whole levels. */
export const MIN_VOLUME = 0;
export const MAX_VOLUME = 10;

/** Alexa timers run for at least a second and at most 24 hours. */
export const MAX_TIMER_MS = 24 * 3_600_000;
export const MIN_TIMER_MS = 1_000;

/** How an alarm repeats, in the local calendar of the device's time zone. */
export const ALARM_REPEATS = ['once', 'daily', 'weekdays', 'weekends'] as const;
export type AlarmRepeat = (typeof ALARM_REPEATS)[number];

/** 'HH:MM', 24-hour clock. */
export const ALARM_TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The two lists a shared device keeps (Alexa for Business: shopping and to-do). */
export const LIST_NAMES = ['shopping', 'todo'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** Longest list item text, in characters. */
export const MAX_ITEM_TEXT = 256;

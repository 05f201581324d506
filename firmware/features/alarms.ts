import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';
import { ALARM_REPEATS, ALARM_TIME_PATTERN, nextOccurrence, type AlarmRepeat } from './alarm-recurrence.js';
import { IdSchema, LabelSchema, labelled, limitExceeded, notFound, parseInput } from './input.js';
import { DEFAULT_SNOOZE_MINUTES, MAX_ALARMS, MAX_SNOOZE_MINUTES, type Alarm } from './notifications-schema.js';
import type { Notifications } from './notifications.js';

const AddAlarmSchema = z.strictObject({
  time: z.string().regex(ALARM_TIME_PATTERN, 'time must be HH:MM on the 24-hour clock'),
  repeat: z.enum(ALARM_REPEATS),
  label: LabelSchema,
});

const SnoozeSchema = z.object({ id: IdSchema, minutes: z.number().int().min(1).max(MAX_SNOOZE_MINUTES) });

export interface AddAlarmInput {
  /** Local wall time in the device's time zone, 'HH:MM'. */
  time: string;
  repeat: AlarmRepeat;
  label?: string;
}

const ID_HINT = 'Pass an id from alarms.list() or alarms.ringing().';

/**
 * Alarms at a local wall time in the device's time zone ("wake me up at 7 on weekdays"). When one
 * rings it fires `alarm-fired` and is "ringing" until snoozed or dismissed; a one-shot alarm is removed
 * from the schedule as it rings and a repeating one moves to its next occurrence.
 */
export class Alarms {
  constructor(private readonly core: Notifications) {}

  /** Sets an alarm for the next time the wall clock shows `time` (and repeats as asked). */
  async add(input: AddAlarmInput): Promise<Alarm> {
    const { time, repeat, label } = parseInput(
      AddAlarmSchema,
      input,
      'alarm',
      `Give time as HH:MM and repeat as one of ${ALARM_REPEATS.join(', ')}.`,
    );
    const now = this.core.now();
    return this.core.mutate((draft) => {
      if (draft.alarms.length >= MAX_ALARMS) throw limitExceeded('the alarm list', MAX_ALARMS, 'Cancel an alarm first.');
      const alarm: Alarm = {
        id: `alarm-${draft.nextId++}`,
        time,
        repeat,
        ...labelled(label),
        createdAt: now,
        dueAt: nextOccurrence(time, repeat, draft.timeZone, now),
        snoozed: false,
      };
      draft.alarms.push(alarm);
      return structuredClone(alarm);
    });
  }

  /**
   * Silences a ringing alarm and rings it again `minutes` from now (9 by default, like Echo). A snoozed
   * one-shot alarm is back on the schedule until the snooze ends; a repeating one keeps its schedule
   * after the snooze rings.
   */
  async snooze(id: string, minutes: number = DEFAULT_SNOOZE_MINUTES): Promise<Alarm> {
    const input = parseInput(SnoozeSchema, { id, minutes }, 'snooze', `Snooze for 1 to ${MAX_SNOOZE_MINUTES} whole minutes.`);
    const rang = this.core.ringingAlarm(input.id);
    if (!rang) {
      if (this.core.state.value.alarms.some((a) => a.id === input.id)) {
        throw new EchosimError('FEATURE_INPUT_INVALID', `alarm ${JSON.stringify(input.id)} is not ringing`, {
          hint: 'Only a ringing alarm can be snoozed; use dismiss() to skip an upcoming one. Nothing was changed.',
          details: { id: input.id },
        });
      }
      throw notFound('alarm', input.id, ID_HINT);
    }
    const until = this.core.now() + input.minutes * 60_000;
    const snoozed = await this.core.mutate((draft) => {
      const existing = draft.alarms.find((a) => a.id === input.id);
      if (existing) {
        existing.dueAt = until;
        existing.snoozed = true;
        return structuredClone(existing);
      }
      if (draft.alarms.length >= MAX_ALARMS) throw limitExceeded('the alarm list', MAX_ALARMS, 'Cancel an alarm first.');
      const revived: Alarm = { ...rang, dueAt: until, snoozed: true };
      draft.alarms.push(revived);
      return structuredClone(revived);
    });
    this.core.stopRinging(input.id);
    return snoozed;
  }

  /**
   * Dismisses an alarm. A ringing alarm just stops ringing (its schedule already moved on when it rang).
   * An upcoming one skips its next ring: a one-shot alarm is removed, a snooze is cancelled, a repeating
   * alarm moves to the occurrence after next. Resolves with the alarm as now scheduled, or null when
   * it is no longer on the schedule.
   */
  async dismiss(id: string): Promise<Alarm | null> {
    const alarmId = parseInput(IdSchema, id, 'alarm id', ID_HINT);
    if (this.core.stopRinging(alarmId)) {
      // The move to its next occurrence (or removal) was queued when it rang; report the result.
      await this.core.state.idle();
      const scheduled = this.core.state.value.alarms.find((a) => a.id === alarmId);
      return scheduled ? structuredClone(scheduled) : null;
    }
    const now = this.core.now();
    return this.core.mutate((draft) => {
      const i = draft.alarms.findIndex((a) => a.id === alarmId);
      const alarm = draft.alarms[i];
      if (!alarm) throw notFound('alarm', alarmId, ID_HINT);
      if (alarm.repeat === 'once') {
        draft.alarms.splice(i, 1);
        return null;
      }
      alarm.dueAt = nextOccurrence(alarm.time, alarm.repeat, draft.timeZone, alarm.snoozed ? now : alarm.dueAt);
      alarm.snoozed = false;
      return structuredClone(alarm);
    });
  }

  /** Deletes an alarm altogether (and silences it if it is ringing); resolves with it as it was. */
  async cancel(id: string): Promise<Alarm> {
    const alarmId = parseInput(IdSchema, id, 'alarm id', ID_HINT);
    const rang = this.core.ringingAlarm(alarmId);
    const removed = await this.core.mutate((draft) => {
      const i = draft.alarms.findIndex((a) => a.id === alarmId);
      const alarm = draft.alarms[i];
      if (alarm) draft.alarms.splice(i, 1);
      else if (!rang) throw notFound('alarm', alarmId, ID_HINT);
      return structuredClone(alarm ?? rang) as Alarm;
    });
    this.core.stopRinging(alarmId);
    return removed;
  }

  /** Alarms on the schedule, the one that rings first first. */
  list(): Alarm[] {
    return structuredClone(this.core.state.value.alarms).sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Alarms ringing now (rung, neither snoozed nor dismissed yet). */
  ringing(): Alarm[] {
    return this.core.ringing();
  }
}

import { z } from 'zod';
import { IdSchema, LabelSchema, labelled, limitExceeded, notFound, parseInput } from './input.js';
import { MAX_TIMERS, MAX_TIMER_MS, MIN_TIMER_MS, type Timer } from './notifications-schema.js';
import type { Notifications } from './notifications.js';

const AddTimerSchema = z.strictObject({
  durationMs: z.number().int().min(MIN_TIMER_MS).max(MAX_TIMER_MS),
  label: LabelSchema,
});

export interface AddTimerInput {
  /** How long until it rings, 1 s to 24 h. */
  durationMs: number;
  label?: string;
}

/**
 * Countdown timers ("Alexa, set a pasta timer for 10 minutes"). A timer rings once at an absolute
 * wall-clock instant, fires `timer-fired` and is removed; see Notifications for the mechanics.
 */
export class Timers {
  constructor(private readonly core: Notifications) {}

  /** Starts a timer now; resolves with it once it is on flash. */
  async add(input: AddTimerInput): Promise<Timer> {
    const { durationMs, label } = parseInput(AddTimerSchema, input, 'timer', 'Give durationMs as whole ms between 1 s and 24 h.');
    const now = this.core.now();
    return this.core.mutate((draft) => {
      if (draft.timers.length >= MAX_TIMERS) throw limitExceeded('the timer list', MAX_TIMERS, 'Cancel a timer first.');
      const timer: Timer = { id: `timer-${draft.nextId++}`, ...labelled(label), durationMs, dueAt: now + durationMs, createdAt: now };
      draft.timers.push(timer);
      return structuredClone(timer);
    });
  }

  /** Cancels a running timer; resolves with the timer as it was. */
  async cancel(id: string): Promise<Timer> {
    const timerId = parseInput(IdSchema, id, 'timer id', 'Pass an id from timers.list().');
    return this.core.mutate((draft) => {
      const i = draft.timers.findIndex((t) => t.id === timerId);
      const timer = draft.timers[i];
      if (!timer) throw notFound('timer', timerId, 'It may have rung already; see timers.list().');
      draft.timers.splice(i, 1);
      return structuredClone(timer);
    });
  }

  /** Running timers, the one that rings first first. */
  list(): Timer[] {
    return structuredClone(this.core.state.value.timers).sort((a, b) => a.dueAt - b.dueAt);
  }
}

import { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { nextOccurrence } from './alarm-recurrence.js';
import { DueScheduler } from './due-scheduler.js';
import type { Alarm, AlarmFired, MissedItem, NotificationsState, Timer, TimerFired } from './notifications-schema.js';
import type { PersistentState } from '../../core/persistent-state.js';

export interface NotificationsEvents {
  'timer-fired': [TimerFired];
  'alarm-fired': [AlarmFired];
  /** The set of ringing alarms changed (in memory only: a restart silences them). */
  'ringing-changed': [];
}

type Kind = 'timer' | 'alarm';

function keyOf(kind: Kind, item: { id: string; dueAt: number }): string {
  return `${kind}:${item.id}:${item.dueAt}`;
}

/** Alarms follow the wall clock of `timeZone` from `now` on; a snooze is a relative delay and stays put. */
function reanchor(draft: NotificationsState, timeZone: string, now: number): void {
  draft.timeZone = timeZone;
  for (const a of draft.alarms) if (!a.snoozed) a.dueAt = nextOccurrence(a.time, a.repeat, timeZone, now);
}

/**
 * The notifications group's engine, shared by the Timers and Alarms APIs: its persisted state, the one
 * clock timer for the nearest due item, firing, and the catch-up after a restart.
 *
 * A firing is announced at once (the alarm must ring now, not after a flash write); the removal of a
 * one-shot item or the move of a repeating alarm to its next occurrence is queued behind any mutation
 * in flight and persisted. Until that lands, `firing` remembers where each fired item goes, so the
 * scheduler neither fires it twice nor loses the next occurrence however slow the flash is.
 */
export class Notifications extends EventEmitter<NotificationsEvents> {
  private readonly scheduler: DueScheduler;
  /** Fired items whose removal/reschedule is not committed yet: key -> next due time, null = gone. */
  private readonly firing = new Map<string, number | null>();
  /** Alarms that rang and were neither snoozed nor dismissed yet, by id, as they were when they rang. */
  private readonly ringingAlarms = new Map<string, Alarm>();
  private stopped = false;

  constructor(
    readonly state: PersistentState<NotificationsState>,
    private readonly clock: Clock,
    private readonly log: Logger,
    maxSleepMs?: number,
  ) {
    super();
    this.scheduler = new DueScheduler(clock, () => this.onDue(), maxSleepMs);
  }

  /** Wall-clock now, epoch ms. */
  now(): number {
    return this.clock.wallNow();
  }

  /** The due time the clock timer is armed for (the nearest pending item), if any. */
  get nextDueAt(): number | undefined {
    return this.scheduler.armedFor;
  }

  /**
   * Boot: removes what came due while the device was off (returned, to be reported once; repeating
   * alarms move to their next occurrence), follows the device's time zone, and arms the clock. A failed
   * write is logged, not thrown: the catch-up stays in memory and reaches flash with the next save.
   */
  async start(timeZone: string): Promise<MissedItem[]> {
    const now = this.now();
    const missed: MissedItem[] = [];
    const v = this.state.value;
    const stale = v.timers.some((t) => t.dueAt <= now) || v.alarms.some((a) => a.dueAt <= now);
    if (!stale && v.timeZone === timeZone) {
      this.rearm();
      return missed;
    }
    const catchUp = (draft: NotificationsState): void => {
      missed.length = 0;
      for (const t of draft.timers) if (t.dueAt <= now) missed.push({ kind: 'timer', item: structuredClone(t) });
      draft.timers = draft.timers.filter((t) => t.dueAt > now);
      const kept: Alarm[] = [];
      for (const a of draft.alarms) {
        if (a.dueAt > now) {
          kept.push(a);
          continue;
        }
        missed.push({ kind: 'alarm', item: structuredClone(a) });
        if (a.repeat !== 'once') kept.push({ ...a, snoozed: false, dueAt: nextOccurrence(a.time, a.repeat, timeZone, now) });
      }
      draft.alarms = kept;
      if (draft.timeZone !== timeZone) reanchor(draft, timeZone, now);
    };
    try {
      await this.mutate(catchUp, true);
    } catch (err) {
      this.log.error({ err }, 'could not persist the notifications catch-up after restart; kept in memory');
      this.rearm();
    }
    return missed;
  }

  /** Recomputes every alarm's next occurrence for a new time zone (their wall time stays the same). */
  async applyTimeZone(timeZone: string): Promise<void> {
    await this.state.idle();
    if (this.state.value.timeZone === timeZone) return;
    const now = this.now();
    await this.mutate((draft) => {
      if (draft.timeZone !== timeZone) reanchor(draft, timeZone, now);
    });
  }

  /** Queues a mutation of the persisted state and re-arms the clock once it is committed. */
  async mutate<R>(fn: (draft: NotificationsState) => R, commitOnSaveFailure = false): Promise<R> {
    try {
      return await this.state.update(fn, { commitOnSaveFailure });
    } finally {
      this.rearm();
    }
  }

  /** Ringing alarms, oldest first. */
  ringing(): Alarm[] {
    return [...this.ringingAlarms.values()].map((a) => structuredClone(a));
  }

  ringingAlarm(id: string): Alarm | undefined {
    const a = this.ringingAlarms.get(id);
    return a && structuredClone(a);
  }

  /** Silences a ringing alarm; false when it was not ringing. */
  stopRinging(id: string): boolean {
    if (!this.ringingAlarms.delete(id)) return false;
    this.emit('ringing-changed');
    return true;
  }

  /** Reset NOTIFICATIONS: every timer and alarm goes, ringing stops, and the clock timer is cancelled. */
  async clear(): Promise<void> {
    await this.mutate((draft) => {
      draft.timers = [];
      draft.alarms = [];
    });
    if (this.ringingAlarms.size > 0) {
      this.ringingAlarms.clear();
      this.emit('ringing-changed');
    }
  }

  /** Stops firing (close): the clock timer is cancelled and nothing rings any more. */
  stop(): void {
    this.stopped = true;
    this.scheduler.stop();
    this.ringingAlarms.clear();
  }

  private onDue(): void {
    if (this.stopped) return;
    const at = this.now();
    const { timers, alarms, timeZone } = this.state.value;
    const moves = new Map<string, number | null>();
    const firedTimers = timers.filter((t) => t.dueAt <= at && !this.firing.has(keyOf('timer', t)));
    const firedAlarms = alarms.filter((a) => a.dueAt <= at && !this.firing.has(keyOf('alarm', a)));
    for (const t of firedTimers) moves.set(keyOf('timer', t), null);
    for (const a of firedAlarms) {
      moves.set(keyOf('alarm', a), a.repeat === 'once' ? null : nextOccurrence(a.time, a.repeat, timeZone, at));
    }
    for (const [k, next] of moves) this.firing.set(k, next);
    for (const a of firedAlarms) this.ringingAlarms.set(a.id, structuredClone(a));
    this.rearm();

    for (const t of firedTimers) this.announce('timer-fired', { timer: structuredClone(t), at });
    for (const a of firedAlarms) this.announce('alarm-fired', { alarm: structuredClone(a), at });
    if (firedAlarms.length > 0) this.announce('ringing-changed');

    if (moves.size === 0) return;
    this.state
      .update(
        (draft) => {
          draft.timers = draft.timers.filter((t) => !moves.has(keyOf('timer', t)));
          draft.alarms = draft.alarms.flatMap((a) => {
            const next = moves.get(keyOf('alarm', a));
            if (next === undefined) return [a];
            return next === null ? [] : [{ ...a, dueAt: next, snoozed: false }];
          });
        },
        { commitOnSaveFailure: true },
      )
      .catch((err: unknown) => this.log.error({ err }, 'could not persist fired timers/alarms; kept in memory'))
      .finally(() => {
        for (const k of moves.keys()) this.firing.delete(k);
        this.rearm();
      });
  }

  /** Emits from a clock callback: a throwing listener is logged, it must not break the scheduler. */
  private announce<K extends keyof NotificationsEvents>(event: K, ...args: NotificationsEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: NotificationsEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'a notifications listener threw');
    }
  }

  /** Arms the clock for the nearest due time, counting fired items where they are going. */
  private rearm(): void {
    if (this.stopped) return;
    let next: number | undefined;
    const consider = (kind: Kind, item: Timer | Alarm): void => {
      const k = keyOf(kind, item);
      const due = this.firing.has(k) ? this.firing.get(k) : item.dueAt;
      if (due !== null && due !== undefined && (next === undefined || due < next)) next = due;
    };
    for (const t of this.state.value.timers) consider('timer', t);
    for (const a of this.state.value.alarms) consider('alarm', a);
    this.scheduler.arm(next);
  }
}

import type { DeviceContext, Directive } from '../../protocol/directives.js';
import type { Intent } from '../../protocol/intent.js';

/** What the cloud does itself for an intent (the rest happens on the device, by directive). */
export type CloudAction = { kind: 'delete-recordings'; which: 'last' | 'today' } | { kind: 'room'; intent: Intent };

export interface ComposedAnswer {
  /** What to say; undefined: nothing (stop, volume: the device's own sounds answer). */
  readonly text?: string;
  readonly directives: readonly Directive[];
  readonly action?: CloudAction;
}

export const NO_MATCH_TEXT = "Sorry, I don't know that one.";

/**
 * The answer to an intent, from the intent's slots, the device's context (timers, shopping list, time
 * zone) and the time: what to say and what the device should do. Pure; actions on the cloud's own data
 * (voice deletion, the room's calendar) are returned as `action` and their outcome worded by
 * `wordAction`.
 */
export function composeAnswer(intent: Intent, context: DeviceContext | undefined, now: number): ComposedAnswer {
  const s = intent.slots;
  switch (intent.name) {
    case 'NoMatch':
      return { text: NO_MATCH_TEXT, directives: [] };
    case 'WhatTime':
      return { text: `It's ${spokenClock(now, context?.timeZone)}.`, directives: [] };
    case 'SetTimer':
      return { text: `Timer set for ${spokenDuration((s.durationSeconds ?? 0) * 1000)}.`, directives: [{ type: 'SetTimer', durationMs: (s.durationSeconds ?? 0) * 1000 }] };
    case 'CancelTimer':
      return context && context.timers.length === 0
        ? { text: "There's no timer running.", directives: [] }
        : { text: 'Timer cancelled.', directives: [{ type: 'CancelTimers' }] };
    case 'TimeLeft': {
      const next = context?.timers[0];
      return { text: next ? `${capitalize(spokenDuration(roundUpSeconds(next.remainingMs)))} left.` : "There's no timer running.", directives: [] };
    }
    case 'SetAlarm':
      return { text: `Alarm set for ${spokenTimeOfDay(s.time ?? '00:00')}.`, directives: [{ type: 'SetAlarm', time: s.time ?? '00:00' }] };
    case 'CancelAlarm':
      return { text: 'Your next alarm is cancelled.', directives: [{ type: 'CancelNextAlarm' }] };
    case 'Stop':
      return { directives: [{ type: 'Stop' }] };
    case 'VolumeUp':
      return { directives: [{ type: 'AdjustVolume', step: 1 }] };
    case 'VolumeDown':
      return { directives: [{ type: 'AdjustVolume', step: -1 }] };
    case 'SetVolume':
      return { directives: [{ type: 'SetVolume', level: s.level ?? 5 }] };
    case 'AddToList':
      return { text: `I've added ${s.item ?? ''} to your shopping list.`, directives: [{ type: 'AddToList', list: 'shopping', item: s.item ?? '' }] };
    case 'ReadList': {
      const items = context?.shoppingList ?? [];
      return { text: items.length === 0 ? 'Your shopping list is empty.' : `Your shopping list has ${joinAnd(items)}.`, directives: [] };
    }
    case 'DndOn':
      return { text: 'Do not disturb is on.', directives: [{ type: 'SetDoNotDisturb', enabled: true }] };
    case 'DndOff':
      return { text: 'Do not disturb is off.', directives: [{ type: 'SetDoNotDisturb', enabled: false }] };
    case 'DeleteLast':
      return { directives: [], action: { kind: 'delete-recordings', which: 'last' } };
    case 'DeleteToday':
      return { directives: [], action: { kind: 'delete-recordings', which: 'today' } };
    case 'RoomFree':
    case 'BookRoom':
    case 'WhoBooked':
    case 'CheckIn':
    case 'EndMeeting':
    case 'JoinMeeting':
      return { directives: [], action: { kind: 'room', intent } };
  }
}

/** The spoken outcome of a voice deletion. */
export function wordDeletion(which: 'last' | 'today', deleted: number): string {
  if (deleted === 0) return which === 'last' ? 'There was nothing to delete.' : "There's nothing from today to delete.";
  return which === 'last' ? 'Okay, I deleted what you just said.' : `Okay, I deleted everything you said today.`;
}

export function spokenDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const parts = [unit(h, 'hour'), unit(m, 'minute'), unit(sec, 'second')].filter((p) => p !== '');
  return parts.length === 0 ? '0 seconds' : joinAnd(parts);
}

/** "07:30" -> "7:30 AM", "18:00" -> "6 PM". */
export function spokenTimeOfDay(time: string): string {
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const h12 = hh % 12 === 0 ? 12 : hh % 12;
  return `${h12}${mm === 0 ? '' : `:${String(mm).padStart(2, '0')}`} ${hh < 12 ? 'AM' : 'PM'}`;
}

/** The time of day as said: "10:30 AM", in the time zone given (UTC when none or unknown). */
export function spokenClock(now: number, timeZone: string | undefined): string {
  const opts: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', hour12: true };
  try {
    return new Intl.DateTimeFormat('en-US', { ...opts, timeZone: timeZone ?? 'UTC' }).format(now);
  } catch {
    return new Intl.DateTimeFormat('en-US', { ...opts, timeZone: 'UTC' }).format(now);
  }
}

const roundUpSeconds = (ms: number): number => Math.ceil(ms / 1000) * 1000;
const unit = (n: number, name: string): string => (n === 0 ? '' : `${n} ${name}${n === 1 ? '' : 's'}`);
const capitalize = (t: string): string => t.charAt(0).toUpperCase() + t.slice(1);
function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

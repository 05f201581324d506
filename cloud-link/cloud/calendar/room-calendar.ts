import { newResourceId } from '../a4b/arn.js';
import type { BookingRow, BookingStore } from '../db/booking-store.js';
import { CHECK_IN_EARLY_MS } from '../db/booking-store.js';
import type { Intent } from '../../protocol/intent.js';
import type { MeetingRoomConfiguration } from '../../protocol/room-profile.js';

/** The room commands (the intents that act on the calendar of the room the device is in). */
export const ROOM_INTENTS = ['RoomFree', 'BookRoom', 'WhoBooked', 'CheckIn', 'EndMeeting', 'JoinMeeting'] as const;
export type RoomIntentName = (typeof ROOM_INTENTS)[number];

/** Organizer and title of a booking made by voice in the room itself (A4B's instant booking). */
export const VOICE_ORGANIZER = 'the room';
export const VOICE_TITLE = 'Instant booking';

export type DialIn = NonNullable<MeetingRoomConfiguration['PSTNDialIn']>;

/** What a room command found or did; room-answers.ts words it. */
export type RoomOutcome =
  | { kind: 'no-room' }
  | { kind: 'free'; nextStart?: number }
  | { kind: 'busy'; booking: BookingRow }
  | { kind: 'free-only-until'; nextStart: number }
  | { kind: 'booking-disabled' }
  | { kind: 'booked'; booking: BookingRow }
  | { kind: 'booked-by'; booking: BookingRow }
  | { kind: 'nobody' }
  | { kind: 'checked-in'; booking: BookingRow }
  | { kind: 'already-checked-in'; booking: BookingRow }
  | { kind: 'nothing-to-check-in' }
  | { kind: 'ended'; booking: BookingRow }
  | { kind: 'no-meeting' }
  | { kind: 'join'; booking: BookingRow; dialIn?: DialIn };

export interface RoomAnswer {
  outcome: RoomOutcome;
  /** The room profile's time zone, for spoken times. */
  timeZone?: string;
}

interface ProfileBits {
  Timezone?: string;
  MeetingRoomConfiguration?: MeetingRoomConfiguration;
}

/**
 * The room commands on the calendar of the room a device is in, with A4B's meeting-room behaviour:
 * "book this room for N minutes" books it from now when it is free that long and the profile's
 * InstantBooking is not disabled, checked in (the people are in the room); "check in" takes the
 * meeting under way or starting within 5 minutes; "end the meeting" frees the rest of it; "join my
 * meeting" gives the meeting with the room profile's dial-in. Each command is one transaction.
 */
export class RoomCalendar {
  constructor(private readonly bookings: BookingStore) {}

  act(deviceId: string, intent: Intent & { name: RoomIntentName }, now: number): RoomAnswer {
    return this.bookings.transaction(() => {
      const room = this.bookings.roomOf(deviceId);
      if (!room) return { outcome: { kind: 'no-room' } };
      const profile = room.settings === undefined ? {} : (JSON.parse(room.settings) as ProfileBits);
      const outcome = this.outcome(room.roomId, profile.MeetingRoomConfiguration, intent, now);
      return { outcome, ...(profile.Timezone ? { timeZone: profile.Timezone } : {}) };
    });
  }

  private outcome(roomId: string, meeting: MeetingRoomConfiguration | undefined, intent: Intent & { name: RoomIntentName }, now: number): RoomOutcome {
    const b = this.bookings;
    switch (intent.name) {
      case 'RoomFree': {
        const current = b.current(roomId, now);
        if (current) return { kind: 'busy', booking: current };
        const next = b.next(roomId, now);
        return next ? { kind: 'free', nextStart: next.start_at } : { kind: 'free' };
      }
      case 'BookRoom': {
        if (meeting?.InstantBooking?.Enabled === false) return { kind: 'booking-disabled' };
        const current = b.current(roomId, now);
        if (current) return { kind: 'busy', booking: current };
        const minutes = intent.slots.minutes ?? meeting?.InstantBooking?.DurationInMinutes ?? 30;
        const end = now + minutes * 60_000;
        const clash = b.overlapping(roomId, now, end)[0];
        if (clash) return { kind: 'free-only-until', nextStart: clash.start_at };
        const booking = b.insert({ id: newResourceId(), roomId, title: VOICE_TITLE, organizer: VOICE_ORGANIZER, startAt: now, endAt: end, status: 'CHECKED_IN', source: 'voice' });
        return { kind: 'booked', booking };
      }
      case 'WhoBooked': {
        const current = b.current(roomId, now);
        return current ? { kind: 'booked-by', booking: current } : { kind: 'nobody' };
      }
      case 'CheckIn': {
        const current = b.current(roomId, now, CHECK_IN_EARLY_MS);
        if (!current) return { kind: 'nothing-to-check-in' };
        if (current.status === 'CHECKED_IN') return { kind: 'already-checked-in', booking: current };
        b.checkIn(current.id, now);
        return { kind: 'checked-in', booking: b.get(current.id)! };
      }
      case 'EndMeeting': {
        const current = b.current(roomId, now);
        if (!current) return { kind: 'no-meeting' };
        b.end(current.id, now);
        return { kind: 'ended', booking: b.get(current.id)! };
      }
      case 'JoinMeeting': {
        const current = b.current(roomId, now, CHECK_IN_EARLY_MS);
        if (!current) return { kind: 'no-meeting' };
        const dialIn = meeting?.PSTNDialIn;
        return { kind: 'join', booking: current, ...(dialIn ? { dialIn } : {}) };
      }
    }
  }
}

export function isRoomIntent(intent: Intent): intent is Intent & { name: RoomIntentName } {
  return (ROOM_INTENTS as readonly string[]).includes(intent.name);
}

import type { BookingRow } from '../db/booking-store.js';
import { VOICE_ORGANIZER, type DialIn, type RoomAnswer } from '../calendar/room-calendar.js';
import { spokenClock, spokenDuration } from './answer-composer.js';

/** What the assistant says when the room's calendar cannot be reached. */
export const CALENDAR_FAILED_TEXT = "Sorry, I can't reach this room's calendar right now.";

/** The spoken answer to a room command (calendar/room-calendar.ts), times in the room's time zone. */
export function wordRoomAnswer({ outcome, timeZone }: RoomAnswer, now: number): string {
  const at = (t: number): string => spokenClock(t, timeZone);
  switch (outcome.kind) {
    case 'no-room':
      return "This device isn't in a room, so it has no calendar.";
    case 'free':
      return outcome.nextStart === undefined ? 'Yes, this room is free.' : `Yes, this room is free until ${at(outcome.nextStart)}.`;
    case 'busy':
      return `No, this room is booked until ${at(outcome.booking.end_at)}.`;
    case 'free-only-until':
      return `Sorry, this room is only free until ${at(outcome.nextStart)}.`;
    case 'booking-disabled':
      return "Sorry, this room can't be booked by voice.";
    case 'booked':
      return `Okay, this room is yours for ${spokenDuration(outcome.booking.end_at - now)}, until ${at(outcome.booking.end_at)}.`;
    case 'booked-by':
      return `${bookedBy(outcome.booking)}, until ${at(outcome.booking.end_at)}.`;
    case 'nobody':
      return 'Nobody has booked this room right now.';
    case 'checked-in':
      return `You're checked in to ${outcome.booking.title}.`;
    case 'already-checked-in':
      return `You're already checked in to ${outcome.booking.title}.`;
    case 'nothing-to-check-in':
      return "There's no meeting to check in to right now.";
    case 'ended':
      return `Okay, I ended ${outcome.booking.title}. The room is free now.`;
    case 'no-meeting':
      return "There's no meeting in this room right now.";
    case 'join':
      return outcome.dialIn
        ? `Joining ${outcome.booking.title}. Dial in at ${spokenNumber(outcome.dialIn)}${meetingId(outcome.booking)}.`
        : `${outcome.booking.title} is on now, but this room has no dial-in set up.`;
  }
}

function bookedBy(b: BookingRow): string {
  return b.organizer === VOICE_ORGANIZER && b.source === 'voice' ? 'This room was booked by voice' : `${b.organizer} booked this room for ${b.title}`;
}

/** Digits said one by one ("plus 1, 2 0 6 5 5 5 ..."), as a dial-in is read out. */
function spokenNumber(d: DialIn): string {
  return `plus ${d.CountryCode}, ${digits(d.PhoneNumber)}`;
}

function meetingId(b: BookingRow): string {
  return b.meeting_id === null ? '' : `, meeting ID ${digits(b.meeting_id)}`;
}

const digits = (s: string): string => s.split('').join(' ');

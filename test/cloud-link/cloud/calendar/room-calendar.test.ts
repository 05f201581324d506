import { RoomCalendar, type RoomIntentName } from '../../../../cloud-link/cloud/calendar/room-calendar.js';
import { wordRoomAnswer } from '../../../../cloud-link/cloud/answers/room-answers.js';
import type { Intent } from '../../../../cloud-link/protocol/intent.js';
import { openHarness, PROFILE, type Harness } from '../a4b/helpers.js';

/**
 * The room commands on the calendar of the room the device is in: what each does to the bookings and
 * what it answers. The harness's clock is 2026-01-05T09:00Z; the profile's time zone is Europe/Berlin
 * (10:00 local), so spoken times are Berlin's.
 */
let h: Harness;
let calendar: RoomCalendar;
let RoomArn: string;
let ProfileArn: string;
const MIN = 60_000;

beforeEach(async () => {
  h = openHarness();
  ProfileArn = (
    await h.call('CreateProfile', {
      ...PROFILE,
      MeetingRoomConfiguration: { ...PROFILE.MeetingRoomConfiguration, PSTNDialIn: { CountryCode: '1', PhoneNumber: '2065550100' } },
    })
  ).ProfileArn as string;
  RoomArn = (await h.call('CreateRoom', { RoomName: 'Everest', ProfileArn })).RoomArn as string;
  await h.call('RegisterDevice', { DeviceSerialNumber: 'E1', DeviceType: 'echo-dot-3', DeviceName: 'Everest Echo', RoomArn });
  await h.call('RegisterDevice', { DeviceSerialNumber: 'LOOSE', DeviceType: 'echo-dot-3', DeviceName: 'No room' });
  calendar = new RoomCalendar(h.service.bookings);
});
afterEach(() => h.cleanup());

const intent = (name: RoomIntentName, slots: Intent['slots'] = {}): Intent & { name: RoomIntentName } => ({ name, slots, confidence: 0.9, heard: '' });

/** Says the command on device E1 at the clock's time; returns the spoken answer. */
function say(name: RoomIntentName, slots: Intent['slots'] = {}, device = 'E1'): string {
  const now = h.clock.wallNow();
  return wordRoomAnswer(calendar.act(device, intent(name, slots), now), now);
}

async function book(startMin: number, lengthMin: number, extra: Record<string, unknown> = {}): Promise<string> {
  const start = (h.clock.wallNow() + startMin * MIN) / 1000;
  const r = await h.call('CreateBooking', { RoomArn, Title: 'Design review', Organizer: 'Ana Lima', StartTime: start, EndTime: start + lengthMin * 60, ...extra });
  return (r.BookingArn as string).split('/').pop()!;
}

const bookings = async (): Promise<Array<Record<string, unknown>>> => (await h.call('ListBookings', { RoomArn })).Bookings as Array<Record<string, unknown>>;

describe('room commands', () => {
  test('"is this room free" and "who booked this room", before, during and after a booking', async () => {
    expect(say('RoomFree')).toBe('Yes, this room is free.');
    expect(say('WhoBooked')).toBe('Nobody has booked this room right now.');
    await book(30, 60);
    expect(say('RoomFree')).toBe('Yes, this room is free until 10:30 AM.');
    await h.clock.advance(30 * MIN);
    expect(say('RoomFree')).toBe('No, this room is booked until 11:30 AM.');
    expect(say('WhoBooked')).toBe('Ana Lima booked this room for Design review, until 11:30 AM.');
    await h.clock.advance(60 * MIN);
    expect(say('RoomFree')).toBe('Yes, this room is free.');
  });

  test('"book this room for half an hour" books it from now, checked in; a clash or a disabled instant booking books nothing', async () => {
    expect(say('BookRoom', { minutes: 30 })).toBe('Okay, this room is yours for 30 minutes, until 10:30 AM.');
    expect(await bookings()).toEqual([
      expect.objectContaining({ Title: 'Instant booking', Status: 'CHECKED_IN', Source: 'VOICE', StartTime: h.clock.wallNow() / 1000, EndTime: h.clock.wallNow() / 1000 + 1800 }),
    ]);
    expect(say('WhoBooked')).toBe('This room was booked by voice, until 10:30 AM.');
    expect(say('BookRoom', { minutes: 60 })).toBe('No, this room is booked until 10:30 AM.');

    await h.clock.advance(30 * MIN);
    await book(45, 30);
    expect(say('BookRoom', { minutes: 60 })).toBe('Sorry, this room is only free until 11:15 AM.');
    expect(await bookings()).toHaveLength(2);

    await h.call('UpdateProfile', { ProfileArn, MeetingRoomConfiguration: { InstantBooking: { Enabled: false } } });
    expect(say('BookRoom', { minutes: 15 })).toBe("Sorry, this room can't be booked by voice.");
    expect(await bookings()).toHaveLength(2);
  });

  test('"check in" takes the meeting under way or starting within 5 minutes, once', async () => {
    expect(say('CheckIn')).toBe("There's no meeting to check in to right now.");
    const id = await book(4, 30);
    expect(say('CheckIn')).toBe("You're checked in to Design review.");
    expect(h.service.bookings.get(id)).toMatchObject({ status: 'CHECKED_IN', checked_in_at: h.clock.wallNow() });
    expect(say('CheckIn')).toBe("You're already checked in to Design review.");
  });

  test('"end the meeting" frees the rest of it', async () => {
    expect(say('EndMeeting')).toBe("There's no meeting in this room right now.");
    const id = await book(0, 60);
    await h.clock.advance(20 * MIN);
    expect(say('EndMeeting')).toBe('Okay, I ended Design review. The room is free now.');
    expect(h.service.bookings.get(id)).toMatchObject({ status: 'ENDED', end_at: h.clock.wallNow() });
    expect(say('RoomFree')).toBe('Yes, this room is free.');
    expect(say('BookRoom', { minutes: 30 })).toMatch(/^Okay, this room is yours/); // the freed 40 minutes can be booked
  });

  test('"join my meeting" gives the meeting and the dial-in from the room profile', async () => {
    expect(say('JoinMeeting')).toBe("There's no meeting in this room right now.");
    await book(2, 30, { MeetingId: '987654321' });
    expect(say('JoinMeeting')).toBe('Joining Design review. Dial in at plus 1, 2 0 6 5 5 5 0 1 0 0, meeting ID 9 8 7 6 5 4 3 2 1.');
    const bare = (await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Bare' })).ProfileArn as string;
    await h.call('UpdateRoom', { RoomArn, ProfileArn: bare });
    expect(say('JoinMeeting')).toBe('Design review is on now, but this room has no dial-in set up.');
  });

  test('a device outside any room has no calendar, and changes nothing', async () => {
    for (const name of ['RoomFree', 'BookRoom', 'WhoBooked', 'CheckIn', 'EndMeeting', 'JoinMeeting'] as const) {
      expect(say(name, { minutes: 30 }, 'LOOSE')).toBe("This device isn't in a room, so it has no calendar.");
    }
    expect(await bookings()).toEqual([]);
  });
});

import { BookingReleaser } from '../../../../cloud-link/cloud/calendar/booking-releaser.js';
import type { BookingRow } from '../../../../cloud-link/cloud/db/booking-store.js';
import { rootLogger } from '../../../../core/log.js';
import { openHarness, PROFILE, type Harness } from '../a4b/helpers.js';

/**
 * A4B's check-in rule on the cloud's clock (a VirtualClock here): a booking nobody checks in to within
 * the room profile's RequireCheckIn.ReleaseAfterMinutes of its start is released.
 */
let h: Harness;
let releaser: BookingReleaser;
let released: BookingRow[];
let RoomArn: string;
let ProfileArn: string;
const MIN = 60_000;

beforeEach(async () => {
  h = openHarness();
  released = [];
  ProfileArn = (
    await h.call('CreateProfile', {
      ...PROFILE,
      MeetingRoomConfiguration: { ...PROFILE.MeetingRoomConfiguration, RequireCheckIn: { ReleaseAfterMinutes: 10, Enabled: true } },
    })
  ).ProfileArn as string;
  RoomArn = (await h.call('CreateRoom', { RoomName: 'Everest', ProfileArn })).RoomArn as string;
  releaser = new BookingReleaser({ bookings: h.service.bookings, clock: h.clock, log: rootLogger(), onReleased: (b) => void released.push(...b) });
  h.service.events.on('bookings-changed', () => releaser.poke());
  releaser.start();
});
afterEach(() => {
  releaser.stop();
  h.cleanup();
});

async function book(startMin: number, lengthMin = 30, room = RoomArn): Promise<string> {
  const start = (h.clock.wallNow() + startMin * MIN) / 1000;
  const { BookingArn } = await h.call('CreateBooking', { RoomArn: room, Title: 'Review', Organizer: 'Ana', StartTime: start, EndTime: start + lengthMin * 60 });
  return (BookingArn as string).split('/').pop()!;
}

const status = (id: string): string | undefined => h.service.bookings.get(id)?.status;

describe('the check-in release timer', () => {
  test('released exactly ReleaseAfterMinutes after the start when nobody checked in, and the room is free again', async () => {
    const id = await book(20);
    await h.clock.advance(30 * MIN - 1);
    expect(status(id)).toBe('BOOKED');
    expect(h.service.bookings.current(h.service.bookings.get(id)!.room_id, h.clock.wallNow())?.id).toBe(id);
    await h.clock.advance(1);
    expect(status(id)).toBe('RELEASED');
    expect(released.map((b) => b.id)).toEqual([id]);
    expect(h.service.bookings.current(h.service.bookings.get(id)!.room_id, h.clock.wallNow())).toBeUndefined();
    // the freed time can be booked again
    await book(0, 10);
  });

  test('a checked-in booking is kept to its end', async () => {
    const id = await book(5);
    await h.clock.advance(6 * MIN);
    h.service.bookings.checkIn(id, h.clock.wallNow());
    await h.clock.advance(60 * MIN);
    expect(status(id)).toBe('CHECKED_IN');
    expect(released).toEqual([]);
  });

  test('no release when the room profile does not require a check-in; a profile that starts requiring one is noticed', async () => {
    await h.call('UpdateProfile', { ProfileArn, MeetingRoomConfiguration: { RequireCheckIn: { Enabled: false } } });
    const id = await book(0, 120);
    await h.clock.advance(30 * MIN);
    expect(status(id)).toBe('BOOKED');
    await h.call('UpdateProfile', { ProfileArn, MeetingRoomConfiguration: { RequireCheckIn: { Enabled: true } } });
    await h.clock.advance(60_000); // the releaser's longest sleep
    expect(status(id)).toBe('RELEASED');
  });

  test('rooms without a profile of their own follow the default profile', async () => {
    await h.call('UpdateProfile', { ProfileArn, IsDefault: true });
    const plain = (await h.call('CreateRoom', { RoomName: 'K2' })).RoomArn as string;
    const id = await book(1, 30, plain);
    await h.clock.advance(11 * MIN);
    expect(status(id)).toBe('RELEASED');
  });

  test('stopped, it releases nothing and leaves no timer behind', async () => {
    const id = await book(0);
    releaser.stop();
    expect(h.clock.nextDueTime()).toBeUndefined();
    await h.clock.advance(20 * MIN);
    expect(status(id)).toBe('BOOKED');
  });
});

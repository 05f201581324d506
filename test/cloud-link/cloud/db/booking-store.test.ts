import { BOOKING_HISTORY_MS, type NewBooking } from '../../../../cloud-link/cloud/db/booking-store.js';
import { openHarness, type Harness } from '../a4b/helpers.js';

/** The bookings table (migration 9) keeps its own bounds, whoever writes to it. */
let h: Harness;
let roomId: string;
beforeEach(async () => {
  h = openHarness();
  roomId = ((await h.call('CreateRoom', { RoomName: 'Everest' })).RoomArn as string).split('/').pop()!;
});
afterEach(() => h.cleanup());

const T = Date.UTC(2026, 0, 5, 10);
type BookingFields = Omit<NewBooking, 'id'>;
const booking = (): BookingFields => ({ roomId, title: 'Review', organizer: 'Ana', startAt: T, endAt: T + 3_600_000, status: 'BOOKED' as const, source: 'api' as const });

test('the database refuses unbounded or inverted bookings and bookings of rooms that do not exist', () => {
  const b = h.service.bookings;
  expect(() => b.insert({ ...booking(), id: 'a', title: 'x'.repeat(101) })).toThrow(/CHECK constraint/);
  expect(() => b.insert({ ...booking(), id: 'b', organizer: '' })).toThrow(/CHECK constraint/);
  expect(() => b.insert({ ...booking(), id: 'c', meetingId: '1'.repeat(21) })).toThrow(/CHECK constraint/);
  expect(() => b.insert({ ...booking(), id: 'd', endAt: T })).toThrow(/CHECK constraint/);
  expect(() => b.insert({ ...booking(), id: 'e', roomId: 'nowhere' })).toThrow(/FOREIGN KEY/);
  expect(b.insert({ ...booking(), id: 'ok' })).toMatchObject({ id: 'ok', status: 'BOOKED', checked_in_at: null });
});

test('what holds the room: overlapping, current, next; released and ended bookings do not', () => {
  const b = h.service.bookings;
  b.insert({ ...booking(), id: 'one' });
  b.insert({ ...booking(), id: 'two', startAt: T + 7_200_000, endAt: T + 10_800_000 });
  expect(b.overlapping(roomId, T + 3_600_000, T + 7_200_000)).toEqual([]); // back to back: the gap is free
  expect(b.overlapping(roomId, T + 1, T + 7_200_001).map((r) => r.id)).toEqual(['one', 'two']);
  expect(b.current(roomId, T - 60_000)).toBeUndefined();
  expect(b.current(roomId, T - 60_000, 5 * 60_000)?.id).toBe('one');
  expect(b.next(roomId, T)?.id).toBe('two');
  b.end('one', T + 600_000);
  expect(b.get('one')).toMatchObject({ status: 'ENDED', end_at: T + 600_000 });
  expect(b.current(roomId, T + 700_000)).toBeUndefined();
});

test('the release sweep drops bookings over for more than a week', () => {
  const b = h.service.bookings;
  b.insert({ ...booking(), id: 'old' });
  b.releaseDue(booking().endAt + BOOKING_HISTORY_MS - 1);
  expect(b.get('old')).toBeDefined();
  b.releaseDue(booking().endAt + BOOKING_HISTORY_MS);
  expect(b.get('old')).toBeUndefined();
});

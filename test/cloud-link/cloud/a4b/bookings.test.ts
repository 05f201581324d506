import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { MAX_UPCOMING_BOOKINGS } from '../../../../cloud-link/cloud/a4b/ops/bookings.js';
import { expectA4bError, openHarness, type Harness } from './helpers.js';

let h: Harness;
let RoomArn: string;
beforeEach(async () => {
  h = openHarness();
  RoomArn = (await h.call('CreateRoom', { RoomName: 'Everest' })).RoomArn as string;
});
afterEach(() => h.cleanup());

/** The harness's clock starts at 2026-01-05T09:00:00Z. */
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;
const HOUR = 3600;

const booking = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  RoomArn,
  Title: 'Design review',
  Organizer: 'Ana Lima',
  StartTime: T0 + HOUR,
  EndTime: T0 + 2 * HOUR,
  ...extra,
});

describe('room bookings over the API', () => {
  test('create (epoch seconds or ISO 8601), list in start order with their status, delete', async () => {
    const a = await h.call('CreateBooking', booking({ MeetingId: '123456789' }));
    expect(a.BookingArn).toMatch(new RegExp(`^${ARN_PREFIX}booking/[0-9a-f]{32}$`));
    const b = await h.call('CreateBooking', booking({ Title: 'Stand-up', StartTime: '2026-01-05T09:30:00Z', EndTime: '2026-01-05T10:45:00+01:00' }));
    const list = await h.call('ListBookings', { RoomArn });
    expect(list).toEqual({
      TotalCount: 2,
      Bookings: [
        {
          BookingArn: b.BookingArn, RoomArn, Title: 'Stand-up', Organizer: 'Ana Lima',
          StartTime: T0 + 1800, EndTime: T0 + 2700, Status: 'BOOKED', Source: 'API',
        },
        {
          BookingArn: a.BookingArn, RoomArn, Title: 'Design review', Organizer: 'Ana Lima', MeetingId: '123456789',
          StartTime: T0 + HOUR, EndTime: T0 + 2 * HOUR, Status: 'BOOKED', Source: 'API',
        },
      ],
    });
    expect((await h.call('ListBookings', { RoomArn, MaxResults: 1 })).NextToken).toEqual(expect.any(String));
    expect((await h.call('ListBookings', { RoomArn, Filters: [{ Key: 'Status', Values: ['CHECKED_IN'] }] })).Bookings).toEqual([]);
    await h.call('DeleteBooking', { BookingArn: b.BookingArn });
    expect((await h.call('ListBookings', { RoomArn })).Bookings.map((x: { Title: string }) => x.Title)).toEqual(['Design review']);
    await expectA4bError(h.call('DeleteBooking', { BookingArn: b.BookingArn }), 'NotFoundException');
    expect(h.events.filter((e) => e.name === 'bookings-changed')).toHaveLength(3);
  });

  test('times are validated and a refused booking changes nothing', async () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ EndTime: T0 + HOUR }, /EndTime: must be after StartTime/],
      [{ EndTime: T0 + 26 * HOUR }, /EndTime: must be at most 24 hours/],
      [{ StartTime: T0 - 2 * HOUR, EndTime: T0 - HOUR }, /EndTime: is in the past/],
      [{ StartTime: T0 + 400 * 24 * HOUR, EndTime: T0 + 400 * 24 * HOUR + HOUR }, /StartTime: must be within a year/],
      [{ StartTime: 'tomorrow at ten' }, /StartTime: must be epoch seconds or an ISO 8601 time/],
      [{ StartTime: '2026-01-05T10:00:00' }, /StartTime: must be epoch seconds or an ISO 8601 time/], // no offset: which zone?
      [{ StartTime: 253402300800 }, /StartTime: must be epoch seconds/], // the year 10000
      [{ StartTime: Number.NaN }, /StartTime/],
      [{ Title: '' }, /Title/],
      [{ Organizer: 'x'.repeat(101) }, /Organizer/],
      [{ MeetingId: '12 34' }, /MeetingId: must be 4-20 digits/],
      [{ Extra: 1 }, /Extra|Unrecognized|unrecognized/],
    ];
    for (const [extra, message] of refused) await expectA4bError(h.call('CreateBooking', booking(extra)), 'ValidationException', message);
    await expectA4bError(h.call('CreateBooking', booking({ RoomArn: `${ARN_PREFIX}room/00` })), 'NotFoundException');
    await expectA4bError(h.call('ListBookings', {}), 'ValidationException', /RoomArn/);
    expect((await h.call('ListBookings', { RoomArn })).TotalCount).toBe(0);
  });

  test('a room cannot be booked twice at once; back to back is fine; other rooms are independent', async () => {
    await h.call('CreateBooking', booking());
    const err = await expectA4bError(h.call('CreateBooking', booking({ StartTime: T0 + 1.5 * HOUR, EndTime: T0 + 3 * HOUR })), 'ResourceInUseException');
    expect(err.message).toContain('2026-01-05T10:00:00.000Z');
    await h.call('CreateBooking', booking({ StartTime: T0 + 2 * HOUR, EndTime: T0 + 3 * HOUR }));
    const other = (await h.call('CreateRoom', { RoomName: 'K2' })).RoomArn as string;
    await h.call('CreateBooking', booking({ RoomArn: other }));
    expect((await h.call('ListBookings', { RoomArn })).TotalCount).toBe(2);
  });

  test('a room holds a bounded number of bookings to come', async () => {
    for (let i = 0; i < MAX_UPCOMING_BOOKINGS; i++) {
      await h.call('CreateBooking', booking({ StartTime: T0 + i * 600, EndTime: T0 + i * 600 + 600 }));
    }
    await expectA4bError(h.call('CreateBooking', booking({ StartTime: T0 + 100 * HOUR, EndTime: T0 + 101 * HOUR })), 'LimitExceededException');
  });

  test('ClientRequestToken makes a retry return the first booking', async () => {
    const token = 'book-everest-0001';
    const first = await h.call('CreateBooking', booking({ ClientRequestToken: token }));
    expect(await h.call('CreateBooking', booking({ ClientRequestToken: token }))).toEqual(first);
    await expectA4bError(h.call('CreateBooking', booking({ ClientRequestToken: token, Title: 'Other' })), 'IdempotentParameterMismatchException');
    expect((await h.call('ListBookings', { RoomArn })).TotalCount).toBe(1);
  });

  test("deleting a room deletes its calendar; the profile's dial-in is validated", async () => {
    await h.call('CreateBooking', booking());
    await h.call('DeleteRoom', { RoomArn });
    await expectA4bError(h.call('ListBookings', { RoomArn }), 'NotFoundException');
    const base = { ProfileName: 'P', Timezone: 'UTC', Address: 'a', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA' };
    await expectA4bError(
      h.call('CreateProfile', { ...base, MeetingRoomConfiguration: { PSTNDialIn: { CountryCode: '+1', PhoneNumber: '2065550100' } } }),
      'ValidationException',
      /PSTNDialIn.CountryCode/,
    );
    const { ProfileArn } = await h.call('CreateProfile', { ...base, MeetingRoomConfiguration: { PSTNDialIn: { CountryCode: '1', PhoneNumber: '2065550100' } } });
    await h.call('UpdateProfile', { ProfileArn, MeetingRoomConfiguration: { PSTNDialIn: { PhoneNumber: '2065550199' } } });
    expect((await h.call('GetProfile', { ProfileArn })).Profile.MeetingRoomConfiguration).toEqual({ PSTNDialIn: { CountryCode: '1', PhoneNumber: '2065550199' } });
  });
});

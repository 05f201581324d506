import { z } from 'zod';
import type { BookingRow } from '../../db/booking-store.js';
import { idFromArn, makeArn, newResourceId } from '../arn.js';
import { epochSeconds, operation } from '../context.js';
import { A4bError } from '../errors.js';
import { idempotent } from '../idempotency.js';
import { loadRoom } from '../rows.js';
import { runSearch } from '../search.js';
import { ArnInput, ClientRequestToken, SearchFields, Timestamp, invalidField, text } from '../validation.js';

/**
 * Rooms' calendars (echosim extension; docs/alexa-for-business.md#room-bookings): CreateBooking,
 * ListBookings, DeleteBooking. A4B read meeting-room calendars from Exchange, Google or Office 365;
 * here the room's calendar is the cloud's own. A booking holds its room from StartTime to EndTime
 * unless it is released (not checked in within the room profile's RequireCheckIn window) or ended
 * early by voice.
 */

/** The longest booking (A4B's instant bookings went up to 4 hours; a calendar entry up to a day). */
export const MAX_BOOKING_MS = 24 * 3_600_000;
/** How far ahead a booking may start. */
export const MAX_BOOKING_AHEAD_MS = 366 * 24 * 3_600_000;
/** Bookings a room may have that are not over yet. */
export const MAX_UPCOMING_BOOKINGS = 500;

/** A conference's meeting id, said with the room's dial-in number ("join my meeting"). */
const MeetingId = z.string().regex(/^\d{4,20}$/, 'must be 4-20 digits');

export function renderBooking(row: BookingRow): Record<string, unknown> {
  return {
    BookingArn: makeArn('booking', row.id),
    RoomArn: makeArn('room', row.room_id),
    Title: row.title,
    Organizer: row.organizer,
    ...(row.meeting_id === null ? {} : { MeetingId: row.meeting_id }),
    StartTime: epochSeconds(row.start_at),
    EndTime: epochSeconds(row.end_at),
    Status: row.status,
    ...(row.checked_in_at === null ? {} : { CheckedInTime: epochSeconds(row.checked_in_at) }),
    Source: row.source === 'voice' ? 'VOICE' : 'API',
  };
}

const CreateBooking = operation(
  z.strictObject({
    RoomArn: ArnInput,
    Title: text(1, 100),
    Organizer: text(1, 100),
    StartTime: Timestamp,
    EndTime: Timestamp,
    MeetingId: MeetingId.optional(),
    ClientRequestToken: ClientRequestToken.optional(),
  }),
  (ctx, input) =>
    idempotent(ctx, 'CreateBooking', input.ClientRequestToken, input, () => {
      const room = loadRoom(ctx.db, input.RoomArn);
      const now = ctx.now();
      const { StartTime: start, EndTime: end } = input;
      if (end <= start) throw invalidField('EndTime', 'must be after StartTime');
      if (end - start > MAX_BOOKING_MS) throw invalidField('EndTime', 'must be at most 24 hours after StartTime');
      if (end <= now) throw invalidField('EndTime', 'is in the past: a booking must not be over before it is made');
      if (start - now > MAX_BOOKING_AHEAD_MS) throw invalidField('StartTime', 'must be within a year from now');
      if (ctx.bookings.countUpcoming(room.id, now) >= MAX_UPCOMING_BOOKINGS) {
        throw new A4bError('LimitExceededException', `room ${room.name} already has ${MAX_UPCOMING_BOOKINGS} bookings to come; delete some first`);
      }
      const clash = ctx.bookings.overlapping(room.id, start, end)[0];
      if (clash) {
        throw new A4bError(
          'ResourceInUseException',
          `room ${room.name} is booked from ${new Date(clash.start_at).toISOString()} to ${new Date(clash.end_at).toISOString()} (${makeArn('booking', clash.id)})`,
        );
      }
      const id = newResourceId();
      ctx.bookings.insert({
        id,
        roomId: room.id,
        title: input.Title,
        organizer: input.Organizer,
        ...(input.MeetingId === undefined ? {} : { meetingId: input.MeetingId }),
        startAt: start,
        endAt: end,
        status: 'BOOKED',
        source: 'api',
      });
      ctx.emit('bookings-changed', { roomId: room.id });
      return { BookingArn: makeArn('booking', id) };
    }),
);

const ListBookings = operation(
  z.strictObject({ RoomArn: ArnInput, ...SearchFields }),
  (ctx, input) => {
    const room = loadRoom(ctx.db, input.RoomArn);
    const page = runSearch<BookingRow>(
      ctx.db,
      'ListBookings',
      {
        query: 'SELECT * FROM bookings',
        where: 'room_id = ?',
        whereParams: [room.id],
        filters: { Status: 'status', Organizer: 'organizer' },
        sorts: { StartTime: 'start_at', Title: 'title', Organizer: 'organizer' },
        order: 'start_at, id',
      },
      input,
    );
    return {
      Bookings: page.rows.map(renderBooking),
      TotalCount: page.total,
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  },
  { readOnly: true },
);

const DeleteBooking = operation(z.strictObject({ BookingArn: ArnInput }), (ctx, input) => {
  const row = ctx.bookings.get(idFromArn(input.BookingArn, 'booking'));
  if (!row) throw new A4bError('NotFoundException', `booking ${input.BookingArn} does not exist`);
  ctx.bookings.delete(row.id);
  ctx.emit('bookings-changed', { roomId: row.room_id });
  return {};
});

export const bookingOperations = { CreateBooking, ListBookings, DeleteBooking };

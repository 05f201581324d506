import type { Database } from 'better-sqlite3';

/**
 * Rooms' calendars in the cloud's SQLite (migration 9; docs/alexa-for-business.md#room-bookings): the
 * bookings of each room, which of them holds the room at a time, and A4B's check-in rule, a booking
 * not checked in within its room profile's RequireCheckIn.ReleaseAfterMinutes of its start is released.
 * Times are wall-clock ms. The API's operations (a4b/ops/bookings.ts) and the spoken room commands
 * (calendar/room-calendar.ts) both go through here.
 */

export const BOOKING_STATUSES = ['BOOKED', 'CHECKED_IN', 'RELEASED', 'ENDED'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type BookingSource = 'api' | 'voice';

/** How early before its start a booking can be checked in to (and counts as the room's next meeting). */
export const CHECK_IN_EARLY_MS = 5 * 60_000;
/** Bookings over for longer than this are dropped by the release sweep (a calendar, not an archive). */
export const BOOKING_HISTORY_MS = 7 * 24 * 3_600_000;

export interface BookingRow {
  id: string;
  room_id: string;
  title: string;
  organizer: string;
  meeting_id: string | null;
  start_at: number;
  end_at: number;
  status: BookingStatus;
  checked_in_at: number | null;
  source: BookingSource;
  created_at: number;
  updated_at: number;
}

export interface NewBooking {
  id: string;
  roomId: string;
  title: string;
  organizer: string;
  meetingId?: string;
  startAt: number;
  endAt: number;
  /** CHECKED_IN for a booking made in the room itself (the people are there). */
  status: 'BOOKED' | 'CHECKED_IN';
  source: BookingSource;
}

/** A booking holds its room while BOOKED or CHECKED_IN and not over. */
const HOLDS = `status IN ('BOOKED', 'CHECKED_IN')`;

/**
 * When each waiting (BOOKED) booking is released: its start plus the check-in window of the profile its
 * room uses (the room's own, or the default), NULL when that profile does not require a check-in.
 */
const RELEASE_AT = `
  SELECT b.id, b.room_id, b.start_at + 60000 * json_extract(coalesce(p.settings, dp.settings), '$.MeetingRoomConfiguration.RequireCheckIn.ReleaseAfterMinutes') AS release_at
  FROM bookings b
  JOIN rooms r ON r.id = b.room_id
  LEFT JOIN room_profiles p ON p.id = r.profile_id
  LEFT JOIN room_profiles dp ON r.profile_id IS NULL AND dp.is_default = 1
  WHERE b.status = 'BOOKED'
    AND json_extract(coalesce(p.settings, dp.settings), '$.MeetingRoomConfiguration.RequireCheckIn.Enabled') = 1`;

export class BookingStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** Runs `fn` in one transaction (a check and the change it decides on happen together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  insert(b: NewBooking): BookingRow {
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO bookings (id, room_id, title, organizer, meeting_id, start_at, end_at, status, checked_in_at, source, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(b.id, b.roomId, b.title, b.organizer, b.meetingId ?? null, b.startAt, b.endAt, b.status, b.status === 'CHECKED_IN' ? now : null, b.source, now, now);
    return this.get(b.id)!;
  }

  get(id: string): BookingRow | undefined {
    return this.db.prepare('SELECT * FROM bookings WHERE id = ?').get(id) as BookingRow | undefined;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM bookings WHERE id = ?').run(id).changes > 0;
  }

  /** The bookings holding the room at some time in [start, end). */
  overlapping(roomId: string, start: number, end: number): BookingRow[] {
    return this.db
      .prepare(`SELECT * FROM bookings WHERE room_id = ? AND ${HOLDS} AND start_at < ? AND end_at > ? ORDER BY start_at`)
      .all(roomId, end, start) as BookingRow[];
  }

  /** How many bookings of the room are not over yet (the API bounds it). */
  countUpcoming(roomId: string, at: number): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM bookings WHERE room_id = ? AND ${HOLDS} AND end_at > ?`).get(roomId, at) as { n: number }).n;
  }

  /** The booking holding the room at `at` (or, with `earlyMs`, starting within that long after it), if any. */
  current(roomId: string, at: number, earlyMs = 0): BookingRow | undefined {
    return this.db
      .prepare(`SELECT * FROM bookings WHERE room_id = ? AND ${HOLDS} AND start_at <= ? AND end_at > ? ORDER BY start_at LIMIT 1`)
      .get(roomId, at + earlyMs, at) as BookingRow | undefined;
  }

  /** The first booking holding the room that starts after `at`. */
  next(roomId: string, at: number): BookingRow | undefined {
    return this.db
      .prepare(`SELECT * FROM bookings WHERE room_id = ? AND ${HOLDS} AND start_at > ? ORDER BY start_at LIMIT 1`)
      .get(roomId, at) as BookingRow | undefined;
  }

  /** The room `deviceId` is in, with its profile's settings. */
  roomOf(deviceId: string): DeviceRoom | undefined {
    const row = this.db
      .prepare(
        `SELECT r.id AS room_id, r.name AS room_name, coalesce(p.settings, dp.settings) AS settings
         FROM devices d
         JOIN rooms r ON r.id = d.room_id
         LEFT JOIN room_profiles p ON p.id = r.profile_id
         LEFT JOIN room_profiles dp ON r.profile_id IS NULL AND dp.is_default = 1
         WHERE d.serial = ? AND d.status <> 'DEREGISTERED'`,
      )
      .get(deviceId) as { room_id: string; room_name: string; settings: string | null } | undefined;
    return row && { roomId: row.room_id, roomName: row.room_name, settings: row.settings ?? undefined };
  }

  checkIn(id: string, at: number): void {
    this.db.prepare(`UPDATE bookings SET status = 'CHECKED_IN', checked_in_at = ?, updated_at = ? WHERE id = ? AND status = 'BOOKED'`).run(at, at, id);
  }

  /** Ends a booking at `at` (after its start): the rest of it is free again. */
  end(id: string, at: number): void {
    this.db.prepare(`UPDATE bookings SET status = 'ENDED', end_at = max(?, start_at + 1), updated_at = ? WHERE id = ? AND ${HOLDS}`).run(at, at, id);
  }

  /** When the next waiting booking is due to be released (wall-clock ms), or undefined. */
  nextRelease(): number | undefined {
    const row = this.db.prepare(`SELECT min(release_at) AS t FROM (${RELEASE_AT})`).get() as { t: number | null };
    return row.t ?? undefined;
  }

  /**
   * Releases every booking whose check-in window has passed at `at` without a check-in, and drops
   * bookings over for longer than BOOKING_HISTORY_MS. Returns the released bookings.
   */
  releaseDue(at: number): BookingRow[] {
    return this.transaction(() => {
      const due = this.db.prepare(`SELECT id FROM (${RELEASE_AT}) WHERE release_at <= ?`).all(at) as Array<{ id: string }>;
      const release = this.db.prepare(`UPDATE bookings SET status = 'RELEASED', updated_at = ? WHERE id = ? AND status = 'BOOKED'`);
      for (const { id } of due) release.run(at, id);
      this.db.prepare('DELETE FROM bookings WHERE end_at <= ?').run(at - BOOKING_HISTORY_MS);
      return due.map(({ id }) => this.get(id)!);
    });
  }
}

/** The room a device is in and the room profile settings it uses (its own profile, or the default). */
export interface DeviceRoom {
  roomId: string;
  roomName: string;
  /** The profile's stored settings (JSON), undefined when the room has no profile and there is no default. */
  settings: string | undefined;
}

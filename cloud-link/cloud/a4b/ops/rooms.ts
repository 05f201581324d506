import { z } from 'zod';
import { idFromArn, makeArn, newResourceId } from '../arn.js';
import { operation } from '../context.js';
import { devicesInRoom } from '../desired-state.js';
import { idempotent } from '../idempotency.js';
import { assertNameFree, loadProfile, loadRoom, type RoomRow } from '../rows.js';
import { runSearch } from '../search.js';
import { ArnInput, ClientRequestToken, SearchFields, text } from '../validation.js';

/**
 * Rooms: CreateRoom, GetRoom, UpdateRoom, DeleteRoom, SearchRooms. A room without a ProfileArn of its
 * own follows the default room profile; responses show the profile the room actually uses.
 */

const ProviderCalendarId = z.string().max(100);

/** A room with the profile it uses (its own, or the default). */
interface RoomView extends RoomRow {
  effective_profile_id: string | null;
  profile_name: string | null;
}

const ROOM_QUERY = `SELECT r.*, coalesce(p.id, dp.id) AS effective_profile_id, coalesce(p.name, dp.name) AS profile_name
  FROM rooms r
  LEFT JOIN room_profiles p ON p.id = r.profile_id
  LEFT JOIN room_profiles dp ON r.profile_id IS NULL AND dp.is_default = 1`;

function renderRoom(row: RoomView, withProfileName: boolean): Record<string, unknown> {
  return {
    RoomArn: makeArn('room', row.id),
    RoomName: row.name,
    ...(row.description === null ? {} : { Description: row.description }),
    ...(row.provider_calendar_id === null ? {} : { ProviderCalendarId: row.provider_calendar_id }),
    ...(row.effective_profile_id === null ? {} : { ProfileArn: makeArn('profile', row.effective_profile_id) }),
    ...(withProfileName && row.profile_name !== null ? { ProfileName: row.profile_name } : {}),
  };
}

const CreateRoom = operation(
  z.strictObject({
    RoomName: text(1, 100),
    Description: text(1, 200).optional(),
    ProfileArn: ArnInput.optional(),
    ProviderCalendarId: ProviderCalendarId.optional(),
    ClientRequestToken: ClientRequestToken.optional(),
  }),
  (ctx, input) =>
    idempotent(ctx, 'CreateRoom', input.ClientRequestToken, input, () => {
      assertNameFree(ctx.db, 'rooms', input.RoomName, 'room');
      const profileId = input.ProfileArn === undefined ? null : loadProfile(ctx.db, input.ProfileArn).id;
      const id = newResourceId();
      const now = ctx.now();
      ctx.db
        .prepare('INSERT INTO rooms (id, name, description, provider_calendar_id, profile_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.RoomName, input.Description ?? null, input.ProviderCalendarId ?? null, profileId, now, now);
      return { RoomArn: makeArn('room', id) };
    }),
);

const GetRoom = operation(
  z.strictObject({ RoomArn: ArnInput }),
  (ctx, input) => {
    const id = loadRoom(ctx.db, input.RoomArn).id;
    return { Room: renderRoom(ctx.db.prepare(`${ROOM_QUERY} WHERE r.id = ?`).get(id) as RoomView, false) };
  },
  { readOnly: true },
);

const UpdateRoom = operation(
  z.strictObject({
    RoomArn: ArnInput,
    RoomName: text(1, 100).optional(),
    Description: text(1, 200).optional(),
    ProviderCalendarId: ProviderCalendarId.optional(),
    ProfileArn: ArnInput.optional(),
  }),
  (ctx, input) => {
    const row = loadRoom(ctx.db, input.RoomArn);
    const name = input.RoomName ?? row.name;
    if (name !== row.name) assertNameFree(ctx.db, 'rooms', name, 'room', row.id);
    const profileId = input.ProfileArn === undefined ? row.profile_id : loadProfile(ctx.db, input.ProfileArn).id;
    ctx.db
      .prepare('UPDATE rooms SET name = ?, description = ?, provider_calendar_id = ?, profile_id = ?, updated_at = ? WHERE id = ?')
      .run(name, input.Description ?? row.description, input.ProviderCalendarId ?? row.provider_calendar_id, profileId, ctx.now(), row.id);
    if (profileId !== row.profile_id) ctx.desiredChanged(devicesInRoom(ctx.db, row.id));
    return {};
  },
);

const DeleteRoom = operation(z.strictObject({ RoomArn: ArnInput }), (ctx, input) => {
  const row = loadRoom(ctx.db, input.RoomArn);
  // its devices leave the room (ON DELETE SET NULL) and lose its profile and skills
  const devices = devicesInRoom(ctx.db, row.id);
  ctx.db.prepare('DELETE FROM rooms WHERE id = ?').run(row.id);
  ctx.desiredChanged(devices);
  return {};
});

const SearchRooms = operation(
  z.strictObject(SearchFields),
  (ctx, input) => {
    const columns = { RoomName: 'name', ProfileName: 'profile_name' };
    const page = runSearch<RoomView>(
      ctx.db,
      'SearchRooms',
      {
        query: `SELECT * FROM (${ROOM_QUERY})`,
        filters: { ...columns, RoomArn: (values) => ({ sql: values.map(() => 'id = ?').join(' OR '), params: values.map((v) => idOrNone(v)) }) },
        sorts: columns,
        order: 'name COLLATE NOCASE, id',
      },
      input,
    );
    return {
      Rooms: page.rows.map((row) => renderRoom(row, true)),
      TotalCount: page.total,
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  },
  { readOnly: true },
);

/** A room ARN's id, or a value no room id can have (a filter on a foreign ARN matches nothing). */
function idOrNone(arn: string): string {
  try {
    return idFromArn(arn, 'room');
  } catch {
    return '\u0000';
  }
}

export const roomOperations = { CreateRoom, GetRoom, UpdateRoom, DeleteRoom, SearchRooms };

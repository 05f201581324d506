import { z } from 'zod';
import { makeArn, newResourceId } from '../arn.js';
import { operation, type OpContext } from '../context.js';
import { devicesFollowingDefault, devicesUsingProfile } from '../desired-state.js';
import { assertDeviceAcceptsRoomProfile, assertWakeWordCovered } from '../device-contract.js';
import { A4bError } from '../errors.js';
import { canonicalJson, idempotent } from '../idempotency.js';
import { CreateProfileInput, mergeMeetingRoom, RoomProfileBody, UpdateProfileInput } from '../profile-schema.js';
import { assertNameFree, defaultProfile, loadProfile, profileSettings, renderProfile, type ProfileRow } from '../rows.js';
import { runSearch } from '../search.js';
import { ArnInput, parseInput, SearchFields } from '../validation.js';

/**
 * Room profiles: CreateProfile, GetProfile, UpdateProfile, DeleteProfile, SearchProfiles.
 *
 * Exactly one profile is the default while any exists (a unique index holds the database to it):
 * the first profile becomes the default unless it says IsDefault: false, and a room without a
 * ProfileArn follows the default. Changing a profile re-targets every device that follows it.
 */

function setDefault(ctx: OpContext, id: string): void {
  const before = defaultProfile(ctx.db);
  if (before?.id === id) return;
  const followers = devicesFollowingDefault(ctx.db);
  ctx.db.prepare('UPDATE room_profiles SET is_default = 0 WHERE is_default = 1').run();
  ctx.db.prepare('UPDATE room_profiles SET is_default = 1, updated_at = ? WHERE id = ?').run(ctx.now(), id);
  ctx.desiredChanged(followers);
}

const CreateProfile = operation(CreateProfileInput, (ctx, input) =>
  idempotent(ctx, 'CreateProfile', input.ClientRequestToken, input, () => {
    const { ProfileName, IsDefault, ClientRequestToken: _token, ...settings } = input;
    assertDeviceAcceptsRoomProfile({ ProfileName, ...settings }, '');
    assertWakeWordCovered(settings.WakeWord, ctx.wakeWords, '');
    assertNameFree(ctx.db, 'room_profiles', ProfileName, 'room profile');
    const id = newResourceId();
    const now = ctx.now();
    ctx.db
      .prepare('INSERT INTO room_profiles (id, name, is_default, settings, created_at, updated_at) VALUES (?, ?, 0, ?, ?, ?)')
      .run(id, ProfileName, JSON.stringify(settings), now, now);
    if (IsDefault === true || (IsDefault === undefined && !defaultProfile(ctx.db))) setDefault(ctx, id);
    return { ProfileArn: makeArn('profile', id) };
  }),
);

const GetProfile = operation(
  z.strictObject({ ProfileArn: ArnInput }),
  (ctx, input) => ({ Profile: renderProfile(loadProfile(ctx.db, input.ProfileArn)) }),
  { readOnly: true },
);

const UpdateProfile = operation(UpdateProfileInput, (ctx, input) => {
  const row = loadProfile(ctx.db, input.ProfileArn);
  const { ProfileArn: _arn, ProfileName, IsDefault, MeetingRoomConfiguration, ...fields } = input;
  const current = profileSettings(row);
  const merged: Record<string, unknown> = { ...current, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
  if (MeetingRoomConfiguration !== undefined) merged.MeetingRoomConfiguration = mergeMeetingRoom(current.MeetingRoomConfiguration, MeetingRoomConfiguration);
  const name = ProfileName ?? row.name;
  // the result must be a complete, valid profile (e.g. a reminder enabled without its minutes is not)
  const { ProfileName: _name, ...settings } = parseInput(RoomProfileBody, { ProfileName: name, ...merged });
  assertDeviceAcceptsRoomProfile({ ProfileName: name, ...settings }, '');
  assertWakeWordCovered(settings.WakeWord, ctx.wakeWords, '');
  if (name !== row.name) assertNameFree(ctx.db, 'room_profiles', name, 'room profile', row.id);
  if (IsDefault === false && row.is_default === 1) {
    throw new A4bError('ValidationException', 'to change the default room profile, set IsDefault: true on the new default');
  }
  const changed = name !== row.name || canonicalJson(settings) !== canonicalJson(current);
  if (changed) {
    ctx.db
      .prepare('UPDATE room_profiles SET name = ?, settings = ?, updated_at = ? WHERE id = ?')
      .run(name, JSON.stringify(settings), ctx.now(), row.id);
    ctx.desiredChanged(devicesUsingProfile(ctx.db, row.id, row.is_default === 1));
  }
  if (IsDefault === true) setDefault(ctx, row.id);
  return {};
});

const DeleteProfile = operation(z.strictObject({ ProfileArn: ArnInput }), (ctx, input) => {
  const row = loadProfile(ctx.db, input.ProfileArn);
  const rooms = (ctx.db.prepare('SELECT count(*) AS n FROM rooms WHERE profile_id = ?').get(row.id) as { n: number }).n;
  if (rooms > 0) throw new A4bError('ResourceInUseException', `room profile ${row.name} is used by ${rooms} room(s); give them another profile first`);
  if (row.is_default === 1) {
    const others = (ctx.db.prepare('SELECT count(*) AS n FROM room_profiles WHERE id <> ?').get(row.id) as { n: number }).n;
    const followers = (ctx.db.prepare('SELECT count(*) AS n FROM rooms WHERE profile_id IS NULL').get() as { n: number }).n;
    if (others > 0 || followers > 0) {
      throw new A4bError(
        'ResourceInUseException',
        `room profile ${row.name} is the default${followers > 0 ? ` that ${followers} room(s) follow` : ''}; make another profile the default first`,
      );
    }
  }
  ctx.db.prepare('DELETE FROM room_profiles WHERE id = ?').run(row.id);
  return {};
});

const SearchProfiles = operation(
  z.strictObject(SearchFields),
  (ctx, input) => {
    const page = runSearch<ProfileRow>(
      ctx.db,
      'SearchProfiles',
      {
        query: 'SELECT p.* FROM room_profiles p',
        filters: { ProfileName: 'p.name', Address: "json_extract(p.settings, '$.Address')" },
        sorts: { ProfileName: 'p.name', Address: "json_extract(p.settings, '$.Address')" },
        order: 'p.name COLLATE NOCASE, p.id',
      },
      input,
    );
    const Profiles = page.rows.map((row) => {
      const p = renderProfile(row);
      const pick = ['ProfileArn', 'ProfileName', 'IsDefault', 'Address', 'Timezone', 'DistanceUnit', 'TemperatureUnit', 'WakeWord', 'Locale'];
      return Object.fromEntries(pick.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
    });
    return { Profiles, TotalCount: page.total, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  },
  { readOnly: true },
);

export const profileOperations = { CreateProfile, GetProfile, UpdateProfile, DeleteProfile, SearchProfiles };

import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { desiredChangedFor, expectA4bError, openHarness, PROFILE, type Harness } from './helpers.js';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(() => h.cleanup());

describe('CreateProfile / GetProfile', () => {
  test('creates a profile with every A4B field and gets it back; the first profile is the default', async () => {
    const { ProfileArn } = await h.call('CreateProfile', PROFILE);
    expect(ProfileArn).toMatch(new RegExp(`^${ARN_PREFIX}profile/[0-9a-f]{32}$`));
    const { Profile } = await h.call('GetProfile', { ProfileArn });
    expect(Profile).toEqual({ ProfileArn, IsDefault: true, ...PROFILE });
    const second = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Second' });
    expect((await h.call('GetProfile', { ProfileArn: second.ProfileArn })).Profile.IsDefault).toBe(false);
  });

  test('names are unique (NameInUseException)', async () => {
    await h.call('CreateProfile', PROFILE);
    await expectA4bError(h.call('CreateProfile', PROFILE), 'NameInUseException', /Meeting rooms/);
  });

  test.each([
    [{ MaxVolumeLimit: 11 }, /MaxVolumeLimit/],
    [{ MaxVolumeLimit: 0 }, /MaxVolumeLimit/],
    [{ MaxVolumeLimit: 5.5 }, /MaxVolumeLimit/],
    [{ Timezone: 'Mars/Olympus' }, /Timezone: must be an IANA time zone/],
    [{ WakeWord: 'HEY_YOU' }, /WakeWord/],
    [{ ProfileName: '' }, /ProfileName/],
    [{ ProfileName: 'x'.repeat(101) }, /ProfileName/],
    [{ Address: 'a'.repeat(501) }, /Address/],
    [{ DataRetention: 'FOREVER' }, /DataRetention/],
    [{ Locale: 'not a locale!' }, /Locale/],
    [{ Earcons: { StartOfRequest: true } }, /Earcons\.EndOfRequest/],
    [{ MeetingRoomConfiguration: { InstantBooking: { DurationInMinutes: 20, Enabled: true } } }, /MeetingRoomConfiguration\.InstantBooking\.DurationInMinutes: must be a multiple of 15/],
    [{ MeetingRoomConfiguration: { RequireCheckIn: { ReleaseAfterMinutes: 30, Enabled: true } } }, /RequireCheckIn\.ReleaseAfterMinutes/],
    [{ MeetingRoomConfiguration: { EndOfMeetingReminder: { ReminderAtMinutes: [2], ReminderType: 'CHIME', Enabled: true } } }, /ReminderAtMinutes\[0\]/],
    [{ MaxVolumLimit: 5 }, /Unrecognized key.*MaxVolumLimit/],
  ])('invalid input %j is a ValidationException naming the field', async (patch, message) => {
    await expectA4bError(h.call('CreateProfile', { ...PROFILE, ...patch }), 'ValidationException', message);
    expect((await h.call('SearchProfiles')).TotalCount).toBe(0);
  });

  test('missing required fields are listed; a non-object input is refused', async () => {
    const err = await expectA4bError(h.call('CreateProfile', { ProfileName: 'x' }), 'ValidationException');
    for (const field of ['Timezone', 'Address', 'DistanceUnit', 'TemperatureUnit', 'WakeWord']) expect(err.message).toContain(field);
    await expectA4bError(h.call('CreateProfile', [1, 2]), 'ValidationException', /JSON object/);
  });

  test('GetProfile of an unknown or foreign ARN is NotFoundException; unknown operations are refused', async () => {
    await expectA4bError(h.call('GetProfile', { ProfileArn: `${ARN_PREFIX}profile/ffff` }), 'NotFoundException');
    await expectA4bError(h.call('GetProfile', { ProfileArn: `${ARN_PREFIX}room/ffff` }), 'NotFoundException');
    await expectA4bError(h.call('GetProfile', { ProfileArn: 'arn:aws:a4b:us-east-1:123:profile/x' }), 'NotFoundException');
    await expectA4bError(h.call('CreateAddressBook', {}), 'UnknownOperationException');
    await expectA4bError(h.call('toString', {}), 'UnknownOperationException');
  });
});

describe('ClientRequestToken idempotency', () => {
  test('the same token and input returns the first response and creates once', async () => {
    const input = { ...PROFILE, ClientRequestToken: 'token-0000000001' };
    const a = await h.call('CreateProfile', input);
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const b = await h.call('CreateProfile', reordered);
    expect(b).toEqual(a);
    expect((await h.call('SearchProfiles')).TotalCount).toBe(1);
  });

  test('the same token with a different input is IdempotentParameterMismatchException', async () => {
    await h.call('CreateProfile', { ...PROFILE, ClientRequestToken: 'token-0000000002' });
    await expectA4bError(
      h.call('CreateProfile', { ...PROFILE, ProfileName: 'Other', ClientRequestToken: 'token-0000000002' }),
      'IdempotentParameterMismatchException',
    );
    // tokens are per operation
    const room = await h.call('CreateRoom', { RoomName: 'R', ClientRequestToken: 'token-0000000002' });
    expect(room.RoomArn).toContain(':room/');
  });

  test('a failed create does not consume its token; tokens are forgotten after 24 h', async () => {
    await h.call('CreateProfile', PROFILE);
    const token = 'token-0000000003';
    await expectA4bError(h.call('CreateProfile', { ...PROFILE, ClientRequestToken: token }), 'NameInUseException');
    const ok = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Fresh', ClientRequestToken: token });
    expect(ok.ProfileArn).toBeDefined();
    await h.clock.advance(24 * 3600 * 1000 + 1);
    await expectA4bError(h.call('CreateProfile', { ...PROFILE, ProfileName: 'Fresh', ClientRequestToken: token }), 'NameInUseException');
  });

  test('malformed tokens are refused', async () => {
    await expectA4bError(h.call('CreateProfile', { ...PROFILE, ClientRequestToken: 'short' }), 'ValidationException', /ClientRequestToken/);
    await expectA4bError(h.call('CreateProfile', { ...PROFILE, ClientRequestToken: '-bad-start-1234' }), 'ValidationException', /ClientRequestToken/);
  });
});

describe('UpdateProfile', () => {
  test('updates given fields, merges meeting-room settings, and re-targets the devices of its rooms', async () => {
    const { ProfileArn } = await h.call('CreateProfile', PROFILE);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Boardroom', ProfileArn });
    await h.call('RegisterDevice', { DeviceSerialNumber: 'DOT1', DeviceType: 'echo-dot-3', DeviceName: 'Dot 1', RoomArn });
    h.events.length = 0;
    await h.call('UpdateProfile', {
      ProfileArn,
      MaxVolumeLimit: 4,
      WakeWord: 'COMPUTER',
      MeetingRoomConfiguration: { InstantBooking: { DurationInMinutes: 60 } },
    });
    const { Profile } = await h.call('GetProfile', { ProfileArn });
    expect(Profile).toMatchObject({ MaxVolumeLimit: 4, WakeWord: 'COMPUTER', Address: PROFILE.Address });
    expect(Profile.MeetingRoomConfiguration.InstantBooking).toEqual({ DurationInMinutes: 60, Enabled: true });
    expect(Profile.MeetingRoomConfiguration.RequireCheckIn).toEqual(PROFILE.MeetingRoomConfiguration.RequireCheckIn);
    expect(desiredChangedFor(h.events)).toEqual(['DOT1']);
    expect(h.service.desiredStateFor('DOT1').roomProfile).toMatchObject({ MaxVolumeLimit: 4, WakeWord: 'COMPUTER', ProfileName: PROFILE.ProfileName });

    // an update that changes nothing announces nothing
    h.events.length = 0;
    await h.call('UpdateProfile', { ProfileArn, MaxVolumeLimit: 4 });
    expect(desiredChangedFor(h.events)).toEqual([]);
  });

  test('the merged result must be valid, the new name free; IsDefault moves the default', async () => {
    const { ProfileArn } = await h.call('CreateProfile', { ...PROFILE, MeetingRoomConfiguration: undefined });
    const other = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Other' });
    await expectA4bError(
      h.call('UpdateProfile', { ProfileArn, MeetingRoomConfiguration: { InstantBooking: { Enabled: true } } }),
      'ValidationException',
      /MeetingRoomConfiguration\.InstantBooking\.DurationInMinutes/,
    );
    await expectA4bError(h.call('UpdateProfile', { ProfileArn, ProfileName: 'Other' }), 'NameInUseException');
    await expectA4bError(h.call('UpdateProfile', { ProfileArn, IsDefault: false }), 'ValidationException', /IsDefault/);
    await h.call('UpdateProfile', { ProfileArn: other.ProfileArn, IsDefault: true });
    expect((await h.call('GetProfile', { ProfileArn })).Profile.IsDefault).toBe(false);
    expect((await h.call('GetProfile', { ProfileArn: other.ProfileArn })).Profile.IsDefault).toBe(true);
    await expectA4bError(h.call('UpdateProfile', { ProfileArn: `${ARN_PREFIX}profile/00`, MaxVolumeLimit: 3 }), 'NotFoundException');
  });

  test('moving the default re-targets devices in rooms that follow the default', async () => {
    const first = await h.call('CreateProfile', PROFILE);
    const second = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Quiet', MaxVolumeLimit: 2 });
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Follows default' });
    await h.call('RegisterDevice', { DeviceSerialNumber: 'D', DeviceType: 'echo-2', DeviceName: 'D1', RoomArn });
    expect(h.service.desiredStateFor('D').roomProfile?.ProfileName).toBe(PROFILE.ProfileName);
    expect((await h.call('GetRoom', { RoomArn })).Room.ProfileArn).toBe(first.ProfileArn);
    h.events.length = 0;
    await h.call('UpdateProfile', { ProfileArn: second.ProfileArn, IsDefault: true });
    expect(desiredChangedFor(h.events)).toEqual(['D']);
    expect(h.service.desiredStateFor('D').roomProfile).toMatchObject({ ProfileName: 'Quiet', MaxVolumeLimit: 2 });
  });
});

describe('DeleteProfile', () => {
  test('refuses a profile rooms use or the default others rely on; deletes otherwise', async () => {
    const def = await h.call('CreateProfile', PROFILE);
    const used = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Used' });
    const free = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Free' });
    await h.call('CreateRoom', { RoomName: 'R1', ProfileArn: used.ProfileArn });
    await expectA4bError(h.call('DeleteProfile', { ProfileArn: used.ProfileArn }), 'ResourceInUseException', /1 room/);
    await expectA4bError(h.call('DeleteProfile', { ProfileArn: def.ProfileArn }), 'ResourceInUseException', /default/);
    await h.call('DeleteProfile', { ProfileArn: free.ProfileArn });
    await expectA4bError(h.call('GetProfile', { ProfileArn: free.ProfileArn }), 'NotFoundException');
    await expectA4bError(h.call('DeleteProfile', { ProfileArn: free.ProfileArn }), 'NotFoundException');
  });
});

describe('SearchProfiles', () => {
  test('filters, sorts, pages with NextToken and counts', async () => {
    for (const name of ['Delta', 'alpha', 'Charlie', 'Bravo', 'Echo']) {
      await h.call('CreateProfile', { ...PROFILE, ProfileName: name, Address: name === 'Echo' ? 'Elsewhere' : PROFILE.Address });
    }
    const page1 = await h.call('SearchProfiles', { MaxResults: 2, SortCriteria: [{ Key: 'ProfileName', Value: 'DESC' }] });
    expect(page1.Profiles.map((p: { ProfileName: string }) => p.ProfileName)).toEqual(['Echo', 'Delta']);
    expect(page1.TotalCount).toBe(5);
    expect(page1.Profiles[0]).not.toHaveProperty('MeetingRoomConfiguration');
    const page2 = await h.call('SearchProfiles', { MaxResults: 2, SortCriteria: [{ Key: 'ProfileName', Value: 'DESC' }], NextToken: page1.NextToken });
    expect(page2.Profiles.map((p: { ProfileName: string }) => p.ProfileName)).toEqual(['Charlie', 'Bravo']);
    const page3 = await h.call('SearchProfiles', { MaxResults: 2, SortCriteria: [{ Key: 'ProfileName', Value: 'DESC' }], NextToken: page2.NextToken });
    expect(page3.Profiles.map((p: { ProfileName: string }) => p.ProfileName)).toEqual(['alpha']);
    expect(page3.NextToken).toBeUndefined();

    const filtered = await h.call('SearchProfiles', { Filters: [{ Key: 'Address', Values: ['Elsewhere'] }] });
    expect(filtered.Profiles.map((p: { ProfileName: string }) => p.ProfileName)).toEqual(['Echo']);
    const byName = await h.call('SearchProfiles', { Filters: [{ Key: 'ProfileName', Values: ['Bravo', 'Delta'] }] });
    expect(byName.TotalCount).toBe(2);

    await expectA4bError(h.call('SearchProfiles', { Filters: [{ Key: 'WakeWord', Values: ['ALEXA'] }] }), 'ValidationException', /Filters\[0\]\.Key/);
    await expectA4bError(h.call('SearchProfiles', { MaxResults: 51 }), 'ValidationException', /MaxResults/);
    await expectA4bError(h.call('SearchProfiles', { MaxResults: 0 }), 'ValidationException', /MaxResults/);
    await expectA4bError(h.call('SearchProfiles', { NextToken: page1.NextToken, Filters: [{ Key: 'Address', Values: ['x'] }] }), 'ValidationException', /NextToken/);
    await expectA4bError(h.call('SearchProfiles', { NextToken: 'garbage' }), 'ValidationException', /NextToken/);
  });
});

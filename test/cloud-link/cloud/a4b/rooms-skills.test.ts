import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { desiredChangedFor, expectA4bError, openHarness, PROFILE, type Harness } from './helpers.js';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(() => h.cleanup());

const SKILL_A = 'amzn1.ask.skill.0a1b2c3d-0000-4000-8000-000000000001';
const SKILL_B = 'amzn1.ask.skill.0a1b2c3d-0000-4000-8000-000000000002';

async function device(serial: string, RoomArn?: string): Promise<void> {
  await h.call('RegisterDevice', { DeviceSerialNumber: serial, DeviceType: 'echo-dot-3', DeviceName: `Dev ${serial}`, ...(RoomArn ? { RoomArn } : {}) });
}

describe('rooms', () => {
  test('create, get (with the profile it uses), update, delete', async () => {
    const profile = await h.call('CreateProfile', PROFILE);
    const quiet = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Quiet', MaxVolumeLimit: 3 });
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Lobby', Description: 'ground floor', ProviderCalendarId: 'cal-1' });
    expect(RoomArn).toMatch(new RegExp(`^${ARN_PREFIX}room/[0-9a-f]{32}$`));
    expect((await h.call('GetRoom', { RoomArn })).Room).toEqual({
      RoomArn,
      RoomName: 'Lobby',
      Description: 'ground floor',
      ProviderCalendarId: 'cal-1',
      ProfileArn: profile.ProfileArn,
    });
    await device('L1', RoomArn);
    h.events.length = 0;
    await h.call('UpdateRoom', { RoomArn, RoomName: 'Main lobby', ProfileArn: quiet.ProfileArn });
    expect((await h.call('GetRoom', { RoomArn })).Room).toMatchObject({ RoomName: 'Main lobby', Description: 'ground floor', ProfileArn: quiet.ProfileArn });
    expect(desiredChangedFor(h.events)).toEqual(['L1']);
    expect(h.service.desiredStateFor('L1').roomProfile?.MaxVolumeLimit).toBe(3);

    // renaming alone does not touch devices
    h.events.length = 0;
    await h.call('UpdateRoom', { RoomArn, Description: 'lobby' });
    expect(desiredChangedFor(h.events)).toEqual([]);

    await h.call('DeleteRoom', { RoomArn });
    expect(desiredChangedFor(h.events)).toEqual(['L1']);
    expect(h.service.desiredStateFor('L1')).toEqual({ profileVersion: expect.any(Number) });
    expect((await h.call('GetDevice', { DeviceArn: `${ARN_PREFIX}device/L1` })).Device).not.toHaveProperty('RoomArn');
    await expectA4bError(h.call('GetRoom', { RoomArn }), 'NotFoundException');
  });

  test('errors: duplicate names, unknown profile, bad fields', async () => {
    await h.call('CreateRoom', { RoomName: 'A' });
    const b = await h.call('CreateRoom', { RoomName: 'B' });
    await expectA4bError(h.call('CreateRoom', { RoomName: 'A' }), 'NameInUseException');
    await expectA4bError(h.call('UpdateRoom', { RoomArn: b.RoomArn, RoomName: 'A' }), 'NameInUseException');
    await expectA4bError(h.call('CreateRoom', { RoomName: 'C', ProfileArn: `${ARN_PREFIX}profile/00` }), 'NotFoundException');
    await expectA4bError(h.call('CreateRoom', { RoomName: 'D', Description: '' }), 'ValidationException', /Description/);
    await expectA4bError(h.call('CreateRoom', { RoomName: 'E', ProviderCalendarId: 'x'.repeat(101) }), 'ValidationException', /ProviderCalendarId/);
    await expectA4bError(h.call('DeleteRoom', { RoomArn: `${ARN_PREFIX}room/00` }), 'NotFoundException');
  });

  test('search by RoomName and ProfileName (the profile rooms actually use), sorted', async () => {
    const def = await h.call('CreateProfile', PROFILE);
    const quiet = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Quiet' });
    await h.call('CreateRoom', { RoomName: 'b-room' });
    await h.call('CreateRoom', { RoomName: 'A-room', ProfileArn: quiet.ProfileArn });
    await h.call('CreateRoom', { RoomName: 'c-room', ProfileArn: def.ProfileArn });
    const all = await h.call('SearchRooms', {});
    expect(all.Rooms.map((r: { RoomName: string }) => r.RoomName)).toEqual(['A-room', 'b-room', 'c-room']);
    expect(all.Rooms[1]).toMatchObject({ ProfileName: PROFILE.ProfileName, ProfileArn: def.ProfileArn });
    const byProfile = await h.call('SearchRooms', { Filters: [{ Key: 'ProfileName', Values: [PROFILE.ProfileName] }], SortCriteria: [{ Key: 'RoomName', Value: 'DESC' }] });
    expect(byProfile.Rooms.map((r: { RoomName: string }) => r.RoomName)).toEqual(['c-room', 'b-room']);
    const byName = await h.call('SearchRooms', { Filters: [{ Key: 'RoomName', Values: ['A-room'] }] });
    expect(byName.TotalCount).toBe(1);
  });
});

describe('skill groups', () => {
  test('CRUD and search', async () => {
    const { SkillGroupArn } = await h.call('CreateSkillGroup', { SkillGroupName: 'Office', Description: 'office skills' });
    expect(SkillGroupArn).toMatch(new RegExp(`^${ARN_PREFIX}skill-group/`));
    expect((await h.call('GetSkillGroup', { SkillGroupArn })).SkillGroup).toEqual({
      SkillGroupArn,
      SkillGroupName: 'Office',
      Description: 'office skills',
      SkillIds: [],
    });
    await h.call('UpdateSkillGroup', { SkillGroupArn, SkillGroupName: 'Office skills' });
    await h.call('CreateSkillGroup', { SkillGroupName: 'Admin' });
    await expectA4bError(h.call('CreateSkillGroup', { SkillGroupName: 'Admin' }), 'NameInUseException');
    const found = await h.call('SearchSkillGroups', { Filters: [{ Key: 'SkillGroupName', Values: ['Office skills'] }] });
    expect(found.SkillGroups).toEqual([{ SkillGroupArn, SkillGroupName: 'Office skills', Description: 'office skills' }]);
    const sorted = await h.call('SearchSkillGroups', { SortCriteria: [{ Key: 'SkillGroupName', Value: 'ASC' }] });
    expect(sorted.SkillGroups.map((g: { SkillGroupName: string }) => g.SkillGroupName)).toEqual(['Admin', 'Office skills']);
    await h.call('DeleteSkillGroup', { SkillGroupArn });
    await expectA4bError(h.call('GetSkillGroup', { SkillGroupArn }), 'NotFoundException');
  });

  test('skills of groups associated with a room are enabled on its devices; every change re-targets them', async () => {
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Kitchen' });
    const other = await h.call('CreateRoom', { RoomName: 'Garage' });
    await device('K1', RoomArn);
    await device('K2', RoomArn);
    await device('G1', other.RoomArn);
    const { SkillGroupArn } = await h.call('CreateSkillGroup', { SkillGroupName: 'Cooking' });

    h.events.length = 0;
    await h.call('AssociateSkillWithSkillGroup', { SkillGroupArn, SkillId: SKILL_B });
    expect(desiredChangedFor(h.events)).toEqual([]); // no room uses the group yet
    await h.call('AssociateSkillGroupWithRoom', { SkillGroupArn, RoomArn });
    expect(desiredChangedFor(h.events)).toEqual(['K1', 'K2']);
    await h.call('AssociateSkillWithSkillGroup', { SkillGroupArn, SkillId: SKILL_A });
    expect(h.service.skillsFor('K1')).toEqual([SKILL_A, SKILL_B]);
    expect(h.service.skillsFor('G1')).toEqual([]);
    expect((await h.call('GetSkillGroup', { SkillGroupArn })).SkillGroup.SkillIds).toEqual([SKILL_A, SKILL_B]);

    // repeating an association changes nothing
    h.events.length = 0;
    await h.call('AssociateSkillGroupWithRoom', { SkillGroupArn, RoomArn });
    await h.call('AssociateSkillWithSkillGroup', { SkillGroupArn, SkillId: SKILL_A });
    expect(desiredChangedFor(h.events)).toEqual([]);

    await h.call('DisassociateSkillFromSkillGroup', { SkillGroupArn, SkillId: SKILL_B });
    expect(h.service.skillsFor('K2')).toEqual([SKILL_A]);
    await h.call('DisassociateSkillGroupFromRoom', { SkillGroupArn, RoomArn });
    expect(h.service.skillsFor('K2')).toEqual([]);
    expect(desiredChangedFor(h.events)).toEqual(['K1', 'K2', 'K1', 'K2']);

    await h.call('AssociateSkillGroupWithRoom', { SkillGroupArn, RoomArn: other.RoomArn });
    h.events.length = 0;
    await h.call('DeleteSkillGroup', { SkillGroupArn });
    expect(desiredChangedFor(h.events)).toEqual(['G1']);
    expect(h.service.skillsFor('G1')).toEqual([]);
  });

  test('errors: bad skill ids, unknown groups and rooms', async () => {
    const { SkillGroupArn } = await h.call('CreateSkillGroup', { SkillGroupName: 'G' });
    await expectA4bError(h.call('AssociateSkillWithSkillGroup', { SkillGroupArn, SkillId: 'my-skill' }), 'ValidationException', /SkillId/);
    await expectA4bError(
      h.call('AssociateSkillWithSkillGroup', { SkillGroupArn: `${ARN_PREFIX}skill-group/00`, SkillId: SKILL_A }),
      'NotFoundException',
    );
    await expectA4bError(h.call('AssociateSkillGroupWithRoom', { SkillGroupArn, RoomArn: `${ARN_PREFIX}room/00` }), 'NotFoundException');
    await expectA4bError(h.call('AssociateSkillGroupWithRoom', { SkillGroupArn }), 'ValidationException', /RoomArn/);
  });
});

import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import type { CloudJob } from '../../../../cloud-link/cloud/db/job-store.js';
import { desiredChangedFor, expectA4bError, jsonText, NETWORK, openHarness, PROFILE, WIFI_PASSWORD, type Harness } from './helpers.js';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(() => h.cleanup());

const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;
const HOUR = 3600 * 1000;

async function register(serial: string, RoomArn?: string): Promise<void> {
  await h.call('RegisterDevice', { DeviceSerialNumber: serial, DeviceType: 'echo-dot-3', DeviceName: `Device ${serial}`, ...(RoomArn ? { RoomArn } : {}) });
}

function jobsCreated(): Array<{ deviceId: string; job: CloudJob }> {
  return h.events.filter((e) => e.name === 'job-created').map((e) => e.payload as { deviceId: string; job: CloudJob });
}

describe('StartDeviceSync', () => {
  test('queues a reset job for one device, or for every device of a room', async () => {
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R' });
    await register('S1', RoomArn);
    await register('S2', RoomArn);
    await register('S3');
    h.events.length = 0;
    await h.call('StartDeviceSync', { DeviceArn: arn('S3'), Features: ['LISTS', 'VOLUME', 'LISTS'] });
    expect(jobsCreated()).toEqual([{ deviceId: 'S3', job: expect.objectContaining({ operation: 'reset', parameters: { Features: ['LISTS', 'VOLUME'] }, status: 'QUEUED' }) }]);
    expect(desiredChangedFor(h.events)).toEqual(['S3']);

    h.events.length = 0;
    await h.call('StartDeviceSync', { RoomArn, Features: ['ALL'] });
    expect(jobsCreated().map((j) => j.deviceId)).toEqual(['S1', 'S2']);
    expect(h.service.jobs.list('S1', 'QUEUED').map((j) => j.parameters)).toEqual([{ Features: ['ALL'] }]);
  });

  test('errors: neither or both targets, unknown features, deregistered devices', async () => {
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R' });
    await register('S1', RoomArn);
    await expectA4bError(h.call('StartDeviceSync', { Features: ['ALL'] }), 'ValidationException', /DeviceArn or RoomArn/);
    await expectA4bError(h.call('StartDeviceSync', { RoomArn, DeviceArn: arn('S1'), Features: ['ALL'] }), 'ValidationException');
    await expectA4bError(h.call('StartDeviceSync', { DeviceArn: arn('S1'), Features: ['WIFI'] }), 'ValidationException', /Features\[0\]/);
    await expectA4bError(h.call('StartDeviceSync', { DeviceArn: arn('S1'), Features: [] }), 'ValidationException', /Features/);
    await h.call('DeleteDevice', { DeviceArn: arn('S1') });
    await expectA4bError(h.call('StartDeviceSync', { DeviceArn: arn('S1'), Features: ['ALL'] }), 'DeviceNotRegisteredException');
    await expectA4bError(h.call('StartDeviceSync', { DeviceArn: arn('S9'), Features: ['ALL'] }), 'NotFoundException');
  });
});

describe('DeleteDeviceUsageData', () => {
  test('deletes the device recordings, tells the file store and the device, at most once per 24 h per device', async () => {
    await register('U1');
    await register('U2');
    for (const id of ['a', 'b']) h.service.addRecording({ id, deviceId: 'U1', createdAt: h.clock.wallNow(), bytes: 100, durationMs: 50, confirmed: true });
    h.service.addRecording({ id: 'c', deviceId: 'U2', createdAt: h.clock.wallNow(), bytes: 100, durationMs: 50, confirmed: true });
    h.events.length = 0;

    await h.call('DeleteDeviceUsageData', { DeviceArn: arn('U1'), DeviceUsageType: 'VOICE' });
    expect(h.events.find((e) => e.name === 'recordings-deleted')?.payload).toEqual({ deviceId: 'U1', ids: ['a', 'b'] });
    expect(jobsCreated()).toEqual([{ deviceId: 'U1', job: expect.objectContaining({ operation: 'delete-recordings', parameters: { DeviceUsageType: 'VOICE' } }) }]);
    expect(h.service.recordings.list('U1')).toEqual([]);
    expect(h.service.recordings.list('U2').map((r) => r.id)).toEqual(['c']);

    await h.clock.advance(23 * HOUR);
    await expectA4bError(h.call('DeleteDeviceUsageData', { DeviceArn: arn('U1'), DeviceUsageType: 'VOICE' }), 'LimitExceededException', /24 hours/);
    // the limit is per device
    await h.call('DeleteDeviceUsageData', { DeviceArn: arn('U2'), DeviceUsageType: 'VOICE' });
    await h.clock.advance(HOUR - 1);
    await expectA4bError(h.call('DeleteDeviceUsageData', { DeviceArn: arn('U1'), DeviceUsageType: 'VOICE' }), 'LimitExceededException');
    await h.clock.advance(1);
    await h.call('DeleteDeviceUsageData', { DeviceArn: arn('U1'), DeviceUsageType: 'VOICE' });

    // the limit survives a restart
    h.reopen();
    await expectA4bError(h.call('DeleteDeviceUsageData', { DeviceArn: arn('U1'), DeviceUsageType: 'VOICE' }), 'LimitExceededException');
  });

  test('errors: unknown usage type, unknown or deregistered device', async () => {
    await register('U1');
    await expectA4bError(h.call('DeleteDeviceUsageData', { DeviceArn: arn('U1'), DeviceUsageType: 'TEXT' }), 'ValidationException', /DeviceUsageType/);
    await expectA4bError(h.call('DeleteDeviceUsageData', { DeviceArn: arn('NO'), DeviceUsageType: 'VOICE' }), 'NotFoundException');
    await h.call('DeleteDevice', { DeviceArn: arn('U1') });
    await expectA4bError(h.call('DeleteDeviceUsageData', { DeviceArn: arn('U1'), DeviceUsageType: 'VOICE' }), 'DeviceNotRegisteredException');
  });
});

describe('SendAnnouncement', () => {
  test('queues an announce job with a TTL for each device of the matching rooms, once per token', async () => {
    await h.call('CreateProfile', PROFILE); // the default, which Room A follows
    const quiet = await h.call('CreateProfile', { ...PROFILE, ProfileName: 'Quiet' });
    const a = await h.call('CreateRoom', { RoomName: 'Room A' });
    const b = await h.call('CreateRoom', { RoomName: 'Room B', ProfileArn: quiet.ProfileArn });
    await register('A1', a.RoomArn);
    await register('B1', b.RoomArn);
    await register('B2', b.RoomArn);
    h.events.length = 0;
    const input = {
      RoomFilters: [{ Key: 'ProfileName', Values: ['Quiet'] }],
      Content: { TextList: [{ Locale: 'en-US', Value: 'The building closes in 10 minutes' }] },
      TimeToLiveInSeconds: 60,
      ClientRequestToken: 'announce-0000001',
    };
    const res = await h.call('SendAnnouncement', input);
    expect(res.AnnouncementArn).toMatch(new RegExp(`^${ARN_PREFIX}announcement/`));
    expect(jobsCreated().map((j) => [j.deviceId, j.job.operation, j.job.parameters, j.job.source, j.job.expiresAt])).toEqual([
      ['B1', 'announce', { Text: 'The building closes in 10 minutes', Locale: 'en-US', TtlSeconds: 60 }, res.AnnouncementArn, h.clock.wallNow() + 60_000],
      ['B2', 'announce', { Text: 'The building closes in 10 minutes', Locale: 'en-US', TtlSeconds: 60 }, res.AnnouncementArn, h.clock.wallNow() + 60_000],
    ]);
    // a retry with the same token queues nothing more
    expect(await h.call('SendAnnouncement', input)).toEqual(res);
    expect(jobsCreated()).toHaveLength(2);
    // undelivered for longer than the TTL: timed out
    await h.clock.advance(60_000);
    expect(h.service.jobs.list('B1', 'QUEUED')).toEqual([]);
    expect(h.service.jobs.list('B1')[0]?.status).toBe('TIMED_OUT');
  });

  test('an empty filter list reaches every room; SSML is carried as such; default TTL 300 s', async () => {
    const a = await h.call('CreateRoom', { RoomName: 'A' });
    const b = await h.call('CreateRoom', { RoomName: 'B' });
    await register('A1', a.RoomArn);
    await register('B1', b.RoomArn);
    await register('NOROOM');
    h.events.length = 0;
    await h.call('SendAnnouncement', {
      RoomFilters: [],
      Content: { SsmlList: [{ Locale: 'en-US', Value: '<speak>Fire drill</speak>' }] },
      ClientRequestToken: 'announce-0000002',
    });
    expect(jobsCreated().map((j) => [j.deviceId, j.job.parameters])).toEqual([
      ['A1', { Ssml: '<speak>Fire drill</speak>', Locale: 'en-US', TtlSeconds: 300 }],
      ['B1', { Ssml: '<speak>Fire drill</speak>', Locale: 'en-US', TtlSeconds: 300 }],
    ]);
    await h.call('SendAnnouncement', {
      RoomFilters: [{ Key: 'RoomArn', Values: [a.RoomArn] }],
      Content: { TextList: [{ Locale: 'en-US', Value: 'hi' }] },
      ClientRequestToken: 'announce-0000003',
    });
    expect(jobsCreated().map((j) => j.deviceId)).toEqual(['A1', 'B1', 'A1']);
  });

  test.each([
    [{ Content: {} }, /exactly one of TextList or SsmlList/],
    [{ Content: { TextList: [{ Locale: 'en-US', Value: 'a' }], SsmlList: [{ Locale: 'en-US', Value: 'b' }] } }, /exactly one/],
    [{ Content: { AudioList: [{ Locale: 'en-US', Location: 's3://x' }] } }, /AudioList/],
    [{ TimeToLiveInSeconds: 0 }, /TimeToLiveInSeconds/],
    [{ TimeToLiveInSeconds: 3601 }, /TimeToLiveInSeconds/],
    [{ RoomFilters: [{ Key: 'Floor', Values: ['2'] }] }, /RoomFilters\[0\]\.Key/],
    [{ ClientRequestToken: undefined }, /ClientRequestToken/],
  ])('invalid %j is refused', async (patch, message) => {
    const input = { RoomFilters: [], Content: { TextList: [{ Locale: 'en-US', Value: 'x' }] }, ClientRequestToken: 'announce-0000009', ...patch };
    await expectA4bError(h.call('SendAnnouncement', input), 'ValidationException', message);
  });
});

describe('FlashDevice', () => {
  test("a flashed profile overrides the room's for that one device; null removes it", async () => {
    await h.call('CreateProfile', PROFILE);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R' });
    await register('F1', RoomArn);
    await register('F2', RoomArn);
    h.events.length = 0;
    const flashed = { ...PROFILE, ProfileName: 'Bench', MaxVolumeLimit: 2, WakeWord: 'ECHO' };
    const res = await h.call('FlashDevice', { DeviceArn: arn('F1'), RoomProfile: flashed });
    expect(res).toEqual({ DeviceArn: arn('F1'), RoomProfile: flashed });
    expect(desiredChangedFor(h.events)).toEqual(['F1']);
    expect(h.service.desiredStateFor('F1').roomProfile).toEqual(flashed);
    expect(h.service.desiredStateFor('F2').roomProfile?.ProfileName).toBe(PROFILE.ProfileName);
    expect((await h.call('GetDevice', { DeviceArn: arn('F1') })).Device.FlashedProfiles).toEqual({ RoomProfile: true, NetworkProfile: false });

    // changing the room's profile does not touch the flashed device
    h.events.length = 0;
    const { Profile } = await h.call('GetProfile', { ProfileArn: (await h.call('GetRoom', { RoomArn })).Room.ProfileArn });
    await h.call('UpdateProfile', { ProfileArn: Profile.ProfileArn, MaxVolumeLimit: 9 });
    expect(desiredChangedFor(h.events)).toEqual(['F2']);

    await h.call('FlashDevice', { DeviceArn: arn('F1'), RoomProfile: null });
    expect(h.service.desiredStateFor('F1').roomProfile).toMatchObject({ ProfileName: PROFILE.ProfileName, MaxVolumeLimit: 9 });
  });

  test('a flashed network profile reaches the device with its password; the response never has it', async () => {
    await register('F1');
    const res = await h.call('FlashDevice', { DeviceArn: arn('F1'), NetworkProfile: NETWORK });
    expect(res).toEqual({
      DeviceArn: arn('F1'),
      NetworkProfile: { NetworkProfileName: NETWORK.NetworkProfileName, Description: NETWORK.Description, Ssid: NETWORK.Ssid, SecurityType: 'WPA2_PSK' },
    });
    expect(jsonText(res)).not.toContain(WIFI_PASSWORD);
    expect(h.service.desiredStateFor('F1').networkProfile).toEqual(NETWORK);
    h.reopen();
    expect(h.service.desiredStateFor('F1').networkProfile?.CurrentPassword).toBe(WIFI_PASSWORD);
    await h.call('FlashDevice', { DeviceArn: arn('F1'), NetworkProfile: null });
    expect(h.service.desiredStateFor('F1').networkProfile).toBeUndefined();
  });

  test('invalid flashes are refused with nested field paths, and change nothing', async () => {
    await register('F1');
    await expectA4bError(h.call('FlashDevice', { DeviceArn: arn('F1') }), 'ValidationException', /RoomProfile and\/or NetworkProfile/);
    await expectA4bError(
      h.call('FlashDevice', { DeviceArn: arn('F1'), RoomProfile: { ...PROFILE, MaxVolumeLimit: 99 } }),
      'ValidationException',
      /RoomProfile\.MaxVolumeLimit/,
    );
    const err = await expectA4bError(
      h.call('FlashDevice', { DeviceArn: arn('F1'), RoomProfile: PROFILE, NetworkProfile: { ...NETWORK, SecurityType: 'OPEN' } }),
      'ValidationException',
      /NetworkProfile\.CurrentPassword/,
    );
    expect(err.message).not.toContain(WIFI_PASSWORD);
    expect(h.service.desiredStateFor('F1')).toEqual({ profileVersion: 1 });
    await expectA4bError(h.call('FlashDevice', { DeviceArn: arn('F9'), RoomProfile: PROFILE }), 'NotFoundException');
  });
});

describe('recordings (metadata only)', () => {
  test('ListDeviceRecordings pages ids, sizes and times; DeleteRecording deletes one and tells the file store', async () => {
    await register('R1');
    const t0 = h.clock.wallNow();
    for (let i = 0; i < 3; i++) {
      h.service.addRecording({ id: `rec-${i}`, deviceId: 'R1', roomArn: `${ARN_PREFIX}room/abc`, createdAt: t0 + i * 1000, bytes: 16000 * (i + 1), durationMs: 500 * (i + 1), confirmed: i !== 1 });
    }
    const page1 = await h.call('ListDeviceRecordings', { DeviceArn: arn('R1'), MaxResults: 2 });
    expect(page1.Recordings).toEqual([
      { RecordingId: 'rec-0', DeviceArn: arn('R1'), RoomArn: `${ARN_PREFIX}room/abc`, CreatedTime: t0 / 1000, SizeInBytes: 16000, DurationInMilliseconds: 500, Confirmed: true },
      { RecordingId: 'rec-1', DeviceArn: arn('R1'), RoomArn: `${ARN_PREFIX}room/abc`, CreatedTime: t0 / 1000 + 1, SizeInBytes: 32000, DurationInMilliseconds: 1000, Confirmed: false },
    ]);
    expect(page1.TotalCount).toBe(3);
    const page2 = await h.call('ListDeviceRecordings', { DeviceArn: arn('R1'), MaxResults: 2, NextToken: page1.NextToken });
    expect(page2.Recordings.map((r: { RecordingId: string }) => r.RecordingId)).toEqual(['rec-2']);
    await register('R2');
    await expectA4bError(h.call('ListDeviceRecordings', { DeviceArn: arn('R2'), NextToken: page1.NextToken }), 'ValidationException', /NextToken/);

    h.events.length = 0;
    await h.call('DeleteRecording', { RecordingId: 'rec-1' });
    expect(h.events).toEqual([{ name: 'recordings-deleted', payload: { deviceId: 'R1', ids: ['rec-1'] } }]);
    expect(h.service.recordings.list('R1').map((r) => r.id)).toEqual(['rec-0', 'rec-2']);
    await expectA4bError(h.call('DeleteRecording', { RecordingId: 'rec-1' }), 'NotFoundException');
  });

  test('no operation returns or accepts audio', async () => {
    const { OPERATION_NAMES } = await import('../../../../cloud-link/cloud/a4b/operations.js');
    expect(OPERATION_NAMES.filter((n) => /audio|download|play|get.*recording|transcri/i.test(n))).toEqual([]);
    await register('R1');
    h.service.addRecording({ id: 'only', deviceId: 'R1', createdAt: 1, bytes: 2, durationMs: 3, confirmed: true });
    const listed = await h.call('ListDeviceRecordings', { DeviceArn: arn('R1') });
    expect(Object.keys(listed.Recordings[0]).sort()).toEqual(['Confirmed', 'CreatedTime', 'DeviceArn', 'DurationInMilliseconds', 'RecordingId', 'SizeInBytes']);
  });
});

import { chmodSync, readFileSync, statSync } from 'node:fs';
import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { A4bService } from '../../../../cloud-link/cloud/a4b/service.js';
import { dataDirBytes, desiredChangedFor, expectA4bError, openHarness, PROFILE, type Harness } from './helpers.js';

let h: Harness;
afterEach(() => h.cleanup());

const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;

async function register(serial: string, extra: Record<string, unknown> = {}): Promise<void> {
  await h.call('RegisterDevice', { DeviceSerialNumber: serial, DeviceType: 'echo-dot-3', DeviceName: `Device ${serial}`, ...extra });
}

describe('admin token', () => {
  beforeEach(() => {
    h = openHarness();
  });

  test('is made on first open (file 0600, stored hashed) and stays valid across reopen', () => {
    const token = readFileSync(h.service.adminTokenFile, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(h.service.adminTokenFile).mode & 0o777).toBe(0o600);
    expect(h.service.readAdminToken()).toBe(token);
    expect(h.service.verifyAdminToken(token)).toBe(true);
    expect(h.service.verifyAdminToken(token)).toBe(true); // cached
    expect(h.service.verifyAdminToken(`${token.slice(0, -1)}A`)).toBe(token.endsWith('A'));
    expect(h.service.verifyAdminToken('')).toBe(false);
    expect(h.service.verifyAdminToken(undefined as unknown as string)).toBe(false);
    h.service.close();
    const files = dataDirBytes(h.dir).toString('latin1');
    expect(files.split(token).length - 1).toBe(1); // only in the admin-token file itself
    h.reopen();
    expect(readFileSync(h.service.adminTokenFile, 'utf8').trim()).toBe(token);
    expect(h.service.verifyAdminToken(token)).toBe(true);
  });

  test('rotation replaces it at once', () => {
    const old = h.service.readAdminToken() ?? '';
    expect(h.service.verifyAdminToken(old)).toBe(true);
    const fresh = h.service.rotateAdminToken();
    expect(fresh).not.toBe(old);
    expect(h.service.readAdminToken()).toBe(fresh);
    expect(statSync(h.service.adminTokenFile).mode & 0o777).toBe(0o600);
    expect(h.service.verifyAdminToken(old)).toBe(false);
    expect(h.service.verifyAdminToken(fresh)).toBe(true);
  });

  test('a token file others can read stops the service from opening', () => {
    h.service.close();
    chmodSync(h.service.adminTokenFile, 0o640);
    expect(() => A4bService.open({ dir: h.dir, clock: h.clock })).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_FILE_INSECURE' }));
    chmodSync(h.service.adminTokenFile, 0o600);
    h.reopen();
  });
});

describe('connection status and sync', () => {
  beforeEach(() => {
    h = openHarness({ syncFailureLimit: 3 });
  });

  test('ONLINE makes a device READY, OFFLINE WAS_OFFLINE, with the time; a late OFFLINE is ignored', async () => {
    await register('C1');
    const t0 = h.clock.wallNow();
    expect(h.service.setConnection('C1', 'ONLINE', t0)).toBe(true);
    let { Device } = await h.call('GetDevice', { DeviceArn: arn('C1') });
    expect(Device.DeviceStatus).toBe('READY');
    expect(Device.DeviceStatusInfo).toMatchObject({ ConnectionStatus: 'ONLINE', ConnectionStatusUpdatedTime: t0 / 1000, DeviceStatusDetails: [] });

    expect(h.service.setConnection('C1', 'OFFLINE', t0 + 5000)).toBe(true);
    ({ Device } = await h.call('GetDevice', { DeviceArn: arn('C1') }));
    expect(Device.DeviceStatus).toBe('WAS_OFFLINE');
    expect(Device.DeviceStatusInfo).toMatchObject({ ConnectionStatus: 'OFFLINE', DeviceStatusDetails: [{ Code: 'DEVICE_WAS_OFFLINE' }] });

    expect(h.service.setConnection('C1', 'ONLINE', t0 + 9000)).toBe(true);
    expect(h.service.setConnection('C1', 'OFFLINE', t0 + 7000)).toBe(false); // the last will of the old session, late
    ({ Device } = await h.call('GetDevice', { DeviceArn: arn('C1') }));
    expect(Device).toMatchObject({ DeviceStatus: 'READY', DeviceStatusInfo: { ConnectionStatus: 'ONLINE', ConnectionStatusUpdatedTime: (t0 + 9000) / 1000 } });

    expect(() => h.service.setConnection('NOPE', 'ONLINE')).toThrow(expect.objectContaining({ name: 'NotFoundException' }));
    await h.call('DeleteDevice', { DeviceArn: arn('C1') });
    expect(h.service.setConnection('C1', 'ONLINE', t0 + 99_000)).toBe(false);
  });

  test('repeated failed deliveries mark the device SYNC_NEEDED; a success clears it; reconnecting retries', async () => {
    await register('S1');
    expect(h.service.recordSync('S1', { ok: false, detail: 'no ack within 30 s' })).toEqual({ syncStatus: 'PENDING', failures: 1 });
    expect(h.service.recordSync('S1', { ok: false })).toEqual({ syncStatus: 'PENDING', failures: 2 });
    expect(h.service.recordSync('S1', { ok: false, detail: 'INVALID_PASSWORD_STATE' })).toEqual({ syncStatus: 'SYNC_NEEDED', failures: 3 });
    let { Device } = await h.call('GetDevice', { DeviceArn: arn('S1') });
    expect(Device.DeviceStatusInfo).toMatchObject({
      SyncStatus: 'SYNC_NEEDED',
      SyncDetail: 'INVALID_PASSWORD_STATE',
      DeviceStatusDetails: [{ Code: 'INVALID_PASSWORD_STATE' }, { Feature: 'ALL', Code: 'SYNC_NEEDED' }],
    });
    const needing = await h.call('SearchDevices', { Filters: [{ Key: 'DeviceStatusDetailCode', Values: ['SYNC_NEEDED'] }] });
    expect(needing.Devices.map((d: { DeviceSerialNumber: string }) => d.DeviceSerialNumber)).toEqual(['S1']);

    // a profile change while it needs a sync keeps it SYNC_NEEDED until a delivery succeeds
    const { ProfileArn } = await h.call('CreateProfile', PROFILE);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R', ProfileArn });
    await h.call('AssociateDeviceWithRoom', { DeviceArn: arn('S1'), RoomArn });
    expect((await h.call('GetDevice', { DeviceArn: arn('S1') })).Device.DeviceStatusInfo.SyncStatus).toBe('SYNC_NEEDED');

    // coming online with an undelivered state asks for a re-send
    h.events.length = 0;
    h.service.setConnection('S1', 'ONLINE');
    expect(desiredChangedFor(h.events)).toEqual(['S1']);

    expect(h.service.recordSync('S1', { ok: true })).toEqual({ syncStatus: 'SYNCED', failures: 0 });
    ({ Device } = await h.call('GetDevice', { DeviceArn: arn('S1') }));
    expect(Device.DeviceStatusInfo).toEqual({
      DeviceStatusDetails: [],
      ConnectionStatus: 'ONLINE',
      ConnectionStatusUpdatedTime: h.clock.wallNow() / 1000,
      SyncStatus: 'SYNCED',
    });
    h.events.length = 0;
    h.service.setConnection('S1', 'ONLINE', h.clock.wallNow() + 1);
    expect(desiredChangedFor(h.events)).toEqual([]);
  });

  test('reportDeviceInfo stores the firmware version', async () => {
    await register('V1');
    h.service.reportDeviceInfo('V1', { SoftwareVersion: '0.1.0' });
    expect((await h.call('GetDevice', { DeviceArn: arn('V1') })).Device.SoftwareVersion).toBe('0.1.0');
  });
});

describe('retention policy', () => {
  beforeEach(() => {
    h = openHarness();
  });

  test('follows the effective room profile; privacy by default', async () => {
    await register('N1');
    expect(h.service.retentionFor('N1')).toBe('DO_NOT_SAVE'); // no room, no profile
    const base = { ...PROFILE, DataRetentionOptIn: undefined, DataRetention: undefined };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'DO_NOT_SAVE'],
      [{ DataRetentionOptIn: true }, 'KEEP'],
      [{ DataRetentionOptIn: true, DataRetention: 'DELETE_AFTER_18_MONTHS' }, 'DELETE_AFTER_18_MONTHS'],
      [{ DataRetentionOptIn: false, DataRetention: 'KEEP' }, 'DO_NOT_SAVE'],
      [{ DataRetention: 'DELETE_AFTER_3_MONTHS' }, 'DELETE_AFTER_3_MONTHS'],
    ];
    for (const [i, [patch, expected]] of cases.entries()) {
      const { ProfileArn } = await h.call('CreateProfile', { ...base, ...patch, ProfileName: `P${i}` });
      const { RoomArn } = await h.call('CreateRoom', { RoomName: `Room ${i}`, ProfileArn });
      await register(`D${i}`, { RoomArn });
      expect([i, h.service.retentionFor(`D${i}`)]).toEqual([i, expected]);
    }
    await h.call('FlashDevice', { DeviceArn: arn('D1'), RoomProfile: { ...base, ProfileName: 'flash', DataRetentionOptIn: false } });
    expect(h.service.retentionFor('D1')).toBe('DO_NOT_SAVE');
    expect(() => h.service.retentionFor('NOPE')).toThrow(expect.objectContaining({ name: 'NotFoundException' }));
  });
});

describe('events and transactions', () => {
  beforeEach(() => {
    h = openHarness();
  });

  test('events come after commit: a listener sees the new state', async () => {
    await h.call('CreateProfile', PROFILE);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R' });
    await register('E1');
    const seen: Array<number | undefined> = [];
    h.service.events.on('desired-changed', ({ deviceId }) => seen.push(h.service.desiredStateFor(deviceId).roomProfile?.MaxVolumeLimit));
    await h.call('AssociateDeviceWithRoom', { DeviceArn: arn('E1'), RoomArn });
    expect(seen).toEqual([PROFILE.MaxVolumeLimit]);
  });

  test('a throwing listener does not fail the call or stop other listeners', async () => {
    const got: string[] = [];
    h.service.events.on('device-registered', () => {
      throw new Error('listener bug');
    });
    h.service.events.on('device-registered', ({ deviceId }) => got.push(deviceId));
    await register('L1');
    expect(got).toEqual(['L1']);
  });

  test('a failure inside an operation rolls everything back, emits nothing, and is an InternalFailure', async () => {
    h.cleanup();
    h = openHarness({
      brokerPasswordHash: () => {
        throw new Error('hasher broken');
      },
    });
    await expectA4bError(register('F1'), 'InternalFailure', /RegisterDevice failed/);
    expect(h.events).toEqual([]);
    await expectA4bError(h.call('GetDevice', { DeviceArn: arn('F1') }), 'NotFoundException');
  });

  test('queueJob/updateJob: jobs the API has no operation for (reboot)', async () => {
    await register('J1');
    h.events.length = 0;
    const job = h.service.queueJob('J1', { operation: 'reboot', parameters: {} });
    expect(h.events).toEqual([{ name: 'job-created', payload: { deviceId: 'J1', job } }]);
    expect(h.service.updateJob('J1', job.jobId, 'SUCCEEDED', { uptimeMs: '12' })).toMatchObject({ status: 'SUCCEEDED', statusDetails: { uptimeMs: '12' } });
    expect(() => h.service.updateJob('J1', job.jobId, 'FAILED')).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => h.service.queueJob('NOPE', { operation: 'reboot', parameters: {} })).toThrow(expect.objectContaining({ name: 'NotFoundException' }));
  });

  test('a closed service refuses calls and credentials, also a check under way when it closed', async () => {
    const token = h.service.readAdminToken() ?? '';
    const { Secret } = await h.call('RegisterDevice', { DeviceSerialNumber: 'Z1', DeviceType: 'echo-2', DeviceName: 'Closing' });
    const during = h.service.verifyDeviceSecret('Z1', Secret);
    h.service.close();
    await expect(during).resolves.toBe(false);
    await expectA4bError(h.call('SearchRooms'), 'InternalFailure', /closed/);
    expect(h.service.verifyAdminToken(token)).toBe(false);
    await expect(h.service.verifyDeviceSecret('X', 'y')).resolves.toBe(false);
    h.reopen();
  });

  test('everything survives a reopen', async () => {
    const { ProfileArn } = await h.call('CreateProfile', PROFILE);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Persisted', ProfileArn });
    const { SkillGroupArn } = await h.call('CreateSkillGroup', { SkillGroupName: 'G' });
    await h.call('AssociateSkillWithSkillGroup', { SkillGroupArn, SkillId: 'amzn1.ask.skill.1234' });
    await h.call('AssociateSkillGroupWithRoom', { SkillGroupArn, RoomArn });
    await register('P1', { RoomArn });
    const job = h.service.queueJob('P1', { operation: 'reboot', parameters: {} });
    h.service.shadows.put('P1', { state: { desired: { x: 1 } } }, 4);
    const before = h.service.desiredStateFor('P1');
    h.reopen();
    expect(h.service.desiredStateFor('P1')).toEqual(before);
    expect(h.service.skillsFor('P1')).toEqual(['amzn1.ask.skill.1234']);
    expect((await h.call('GetRoom', { RoomArn })).Room.RoomName).toBe('Persisted');
    expect(h.service.jobs.get('P1', job.jobId)?.status).toBe('QUEUED');
    expect(h.service.shadows.get('P1')?.version).toBe(4);
  });
});

import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { dataDirBytes, desiredChangedFor, expectA4bError, NETWORK, openHarness, PROFILE, type Harness } from './helpers.js';

let h: Harness;
afterEach(() => h.cleanup());

const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;

describe('RegisterDevice / GetDevice', () => {
  beforeEach(() => {
    h = openHarness();
  });

  test('registers a device: the secret is returned once, works as its MQTT password, and is stored only hashed', async () => {
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Lab' });
    const res = await h.call('RegisterDevice', {
      DeviceSerialNumber: 'G090LF0964',
      DeviceType: 'echo-dot-3',
      DeviceName: 'Lab Dot',
      RoomArn,
      MacAddress: '00:11:22:aa:bb:cc',
    });
    expect(res).toEqual({ DeviceArn: arn('G090LF0964'), Secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(h.events.filter((e) => e.name === 'device-registered')).toEqual([{ name: 'device-registered', payload: { deviceId: 'G090LF0964' } }]);

    const { Device } = await h.call('GetDevice', { DeviceArn: res.DeviceArn });
    expect(Device).toEqual({
      DeviceArn: arn('G090LF0964'),
      DeviceSerialNumber: 'G090LF0964',
      DeviceType: 'echo-dot-3',
      DeviceName: 'Lab Dot',
      MacAddress: '00:11:22:aa:bb:cc',
      RoomArn,
      DeviceStatus: 'PENDING',
      DeviceStatusInfo: { DeviceStatusDetails: [], ConnectionStatus: 'OFFLINE', SyncStatus: 'PENDING' },
      FlashedProfiles: { RoomProfile: false, NetworkProfile: false },
    });
    expect(JSON.stringify(Device)).not.toContain(res.Secret);

    await expect(h.service.verifyDeviceSecret('G090LF0964', res.Secret)).resolves.toBe(true);
    await expect(h.service.verifyDeviceSecret('G090LF0964', res.Secret)).resolves.toBe(true); // cached path
    await expect(h.service.verifyDeviceSecret('G090LF0964', `${res.Secret}x`)).resolves.toBe(false);
    await expect(h.service.verifyDeviceSecret('OTHER', res.Secret)).resolves.toBe(false);
    await expect(h.service.verifyDeviceSecret('bad id!', res.Secret)).resolves.toBe(false);

    h.service.close();
    expect(dataDirBytes(h.dir).includes(Buffer.from(res.Secret))).toBe(false);
    h.reopen();
    await expect(h.service.verifyDeviceSecret('G090LF0964', res.Secret)).resolves.toBe(true);
  });

  test.each([
    [{ DeviceType: 'echo-9000' }, /DeviceType: must be a device model: echo-2, echo-dot-3, echo-plus-2, trio-8800/],
    [{ DeviceSerialNumber: 'has space' }, /DeviceSerialNumber/],
    [{ DeviceSerialNumber: 'x'.repeat(65) }, /DeviceSerialNumber/],
    [{ DeviceSerialNumber: 'echosim-cloud' }, /reserved for the cloud/],
    [{ DeviceName: 'x' }, /DeviceName/],
    [{ MacAddress: 'nope' }, /MacAddress/],
  ])('invalid %j is refused', async (patch, message) => {
    await expectA4bError(
      h.call('RegisterDevice', { DeviceSerialNumber: 'S1', DeviceType: 'trio-8800', DeviceName: 'Trio', ...patch }),
      'ValidationException',
      message,
    );
  });

  test('a registered serial cannot be registered twice; unknown room is NotFound', async () => {
    await h.call('RegisterDevice', { DeviceSerialNumber: 'S1', DeviceType: 'trio-8800', DeviceName: 'Trio' });
    await expectA4bError(h.call('RegisterDevice', { DeviceSerialNumber: 'S1', DeviceType: 'trio-8800', DeviceName: 'Trio' }), 'AlreadyExistsException');
    await expectA4bError(
      h.call('RegisterDevice', { DeviceSerialNumber: 'S2', DeviceType: 'trio-8800', DeviceName: 'Trio', RoomArn: `${ARN_PREFIX}room/00` }),
      'NotFoundException',
    );
    await expectA4bError(h.call('GetDevice', { DeviceArn: arn('NOPE') }), 'NotFoundException');
  });
});

describe('DeleteDevice and re-registration', () => {
  beforeEach(() => {
    h = openHarness();
  });

  test('deregisters: credentials, associations, jobs, shadow and recordings go; the row stays DEREGISTERED', async () => {
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', NETWORK);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R' });
    const reg = await h.call('RegisterDevice', { DeviceSerialNumber: 'X1', DeviceType: 'echo-2', DeviceName: 'X one', RoomArn, NetworkProfileArn });
    const job = h.service.queueJob('X1', { operation: 'reboot', parameters: {} });
    h.service.shadows.put('X1', { state: { reported: { a: 1 } } });
    h.service.addRecording({ id: 'rec-1', deviceId: 'X1', createdAt: 1, bytes: 10, durationMs: 5, confirmed: true });
    h.events.length = 0;

    await h.call('DeleteDevice', { DeviceArn: reg.DeviceArn });
    expect(h.events).toEqual([
      { name: 'device-deregistered', payload: { deviceId: 'X1' } },
      { name: 'recordings-deleted', payload: { deviceId: 'X1', ids: ['rec-1'] } },
    ]);
    const { Device } = await h.call('GetDevice', { DeviceArn: reg.DeviceArn });
    expect(Device).toMatchObject({ DeviceStatus: 'DEREGISTERED', DeviceSerialNumber: 'X1' });
    expect(Device).not.toHaveProperty('RoomArn');
    expect(Device).not.toHaveProperty('NetworkProfileInfo');
    await expect(h.service.verifyDeviceSecret('X1', reg.Secret)).resolves.toBe(false);
    expect(h.service.jobs.get('X1', job.jobId)?.status).toBe('CANCELED');
    expect(h.service.shadows.get('X1')).toBeUndefined();
    expect(h.service.recordings.list('X1')).toEqual([]);

    await expectA4bError(h.call('DeleteDevice', { DeviceArn: reg.DeviceArn }), 'DeviceNotRegisteredException');
    await expectA4bError(h.call('UpdateDevice', { DeviceArn: reg.DeviceArn, DeviceName: 'again' }), 'DeviceNotRegisteredException');
    await expectA4bError(h.call('AssociateDeviceWithRoom', { DeviceArn: reg.DeviceArn, RoomArn }), 'DeviceNotRegisteredException');
    expect(() => h.service.desiredStateFor('X1')).toThrow(expect.objectContaining({ name: 'DeviceNotRegisteredException' }));

    // registering again gives a new secret; the old one stays dead; the shadow version keeps growing
    const again = await h.call('RegisterDevice', { DeviceSerialNumber: 'X1', DeviceType: 'echo-plus-2', DeviceName: 'X again' });
    expect(again.Secret).not.toBe(reg.Secret);
    await expect(h.service.verifyDeviceSecret('X1', reg.Secret)).resolves.toBe(false);
    await expect(h.service.verifyDeviceSecret('X1', again.Secret)).resolves.toBe(true);
    expect((await h.call('GetDevice', { DeviceArn: again.DeviceArn })).Device).toMatchObject({ DeviceStatus: 'PENDING', DeviceType: 'echo-plus-2' });
    expect(h.service.shadows.put('X1', { state: {} })).toBe(3);
    expect(h.service.jobs.get('X1', job.jobId)?.status).toBe('CANCELED');
  });

  test('a cached verification dies with the registration', async () => {
    const reg = await h.call('RegisterDevice', { DeviceSerialNumber: 'C1', DeviceType: 'echo-2', DeviceName: 'Cached' });
    await expect(h.service.verifyDeviceSecret('C1', reg.Secret)).resolves.toBe(true);
    await h.call('DeleteDevice', { DeviceArn: reg.DeviceArn });
    await expect(h.service.verifyDeviceSecret('C1', reg.Secret)).resolves.toBe(false);
  });
});

describe('updates, associations and search', () => {
  beforeEach(() => {
    h = openHarness();
  });

  test('UpdateDevice renames; room and network associations re-target the device', async () => {
    await h.call('CreateProfile', PROFILE);
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Hall' });
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', NETWORK);
    const { DeviceArn } = await h.call('RegisterDevice', { DeviceSerialNumber: 'U1', DeviceType: 'echo-2', DeviceName: 'Old name' });
    await h.call('UpdateDevice', { DeviceArn, DeviceName: 'New name' });
    expect((await h.call('GetDevice', { DeviceArn })).Device.DeviceName).toBe('New name');

    h.events.length = 0;
    await h.call('AssociateDeviceWithRoom', { DeviceArn, RoomArn });
    await h.call('AssociateDeviceWithRoom', { DeviceArn, RoomArn }); // no change, no event
    await h.call('AssociateDeviceWithNetworkProfile', { DeviceArn, NetworkProfileArn });
    expect(desiredChangedFor(h.events)).toEqual(['U1', 'U1']);
    const state = h.service.desiredStateFor('U1');
    expect(state.roomProfile?.ProfileName).toBe(PROFILE.ProfileName);
    expect(state.networkProfile?.Ssid).toBe(NETWORK.Ssid);
    const { Device } = await h.call('GetDevice', { DeviceArn });
    expect(Device).toMatchObject({ RoomArn, NetworkProfileInfo: { NetworkProfileArn } });

    await h.call('DisassociateDeviceFromRoom', { DeviceArn });
    expect(h.service.desiredStateFor('U1').roomProfile).toBeUndefined();
    await expectA4bError(h.call('AssociateDeviceWithNetworkProfile', { DeviceArn, NetworkProfileArn: `${ARN_PREFIX}network-profile/00` }), 'NotFoundException');
  });

  test('SearchDevices filters and sorts on A4B keys', async () => {
    const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Office' });
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', NETWORK);
    await h.call('RegisterDevice', { DeviceSerialNumber: 'A', DeviceType: 'echo-2', DeviceName: 'zeta', RoomArn, NetworkProfileArn });
    await h.call('RegisterDevice', { DeviceSerialNumber: 'B', DeviceType: 'trio-8800', DeviceName: 'Alpha', RoomArn });
    await h.call('RegisterDevice', { DeviceSerialNumber: 'C', DeviceType: 'echo-2', DeviceName: 'mid' });
    h.service.setConnection('A', 'ONLINE');
    const names = async (input: object): Promise<string[]> =>
      (await h.call('SearchDevices', input)).Devices.map((d: { DeviceName: string }) => d.DeviceName);

    expect(await names({})).toEqual(['Alpha', 'mid', 'zeta']);
    expect(await names({ SortCriteria: [{ Key: 'DeviceSerialNumber', Value: 'DESC' }] })).toEqual(['mid', 'Alpha', 'zeta']);
    expect(await names({ Filters: [{ Key: 'DeviceType', Values: ['echo-2'] }] })).toEqual(['mid', 'zeta']);
    expect(await names({ Filters: [{ Key: 'RoomName', Values: ['Office'] }] })).toEqual(['Alpha', 'zeta']);
    expect(await names({ Filters: [{ Key: 'UnassociatedOnly', Values: ['true'] }] })).toEqual(['mid']);
    expect(await names({ Filters: [{ Key: 'ConnectionStatus', Values: ['ONLINE'] }] })).toEqual(['zeta']);
    expect(await names({ Filters: [{ Key: 'DeviceStatus', Values: ['PENDING'] }] })).toEqual(['Alpha', 'mid']);
    expect(await names({ Filters: [{ Key: 'NetworkProfileArn', Values: [NetworkProfileArn] }] })).toEqual(['zeta']);
    expect(await names({ Filters: [{ Key: 'NetworkProfileName', Values: [NETWORK.NetworkProfileName] }] })).toEqual(['zeta']);
    const zeta = (await h.call('SearchDevices', { Filters: [{ Key: 'DeviceSerialNumber', Values: ['A'] }] })).Devices[0];
    expect(zeta).toMatchObject({
      DeviceArn: arn('A'),
      RoomArn,
      RoomName: 'Office',
      NetworkProfileArn,
      NetworkProfileName: NETWORK.NetworkProfileName,
      DeviceStatus: 'READY',
      CreatedTime: h.clock.wallNow() / 1000,
    });
    await expectA4bError(h.call('SearchDevices', { Filters: [{ Key: 'Colour', Values: ['red'] }] }), 'ValidationException', /Filters\[0\]\.Key/);
  });
});

describe('broker credentials', () => {
  test('with a broker hasher, each registration stores the broker-format hash, and deregistration drops it', async () => {
    h = openHarness({ brokerPasswordHash: (secret) => `$test$${secret.length}` });
    await h.call('RegisterDevice', { DeviceSerialNumber: 'M1', DeviceType: 'echo-2', DeviceName: 'Mosquitto 1' });
    const two = await h.call('RegisterDevice', { DeviceSerialNumber: 'M2', DeviceType: 'echo-2', DeviceName: 'Mosquitto 2' });
    expect(h.service.brokerUsers()).toEqual([
      { username: 'M1', passwordHash: '$test$43' },
      { username: 'M2', passwordHash: '$test$43' },
    ]);
    await h.call('DeleteDevice', { DeviceArn: two.DeviceArn });
    expect(h.service.brokerUsers().map((u) => u.username)).toEqual(['M1']);
  });
});

import { assertDeviceAcceptsNetworkProfile, assertDeviceAcceptsRoomProfile } from '../../../../cloud-link/cloud/a4b/device-contract.js';
import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { toWireJob } from '../../../../cloud-link/cloud/db/job-store.js';
import { JobSchema } from '../../../../cloud-link/protocol/jobs.js';
import { DesiredStateSchema } from '../../../../cloud-link/protocol/shadow.js';
import { NETWORK, NEXT_WIFI_PASSWORD, openHarness, PROFILE, WIFI_PASSWORD, type Harness } from './helpers.js';

/** What the service hands the MQTT side (and the HTTP layer) must be what the other side accepts. */

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(() => h.cleanup());

const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;

test('desired states pass the protocol DesiredState schema, passwords included', async () => {
  await h.call('CreateProfile', PROFILE);
  const { NetworkProfileArn } = await h.call('CreateNetworkProfile', { ...NETWORK, NextPassword: NEXT_WIFI_PASSWORD });
  const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R' });
  await h.call('RegisterDevice', { DeviceSerialNumber: 'P1', DeviceType: 'echo-dot-3', DeviceName: 'Room device', RoomArn, NetworkProfileArn });
  await h.call('RegisterDevice', { DeviceSerialNumber: 'P2', DeviceType: 'echo-2', DeviceName: 'Flashed device' });
  await h.call('FlashDevice', { DeviceArn: arn('P2'), RoomProfile: { ...PROFILE, ProfileName: 'Bench' }, NetworkProfile: NETWORK });
  await h.call('RegisterDevice', { DeviceSerialNumber: 'P3', DeviceType: 'trio-8800', DeviceName: 'Bare device' });
  for (const serial of ['P1', 'P2', 'P3']) {
    const state = h.service.desiredStateFor(serial);
    expect(DesiredStateSchema.safeParse(state).success).toBe(true);
  }
  expect(h.service.desiredStateFor('P1').networkProfile).toMatchObject({ CurrentPassword: WIFI_PASSWORD, NextPassword: NEXT_WIFI_PASSWORD });
});

test('profileVersion grows with every change of the desired state, not when the same state is re-sent', async () => {
  const { ProfileArn } = await h.call('CreateProfile', PROFILE);
  const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R', ProfileArn });
  await h.call('RegisterDevice', { DeviceSerialNumber: 'V1', DeviceType: 'echo-dot-3', DeviceName: 'Versioned', RoomArn });
  const v0 = h.service.desiredStateFor('V1').profileVersion;
  await h.call('UpdateProfile', { ProfileArn, MaxVolumeLimit: 3 });
  expect(h.service.desiredStateFor('V1').profileVersion).toBe(v0 + 1);
  await h.call('UpdateProfile', { ProfileArn, MaxVolumeLimit: 3 }); // nothing changed
  expect(h.service.desiredStateFor('V1').profileVersion).toBe(v0 + 1);

  h.events.length = 0;
  h.service.setConnection('V1', 'ONLINE'); // sync still pending: re-send, same version
  expect(h.events.map((e) => e.name)).toEqual(['desired-changed']);
  expect(h.service.desiredStateFor('V1').profileVersion).toBe(v0 + 1);
  h.reopen();
  expect(h.service.desiredStateFor('V1').profileVersion).toBe(v0 + 1);
});

test('every job the API queues is a valid protocol Job on the wire', async () => {
  const { RoomArn } = await h.call('CreateRoom', { RoomName: 'R' });
  await h.call('RegisterDevice', { DeviceSerialNumber: 'J1', DeviceType: 'echo-dot-3', DeviceName: 'Jobs', RoomArn });
  await h.call('StartDeviceSync', { DeviceArn: arn('J1'), Features: ['BLUETOOTH', 'NETWORK_PROFILE'] });
  h.service.addRecording({ id: 'x', deviceId: 'J1', createdAt: 1, bytes: 1, durationMs: 1, confirmed: true });
  await h.call('DeleteDeviceUsageData', { DeviceArn: arn('J1'), DeviceUsageType: 'VOICE' });
  await h.call('SendAnnouncement', { RoomFilters: [], Content: { TextList: [{ Locale: 'en-US', Value: 'Hello' }] }, ClientRequestToken: 'contract-00001' });
  h.service.queueJob('J1', { operation: 'reboot', parameters: {} });
  const jobs = h.service.jobs.list('J1');
  expect(jobs.map((j) => j.operation)).toEqual(['reset', 'delete-recordings', 'announce', 'reboot']);
  for (const job of jobs) expect([job.operation, JobSchema.safeParse(toWireJob(job)).success]).toEqual([job.operation, true]);
  expect(toWireJob(jobs[0]!)).toEqual({
    jobId: jobs[0]!.jobId,
    operation: 'reset',
    parameters: { Features: ['BLUETOOTH', 'NETWORK_PROFILE'] },
    status: 'QUEUED',
    queuedAt: h.clock.wallNow(),
    updatedAt: h.clock.wallNow(),
    expectedVersion: 1,
  });
  // a job the device could not parse is not queued
  expect(() => h.service.queueJob('J1', { operation: 'reboot', parameters: { now: true } })).toThrow(
    expect.objectContaining({ name: 'ValidationException', message: expect.stringContaining('device schema') }),
  );
  expect(h.service.jobs.list('J1')).toHaveLength(4);
});

test('the device-schema guard refuses what a device would refuse, naming the field', () => {
  expect(() => assertDeviceAcceptsRoomProfile({ ...PROFILE, Locale: 'english' })).toThrow(/RoomProfile\.Locale/);
  expect(() => assertDeviceAcceptsRoomProfile(PROFILE)).not.toThrow();
  let message = '';
  try {
    assertDeviceAcceptsNetworkProfile({ ...NETWORK, SecurityType: 'OPEN' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/NetworkProfile\.CurrentPassword/);
  expect(message).not.toContain(WIFI_PASSWORD);
});

test('the HTTP API and the CLI know exactly the operations the service has', async () => {
  const { A4B_OPERATIONS } = await import('../../../../cloud-link/cloud/http/operations.js');
  const { OPERATION_NAMES } = await import('../../../../cloud-link/cloud/a4b/operations.js');
  expect([...A4B_OPERATIONS].sort()).toEqual([...OPERATION_NAMES].sort());
});

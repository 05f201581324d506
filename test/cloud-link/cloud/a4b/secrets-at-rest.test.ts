import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { replaceDesiredRequest, updateDeviceShadow } from '../../../../cloud-link/protocol/device-shadow.js';
import type { ShadowDocument } from '../../../../cloud-link/protocol/shadow-engine.js';
import type { DesiredState } from '../../../../cloud-link/protocol/shadow.js';
import { dataDirBytes, expectA4bError, jsonText, NETWORK, NEXT_WIFI_PASSWORD, openHarness, PROFILE, WIFI_PASSWORD, type Harness } from './helpers.js';

/**
 * Network secrets are encrypted at rest and never leave the service except through desiredStateFor
 * (for the device's own topic): not in any API response, not in the database files, not in the logs.
 */

const FLASH_PASSWORD = 'Flash-Only-Password-77';
const SECRETS = [WIFI_PASSWORD, NEXT_WIFI_PASSWORD, FLASH_PASSWORD];

let h: Harness;
let logText = '';
beforeEach(() => {
  logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });
  h = openHarness({ log: pino({ level: 'trace' }, sink) });
});
afterEach(() => h.cleanup());

function assertNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect([where, text.includes(secret)]).toEqual([where, false]);
}

function assertNoSecretBytes(bytes: Buffer): void {
  for (const secret of SECRETS) {
    expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
  }
}

/** Sets up every kind of resource that touches a network password. */
async function populate(): Promise<{ NetworkProfileArn: string; DeviceArn: string; RoomArn: string }> {
  const responses: unknown[] = [];
  const { NetworkProfileArn } = await h.call('CreateNetworkProfile', { ...NETWORK, ClientRequestToken: 'secret-test-0001' });
  responses.push(await h.call('CreateNetworkProfile', { ...NETWORK, ClientRequestToken: 'secret-test-0001' }));
  responses.push(await h.call('UpdateNetworkProfile', { NetworkProfileArn, NextPassword: NEXT_WIFI_PASSWORD }));
  await h.call('CreateProfile', PROFILE);
  const { RoomArn } = await h.call('CreateRoom', { RoomName: 'Secure room' });
  const reg = await h.call('RegisterDevice', {
    DeviceSerialNumber: 'SEC1',
    DeviceType: 'echo-dot-3',
    DeviceName: 'Secure Dot',
    RoomArn,
    NetworkProfileArn,
  });
  await h.call('RegisterDevice', { DeviceSerialNumber: 'SEC2', DeviceType: 'echo-2', DeviceName: 'Flashed', RoomArn });
  responses.push(await h.call('FlashDevice', { DeviceArn: `${ARN_PREFIX}device/SEC2`, NetworkProfile: { ...NETWORK, CurrentPassword: FLASH_PASSWORD } }));
  for (const r of responses) assertNoSecret('create/update response', jsonText(r));
  return { NetworkProfileArn, DeviceArn: reg.DeviceArn as string, RoomArn };
}

test('no API response ever carries a network password', async () => {
  const { NetworkProfileArn, DeviceArn, RoomArn } = await populate();
  const reads: Array<[string, unknown]> = [
    ['GetNetworkProfile', { NetworkProfileArn }],
    ['SearchNetworkProfiles', {}],
    ['GetDevice', { DeviceArn }],
    ['GetDevice', { DeviceArn: `${ARN_PREFIX}device/SEC2` }],
    ['SearchDevices', {}],
    ['GetRoom', { RoomArn }],
    ['SearchRooms', {}],
    ['SearchProfiles', {}],
    ['ListDeviceRecordings', { DeviceArn }],
  ];
  for (const [op, input] of reads) assertNoSecret(op, jsonText(await h.call(op, input)));
  // errors do not quote them either
  const err = await expectA4bError(h.call('UpdateNetworkProfile', { NetworkProfileArn, CurrentPassword: `${WIFI_PASSWORD}\u00e9` }), 'ValidationException');
  assertNoSecret('error', err.message);

  // ...while the devices that need them get them
  expect(h.service.desiredStateFor('SEC1').networkProfile).toMatchObject({ CurrentPassword: WIFI_PASSWORD, NextPassword: NEXT_WIFI_PASSWORD });
  expect(h.service.desiredStateFor('SEC2').networkProfile).toMatchObject({ CurrentPassword: FLASH_PASSWORD });
});

/** Writes each device's desired state into its shadow, as the cloud's shadow gateway does. */
function writeShadows(): void {
  for (const deviceId of ['SEC1', 'SEC2']) {
    const stored = h.service.shadows.get(deviceId);
    const doc = stored?.document as ShadowDocument | undefined;
    const request = replaceDesiredRequest(doc, h.service.desiredStateFor(deviceId) as DesiredState);
    if (!request) continue; // already what the registry says
    const result = updateDeviceShadow(doc, request, { now: h.clock.wallNow() });
    if (!result.ok) throw new Error(result.rejected.message);
    h.service.shadows.put(deviceId, result.doc, result.doc.version);
  }
}

test('the data directory never holds a password in the clear, before or after a checkpoint', async () => {
  await populate();
  writeShadows();
  expect(JSON.stringify(h.service.shadows.get('SEC1'))).toContain(WIFI_PASSWORD); // the shadows do hold them
  assertNoSecretBytes(dataDirBytes(h.dir)); // database + WAL while open
  h.service.close();
  assertNoSecretBytes(dataDirBytes(h.dir)); // after the WAL is folded into the database
  // and the encrypted values are really there and usable after a reopen
  h.reopen();
  expect(h.service.desiredStateFor('SEC1').networkProfile?.CurrentPassword).toBe(WIFI_PASSWORD);
  expect(JSON.stringify(h.service.shadows.get('SEC2'))).toContain(FLASH_PASSWORD);
  // a rotation rewrites the shadow: the old and the new password stay out of the files
  await h.call('UpdateNetworkProfile', { NetworkProfileArn: (await h.call('SearchNetworkProfiles', {})).NetworkProfiles[0].NetworkProfileArn, CurrentPassword: 'Rotated-Pass-909' });
  writeShadows();
  expect(JSON.stringify(h.service.shadows.get('SEC1'))).toContain('Rotated-Pass-909');
  const bytes = dataDirBytes(h.dir);
  assertNoSecretBytes(bytes);
  expect(bytes.includes(Buffer.from('Rotated-Pass-909'))).toBe(false);
});

test('the logs never hold a password, even at trace level and on failures', async () => {
  await populate();
  await expectA4bError(h.call('CreateNetworkProfile', { ...NETWORK, SecurityType: 'OPEN' }), 'ValidationException');
  await expectA4bError(h.call('CreateNetworkProfile', NETWORK), 'NameInUseException');
  expect(logText).toContain('api call'); // the log was captured
  assertNoSecret('log', logText);
});

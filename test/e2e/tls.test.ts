/**
 * TLS on every link, against the embedded broker and a real Mosquitto TLS listener: the cloud makes
 * its CA and server certificate, devices verify the broker against that CA (connect, apply a room
 * profile), and a device given the wrong CA, or reaching the broker by a name its certificate does
 * not list, is refused on the first attempt with a code saying so. The HTTP API serves https, which
 * the a4b client verifies with the CA it finds in the cloud's data directory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARN_PREFIX } from '../../cloud-link/cloud/a4b/arn.js';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { MqttConnection, type ConnectionStateChange } from '../../cloud-link/device/mqtt-connection.js';
import { createCertificateAuthority } from '../../cloud-link/tls/certificates.js';
import type { ClientTlsOptions } from '../../cloud-link/tls/client-tls.js';
import { VirtualClock } from '../../core/clock.js';
import type { EchosimError } from '../../core/errors.js';
import { A4bClient } from '../../tools/a4b-client.js';
import { PROFILE } from '../cloud-link/cloud/a4b/helpers.js';
import { startTestCloud, type TestCloud } from '../cloud-link/cloud/cloud-fixture.js';
import { linkedDevice, removeDir, type LinkedDevice } from '../cloud-link/device/link/linked-device.js';
import { BROKER_KINDS } from '../support/mosquitto.js';

let t: TestCloud;
let scratch: string;
const devices: LinkedDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) {
    await d.stop().catch(() => undefined);
    removeDir(d.dataDir);
  }
  await t.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** The CA clients of this cloud verify it with, as `--ca` gives it. */
function cloudCa(): ClientTlsOptions {
  const file = path.join(t.dir, 'tls', 'ca.pem');
  return { ca: readFileSync(file, 'utf8'), caSource: file };
}

/** A CA that signed nothing this cloud serves. */
async function otherCa(): Promise<ClientTlsOptions> {
  const file = path.join(scratch, 'other-ca.pem');
  writeFileSync(file, (await createCertificateAuthority('someone else', new Date(), 30)).certPem);
  return { ca: readFileSync(file, 'utf8'), caSource: file };
}

/** A bare device connection: resolves with its first CONNECTED or BACKOFF, then closes it. */
async function firstAttempt(deviceId: string, secret: string, tls: ClientTlsOptions | undefined, url = t.cloud.brokerUrl): Promise<ConnectionStateChange> {
  const conn = new MqttConnection({ url, deviceId, secret, clock: new VirtualClock(), ...(tls ? { tls } : {}) });
  const first = new Promise<ConnectionStateChange>((resolve) =>
    conn.on('state', (c) => {
      if (c.to === 'CONNECTED' || c.to === 'BACKOFF') resolve(c);
    }),
  );
  conn.start();
  const result = await first;
  await conn.close({ abrupt: true });
  return result;
}

describe.each(BROKER_KINDS)('TLS (%s broker)', (kind) => {
  beforeEach(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'echosim-tls-e2e-'));
    t = await startTestCloud({ brokerKind: kind, tls: {} });
  });

  test('a device verifying the cloud CA connects over mqtts and applies its room profile', async () => {
    expect(t.cloud.brokerUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const secret = await t.register('tls-1');
    const d = await linkedDevice({ url: t.cloud.brokerUrl, deviceId: 'tls-1', secret, tls: cloudCa() });
    devices.push(d);
    await d.until(() => d.link.connected, 'tls-1 connected');
    const { ProfileArn } = await t.call('CreateProfile', PROFILE);
    const { RoomArn } = await t.call('CreateRoom', { RoomName: 'TLS room', ProfileArn });
    await t.call('AssociateDeviceWithRoom', { DeviceArn: `${ARN_PREFIX}device/tls-1`, RoomArn });
    const wanted = (t.cloud.service.desiredStateFor('tls-1') as { profileVersion: number }).profileVersion;
    await d.until(() => t.events.some((e) => e.name === 'profile-applied' && e.payload.deviceId === 'tls-1' && e.payload.version === wanted), 'profile applied');
    expect(d.link.appliedProfile?.version).toBe(wanted);
    expect(d.link.appliedProfile?.desired.roomProfile).toMatchObject({ MaxVolumeLimit: PROFILE.MaxVolumeLimit });
  });

  test('a device given another CA is refused on its first attempt: TLS_SERVER_UNTRUSTED', async () => {
    const secret = await t.register('tls-2');
    const first = await firstAttempt('tls-2', secret, await otherCa());
    expect(first.to).toBe('BACKOFF');
    expect(first.attempt).toBe(1);
    expect(first.error).toMatchObject({ code: 'TLS_SERVER_UNTRUSTED' });
    expect((first.error as EchosimError).hint).toContain('ca.pem');
    // the right CA, same credentials: connects
    expect((await firstAttempt('tls-2', secret, cloudCa())).to).toBe('CONNECTED');
  });

  test('a device reaching the broker by a name its certificate does not list is refused: TLS_HOSTNAME_MISMATCH', async () => {
    const secret = await t.register('tls-3');
    const first = await firstAttempt('tls-3', secret, { ...cloudCa(), servername: 'not-the-cloud.example' });
    expect(first.to).toBe('BACKOFF');
    expect(first.error).toMatchObject({ code: 'TLS_HOSTNAME_MISMATCH' });
    expect((await firstAttempt('tls-3', secret, { ...cloudCa(), servername: 'localhost' })).to).toBe('CONNECTED');
  });

  test('a device speaking plain MQTT to the TLS port is told the port may want mqtts://', async () => {
    const secret = await t.register('tls-5');
    const first = await firstAttempt('tls-5', secret, undefined, t.cloud.brokerUrl.replace('mqtts:', 'mqtt:'));
    expect(first.to).toBe('BACKOFF');
    expect(first.error).toMatchObject({ code: 'MQTT_CONNECT_FAILED' });
    expect((first.error as EchosimError).hint).toMatch(/TLS port .* use mqtts:\/\/ with --ca/);
  });

  test("the cloud's own client to a broker (--broker-ca) given another CA fails its start: TLS_SERVER_UNTRUSTED", async () => {
    await expect(
      Cloud.start({ dir: path.join(scratch, 'second-cloud'), broker: { url: t.cloud.brokerUrl, tls: await otherCa() }, http: false, verifier: false }),
    ).rejects.toMatchObject({ code: 'TLS_SERVER_UNTRUSTED', hint: expect.stringContaining('--broker-ca') });
  });

  test('the API serves https; the a4b client verifies it with the CA in the data directory, and refuses another', async () => {
    const endpoint = t.cloud.apiUrl ?? '';
    expect(endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await t.register('tls-4');
    const client = new A4bClient({ endpoint, dataDir: t.dir, env: {} });
    const found = await client.call<{ Devices: Array<{ DeviceSerialNumber: string }> }>('SearchDevices', {});
    expect(found.Devices.map((d) => d.DeviceSerialNumber)).toEqual(['tls-4']);
    const caFile = (await otherCa()).caSource;
    const wrong = new A4bClient({ endpoint, dataDir: t.dir, ca: caFile, env: {} });
    await expect(wrong.call('SearchDevices', {})).rejects.toMatchObject({ code: 'TLS_SERVER_UNTRUSTED' });
  });
});

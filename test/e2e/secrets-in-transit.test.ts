/**
 * The Wi-Fi passwords between the registry and the radio, wherever they rest on the way: the cloud's
 * SQLite files (database, WAL, shared memory), a real Mosquitto's persistence file holding a
 * shadow/get/accepted it queued for an offline device, and every log line. `strings` on any of them
 * finds no password, while the device still gets, applies and rotates them (NextPassword) end to end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeMosquittoAuth } from '../../cloud-link/broker/mosquitto-config.js';
import { ARN_PREFIX } from '../../cloud-link/cloud/a4b/arn.js';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { generateDeviceKeyPair, openSecrets } from '../../cloud-link/protocol/sealed-secrets.js';
import { ShadowGetAcceptedSchema } from '../../cloud-link/protocol/shadow.js';
import { SimulatedWifi } from '../../cloud-link/device/wifi/simulated-wifi.js';
import { VirtualClock } from '../../core/clock.js';
import { BROKER_KINDS, MosquittoBroker, waitUntil, type BrokerKind } from '../support/mosquitto.js';
import { rawDevice } from '../cloud-link/cloud/cloud-fixture.js';
import { capturingLogger, linkedDevice, removeDir, type LinkedDevice } from '../cloud-link/device/link/linked-device.js';
import { disposeSharedModels } from '../firmware/device/harness.js';

const CURRENT = 'Transit-Current-Pw-5150';
const NEXT = 'Transit-Next-Pw-6262';
const SECRETS = [CURRENT, NEXT];
const NETWORK = { NetworkProfileName: 'Vault Wi-Fi', Ssid: 'vault-net', SecurityType: 'WPA2_PSK', CurrentPassword: CURRENT, NextPassword: NEXT };
const arn = (serial: string): string => `${ARN_PREFIX}device/${serial}`;

/** Which of the passwords the bytes hold (as UTF-8 or UTF-16), i.e. what `strings` would show. */
function passwordsIn(bytes: Buffer): string[] {
  return SECRETS.filter((p) => bytes.includes(Buffer.from(p, 'utf8')) || bytes.includes(Buffer.from(p, 'utf16le')));
}

/** Every regular file under `dir`, with its bytes. */
function filesUnder(dir: string): Array<{ file: string; bytes: Buffer }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((file) => ({ file, bytes: readFileSync(file) }));
}

function expectNoPasswordIn(dir: string): void {
  const files = filesUnder(dir);
  expect(files.length).toBeGreaterThan(0);
  for (const { file, bytes } of files) expect([path.relative(dir, file), passwordsIn(bytes)]).toEqual([path.relative(dir, file), []]);
}

interface Rig {
  dir: string;
  clock: VirtualClock;
  mosquitto?: MosquittoBroker;
  authDir?: string;
  url: string;
  cloud: Cloud;
  logLines: string[];
  startCloud(): Promise<Cloud>;
  stop(): Promise<void>;
}

/** A cloud on a temp data dir with its broker: embedded, or a Mosquitto with persistence whose files it writes. */
async function rig(kind: BrokerKind): Promise<Rig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-transit-'));
  const clock = new VirtualClock();
  const logLines: string[] = [];
  const r = { dir, clock, logLines } as Rig;
  if (kind === 'mosquitto') {
    r.authDir = mkdtempSync(path.join(tmpdir(), 'echosim-transit-auth-'));
    r.mosquitto = await MosquittoBroker.start({ authFiles: await writeMosquittoAuth(r.authDir, []), persistence: true });
  }
  r.startCloud = async () => {
    const m = r.mosquitto;
    const broker = m ? { broker: { url: m.url }, mosquitto: { authDir: r.authDir!, reload: () => m.reload() } } : { broker: { port: 0 } };
    r.cloud = await Cloud.start({ dir, clock, http: false, verifier: false, log: capturingLogger(logLines), ...broker });
    r.url = r.cloud.brokerUrl;
    return r.cloud;
  };
  r.stop = async () => {
    await r.cloud.stop();
    await r.mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (r.authDir) rmSync(r.authDir, { recursive: true, force: true });
  };
  await r.startCloud();
  return r;
}

afterAll(disposeSharedModels);

describe.each(BROKER_KINDS)('the Wi-Fi passwords end to end (%s broker)', (kind) => {
  let r: Rig;
  let d: LinkedDevice | undefined;
  beforeEach(async () => {
    r = await rig(kind);
  });
  afterEach(async () => {
    if (d) {
      await d.stop().catch(() => undefined);
      removeDir(d.dataDir);
      d = undefined;
    }
    await r.stop();
  });

  test('the device applies them and follows the rotation to NextPassword; no file or log line holds them', async () => {
    const { cloud } = r;
    const secret = (await cloud.call('RegisterDevice', { DeviceSerialNumber: 'transit-1', DeviceType: 'echo-dot-3', DeviceName: 'Transit' })) as { Secret: string };
    await cloud.brokerAuthSettled();
    const ap = { ssid: 'vault-net', securityType: 'WPA2_PSK' as const, password: CURRENT };
    const device = (d = await linkedDevice({ url: r.url, deviceId: 'transit-1', secret: secret.Secret, wifi: new SimulatedWifi([ap]), log: capturingLogger(r.logLines) }));
    await device.until(() => device.link.connected, 'connected');
    const { NetworkProfileArn } = (await cloud.call('CreateNetworkProfile', NETWORK)) as { NetworkProfileArn: string };
    await cloud.call('AssociateDeviceWithNetworkProfile', { DeviceArn: arn('transit-1'), NetworkProfileArn });
    const applied: number[] = [];
    cloud.events.on('profile-applied', (p) => applied.push(p.version));
    const version = (cloud.service.desiredStateFor('transit-1') as { profileVersion: number }).profileVersion;
    await device.until(() => applied.includes(version), 'the network profile applied');
    expect(device.link.wifi.status()).toMatchObject({ Ssid: 'vault-net', State: 'CONNECTED', PasswordSynced: true });

    // The access point moves to NextPassword: the device holds it, so it stays on the network...
    ap.password = NEXT;
    expect(await (device.link.wifi as SimulatedWifi).networkChanged()).toMatchObject({ State: 'CONNECTED', Ssid: 'vault-net' });
    // ...and the administrator completes the rotation: the next one goes out sealed too.
    await cloud.call('UpdateNetworkProfile', { NetworkProfileArn, CurrentPassword: NEXT, NextPassword: '' });
    const rotated = (cloud.service.desiredStateFor('transit-1') as { profileVersion: number }).profileVersion;
    await device.until(() => applied.includes(rotated), 'the rotation applied');
    expect(device.link.wifi.status()).toMatchObject({ State: 'CONNECTED', PasswordSynced: true });

    expectNoPasswordIn(r.dir); // database, WAL and shared memory while the cloud runs
    await device.stop();
    removeDir(device.dataDir);
    d = undefined;
    await cloud.stop();
    expectNoPasswordIn(r.dir); // and after the WAL is folded into the database
    if (r.mosquitto) {
      await r.mosquitto.restart(); // SIGTERM: it writes its persistence file
      expectNoPasswordIn(path.join(r.mosquitto.dir, 'data'));
    }
    expect(r.logLines.length).toBeGreaterThan(20); // both sides did log
    expect(r.logLines.filter((l) => passwordsIn(Buffer.from(l)).length > 0)).toEqual([]);
  });
});

describe('a shadow/get/accepted queued for an offline device in Mosquitto\'s persistence', () => {
  test('holds only ciphertext, and the device opens it when it comes back', async () => {
    const r = await rig('mosquitto');
    try {
      const mosquitto = r.mosquitto!;
      let cloud = r.cloud;
      const secret = ((await cloud.call('RegisterDevice', { DeviceSerialNumber: 'vault-1', DeviceType: 'echo-dot-3', DeviceName: 'Vault' })) as { Secret: string }).Secret;
      await cloud.brokerAuthSettled();
      const { NetworkProfileArn } = (await cloud.call('CreateNetworkProfile', NETWORK)) as { NetworkProfileArn: string };
      await cloud.call('AssociateDeviceWithNetworkProfile', { DeviceArn: arn('vault-1'), NetworkProfileArn });
      const keys = generateDeviceKeyPair();

      // The device's session exists (subscribed, clean: false); the cloud goes down, its session kept.
      const first = await rawDevice(r.url, 'vault-1', secret);
      await cloud.stop();
      // The device asks (queued for the cloud) and goes offline before any answer.
      await first.publish(first.topics.shadowGet, { clientToken: 'queued-1', publicKey: keys.publicKey });
      await first.raw.end();
      // The cloud comes back, takes the queued request and answers: queued for the offline device.
      cloud = await r.startCloud();
      await waitUntil(() => r.logLines.some((l) => l.includes('shadow sent to the device') && l.includes('vault-1')), 'the cloud answered the queued get');

      await mosquitto.restart(); // writes mosquitto.db with the queued answer in it
      const persisted = readFileSync(path.join(mosquitto.dir, 'data', 'mosquitto.db'));
      expect(persisted.includes(Buffer.from(first.topics.shadowGetAccepted))).toBe(true); // the answer is in there...
      expect(passwordsIn(persisted)).toEqual([]); // ...without a password...
      expect(persisted.includes(Buffer.from('"secrets"'))).toBe(true); // ...only sealed
      expectNoPasswordIn(path.join(mosquitto.dir, 'data'));
      expectNoPasswordIn(r.dir);

      // The device comes back: the queued answer is delivered, and only its key opens it.
      const again = await rawDevice(r.url, 'vault-1', secret);
      try {
        const accepted = ShadowGetAcceptedSchema.parse(await again.next(again.topics.shadowGetAccepted, 0));
        expect(accepted.clientToken).toBe('queued-1');
        expect(accepted.state.desired?.networkProfile).toEqual({ NetworkProfileName: 'Vault Wi-Fi', Ssid: 'vault-net', SecurityType: 'WPA2_PSK' });
        const binding = { deviceId: 'vault-1', clientToken: 'queued-1', version: accepted.version };
        expect(openSecrets(accepted.secrets, keys, binding)).toEqual({ networkProfile: { CurrentPassword: CURRENT, NextPassword: NEXT } });
        expect(() => openSecrets(accepted.secrets, generateDeviceKeyPair(), binding)).toThrow(expect.objectContaining({ code: 'SEALED_SECRETS_UNREADABLE' }));
      } finally {
        await again.raw.end(true);
      }
      expect(r.logLines.filter((l) => passwordsIn(Buffer.from(l)).length > 0)).toEqual([]);
    } finally {
      await r.stop();
    }
  });
});

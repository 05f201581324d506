import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeviceKey } from '../../../../cloud-link/device/link/device-key.js';
import { openLinkState, type LinkState } from '../../../../cloud-link/device/link/link-state.js';
import { generateDeviceKeyPair, sealSecrets } from '../../../../cloud-link/protocol/sealed-secrets.js';
import { VirtualClock } from '../../../../core/clock.js';
import { capturingLogger } from './linked-device.js';

const SECRETS = { networkProfile: { CurrentPassword: 'Key-Test-Pass-1', NextPassword: '' } };
const BINDING = { deviceId: 'dev-k', clientToken: 'g1-1', version: 3 };

let dataDir: string;
let lines: string[];
const opened: LinkState[] = [];
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'echosim-devkey-'));
  lines = [];
});
afterEach(async () => {
  for (const s of opened.splice(0)) await Promise.all([s.key.close(), s.profile.close(), s.jobs.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function open(): Promise<{ key: DeviceKey; state: LinkState }> {
  const state = openLinkState(dataDir);
  opened.push(state);
  return { key: await DeviceKey.open(state.key, new VirtualClock(), capturingLogger(lines)), state };
}

function keyFiles(): string[] {
  return readdirSync(path.join(dataDir, 'cloud-link')).filter((f) => f.startsWith('device-key.'));
}

test('made once, kept in a 0600 file, and the same after a restart', async () => {
  const { key, state } = await open();
  expect(key.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(keyFiles().length).toBeGreaterThan(0);
  for (const f of keyFiles()) expect(statSync(path.join(dataDir, 'cloud-link', f)).mode & 0o777).toBe(0o600);
  await state.key.close();
  opened.splice(0);
  const again = await open();
  expect(again.key.publicKey).toBe(key.publicKey);
  expect(again.key.openSecrets(sealSecrets(SECRETS, key.publicKey, BINDING), BINDING)).toEqual(SECRETS);
  // the private half never reaches a log line
  const stored = JSON.parse(readFileSync(path.join(dataDir, 'cloud-link', keyFiles()[0]!), 'utf8')) as { value?: { key?: { privateKey?: string } } };
  const privateKey = JSON.stringify(stored).match(/"privateKey":"([^"]+)"/)?.[1];
  expect(privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(lines.join('\n')).not.toContain(privateKey);
  expect(lines.join('\n')).toContain('device key pair made');
});

test('rotation makes a new pair; what was sealed to the old one no longer opens', async () => {
  const { key } = await open();
  const before = key.publicKey;
  const sealedToOld = sealSecrets(SECRETS, before, BINDING);
  await key.rotate('test');
  expect(key.publicKey).not.toBe(before);
  expect(() => key.openSecrets(sealedToOld, BINDING)).toThrow(expect.objectContaining({ code: 'SEALED_SECRETS_UNREADABLE' }));
  expect(key.openSecrets(sealSecrets(SECRETS, key.publicKey, BINDING), BINDING)).toEqual(SECRETS);
  // the new pair is the one on flash
  opened.splice(0);
  expect((await open()).key.publicKey).toBe(key.publicKey);
});

test('a damaged store (unreadable slots, or halves that do not belong together) gets a new pair', async () => {
  const { key, state } = await open();
  const first = key.publicKey;
  const a = generateDeviceKeyPair();
  const b = generateDeviceKeyPair();
  await state.key.update((draft) => {
    draft.key = { privateKey: a.privateKey, publicKey: b.publicKey, createdAt: 1 };
  });
  await state.key.close();
  opened.splice(0);
  const mismatched = await open();
  expect([first, a.publicKey, b.publicKey]).not.toContain(mismatched.key.publicKey);
  expect(lines.join('\n')).toContain('device key unusable');
  await mismatched.state.key.close();
  opened.splice(0);

  for (const f of keyFiles()) writeFileSync(path.join(dataDir, 'cloud-link', f), '{"torn');
  const torn = await open();
  expect(torn.state.corrupt.map((c) => c.store)).toContain('device-key');
  expect(torn.key.publicKey).not.toBe(mismatched.key.publicKey);
  expect(torn.key.openSecrets(sealSecrets(SECRETS, torn.key.publicKey, BINDING), BINDING)).toEqual(SECRETS);
});

test('opened secrets that are not secret fields of a desired state are refused', async () => {
  const { key } = await open();
  const odd = sealSecrets({ roomProfile: { MaxVolumeLimit: 1 } }, key.publicKey, BINDING);
  expect(() => key.openSecrets(odd, BINDING)).toThrow(expect.objectContaining({ code: 'SEALED_SECRETS_UNREADABLE' }));
});

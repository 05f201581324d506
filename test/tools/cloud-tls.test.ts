/**
 * TLS from the command line, as a user runs it: `echosim cloud --tls` makes its CA and server
 * certificate (keys 0600) and keeps them across restarts; `a4b` speaks https with the CA it finds in
 * the data directory; `device --cloud mqtts:// --ca` connects and applies its profile; a wrong CA or
 * a plain URL with a CA is refused with the reason. A listener bound beyond loopback gets TLS by
 * default; `--no-tls` keeps it plain and says so.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCertificateAuthority } from '../../cloud-link/tls/certificates.js';
import { runCli, startCli, type RunningCli } from './run-cli.js';

const DEMO = 'test/fixtures/demo/alexa-demo.wav';
let dir: string;
let cloud: RunningCli | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-cloud-tls-cli-'));
});
afterEach(async () => {
  await cloud?.stop('SIGKILL');
  cloud = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startCloud(extra: string[] = ['--tls']): Promise<Record<string, unknown>> {
  cloud = startCli(['cloud', '--data', dir, '--mqtt-port', '0', '--http-port', '0', '--no-verify', '--events', 'jsonl', ...extra]);
  return cloud.waitForLine((l) => l.type === 'ready', 60_000);
}

/** Registers a device through the https API (the CA found in the data directory) and writes its secret file. */
async function register(api: string, serial: string): Promise<string> {
  const reg = await runCli(['a4b', 'register-device', '--device-serial-number', serial, '--device-type', 'echo-dot-3', '--device-name', 'Kitchen', '--endpoint-url', api, '--data-dir', dir]);
  expect(reg.stderr).toBe('');
  expect(reg.code).toBe(0);
  const secretFile = path.join(dir, `${serial}.secret`);
  writeFileSync(secretFile, (JSON.parse(reg.stdout) as { Secret: string }).Secret, { mode: 0o600 });
  return secretFile;
}

// Several CLI processes each (the device loads its models): generous limits for a busy machine.
const SLOW = 180_000;

test('cloud --tls, a4b over https and a device over mqtts verifying the CA; the CA is kept across restarts', async () => {
  const ready = await startCloud();
  expect(ready.broker).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
  expect(ready.api).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const caFile = path.join(dir, 'tls', 'ca.pem');
  expect(ready.caFile).toBe(caFile);
  expect(statSync(path.join(dir, 'tls')).mode & 0o777).toBe(0o700);
  for (const f of ['ca-key.pem', 'server-key.pem', 'ca.pem', 'server.pem']) expect(statSync(path.join(dir, 'tls', f)).mode & 0o777).toBe(0o600);
  const ca = readFileSync(caFile, 'utf8');

  const secretFile = await register(String(ready.api), 'tls-cli-1');
  const dev = await runCli(['device', '--cloud', String(ready.broker), '--ca', caFile, '--device-id', 'tls-cli-1', '--secret-file', secretFile, '--events', 'jsonl', '--fast', '--mic', `wav:${DEMO}`]);
  expect(dev.stderr).not.toMatch(/error/);
  expect(dev.code).toBe(0);
  expect(dev.lines.filter((l) => l.type === 'cloud').map((l) => l.state)).toContain('CONNECTED');
  expect(dev.lines.filter((l) => l.type === 'profile-applied')).toHaveLength(1);
  expect(dev.lines.at(-1)).toMatchObject({ type: 'end' });

  expect(await cloud?.stop('SIGTERM')).toBe(0);
  cloud = undefined;
  await startCloud();
  expect(readFileSync(caFile, 'utf8')).toBe(ca);
}, SLOW);

test('another CA, plain http to the https API, or a CA with a plain URL: refused, saying why', async () => {
  const ready = await startCloud();
  const caFile = path.join(dir, 'tls', 'ca.pem');
  const secretFile = await register(String(ready.api), 'tls-cli-2');
  const otherCa = path.join(dir, 'other-ca.pem');
  writeFileSync(otherCa, (await createCertificateAuthority('not the cloud', new Date(), 30)).certPem);
  const wrong = await runCli(['device', '--cloud', String(ready.broker), '--ca', otherCa, '--device-id', 'tls-cli-2', '--secret-file', secretFile, '--fast', '--mic', `wav:${DEMO}`]);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/error TLS_SERVER_UNTRUSTED: the server at mqtts:\/\/127\.0\.0\.1:\d+ presented a certificate not signed by the CA in .*other-ca\.pem/);
  expect(wrong.stderr).toMatch(/hint: .*ca\.pem/);
  const wrongApi = await runCli(['a4b', 'search-devices', '--endpoint-url', String(ready.api), '--data-dir', dir, '--ca', otherCa]);
  expect(wrongApi.code).toBe(1);
  expect(wrongApi.stderr).toContain('TLS_SERVER_UNTRUSTED');
  // Plain http:// to the https API: the hint says what to type instead.
  const plain = await runCli(['a4b', 'search-devices', '--endpoint-url', String(ready.api).replace('https:', 'http:'), '--data-dir', dir]);
  expect(plain.code).toBe(1);
  expect(plain.stderr).toMatch(/hint: .*--endpoint-url https:/);
  // A CA with a plain URL would be a connection in clear believed safe: refused before anything runs.
  const mixed = await runCli(['device', '--cloud', 'mqtt://127.0.0.1:1883', '--ca', caFile, '--device-id', 'tls-cli-2', '--secret-file', secretFile, '--fast', '--mic', `wav:${DEMO}`]);
  expect(mixed.code).toBe(1);
  expect(mixed.stderr).toContain('TLS_CONFIG_INVALID');
}, SLOW);

test('a listener bound beyond loopback gets TLS by default; --no-tls keeps it plain and warns', async () => {
  const ready = await startCloud(['--mqtt-host', '0.0.0.0']);
  expect(ready.broker).toMatch(/^mqtts:\/\/0\.0\.0\.0:\d+$/);
  expect(ready.api).toMatch(/^https:/);
  expect(await cloud?.stop('SIGTERM')).toBe(0);
  const plain = await startCloud(['--mqtt-host', '0.0.0.0', '--no-tls']);
  expect(plain.broker).toMatch(/^mqtt:\/\/0\.0\.0\.0:\d+$/);
  expect(cloud?.stderr()).toMatch(/--no-tls: listening on 0\.0\.0\.0 WITHOUT TLS/);
}, SLOW);

test('TLS options that do not fit are usage errors (exit 2)', async () => {
  const certOnly = await runCli(['cloud', '--data', dir, '--tls-cert', path.join(dir, 'x.pem')]);
  expect(certOnly.code).toBe(2);
  expect(certOnly.stderr).toContain('--tls-cert and --tls-key go together');
  const brokerCa = await runCli(['cloud', '--data', dir, '--broker', 'mqtt://127.0.0.1:1883', '--broker-ca', path.join(dir, 'x.pem')]);
  expect(brokerCa.code).toBe(2);
  expect(brokerCa.stderr).toContain('--broker-ca needs an mqtts:// --broker');
  const badSan = await runCli(['cloud', '--data', dir, '--tls-san', 'not a name']);
  expect(badSan.stderr).toContain('TLS_CONFIG_INVALID');
  const missingCa = await runCli(['device', '--cloud', 'mqtts://127.0.0.1:8883', '--ca', path.join(dir, 'none.pem'), '--device-id', 'x', '--secret', 's', '--mic', 'synthetic:silence']);
  expect(missingCa.code).toBe(2);
  expect(missingCa.stderr).toContain('TLS_CA_INVALID');
}, SLOW);

/**
 * The HTTP API in front of the real A4bService (SQLite in a temp dir), through the A4bClient and the
 * built CLI: the contract between the two holds, the admin token file the service writes is what the
 * client finds, and a network password goes in but never comes back out of the API or into its logs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { VirtualClock } from '../../../../core/clock.js';
import { isEchosimError } from '../../../../core/errors.js';
import { A4bService } from '../../../../cloud-link/cloud/a4b/service.js';
import { ApiServer } from '../../../../cloud-link/cloud/http/api-server.js';
import { A4bClient } from '../../../../tools/a4b-client.js';
import { runCli } from '../../../tools/run-cli.js';

const PASSWORD = 'Narwhal-Basalt-6620';

let dir: string;
let service: A4bService;
let api: ApiServer;
let client: A4bClient;
let logLines: string[];

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-api-'));
  logLines = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  service = A4bService.open({ dir, clock: new VirtualClock(), log });
  api = await ApiServer.start({ backend: service, port: 0, log });
  // The token comes from <dir>/admin-token, written by the service on first open.
  client = new A4bClient({ endpoint: api.url, dataDir: dir, env: {} });
});

afterEach(async () => {
  await api.close();
  service.close();
  rmSync(dir, { recursive: true, force: true });
});

test('register, profile and flash through the API; the password never comes back out', async () => {
  const { DeviceArn, Secret } = await client.call<{ DeviceArn: string; Secret: string }>('RegisterDevice', {
    DeviceSerialNumber: 'ECHO-0042',
    DeviceType: 'echo-dot-3',
    DeviceName: 'Lobby',
  });
  expect(DeviceArn).toBe('arn:aws:a4b:local:000000000000:device/ECHO-0042');
  expect(Secret.length).toBeGreaterThanOrEqual(32);

  const responses: unknown[] = [];
  const { NetworkProfileArn } = await client.call<{ NetworkProfileArn: string }>('CreateNetworkProfile', {
    NetworkProfileName: 'Office',
    Ssid: 'corp-5g',
    SecurityType: 'WPA2_PSK',
    CurrentPassword: PASSWORD,
  });
  responses.push(await client.call('GetNetworkProfile', { NetworkProfileArn }));
  responses.push(await client.call('SearchNetworkProfiles', {}));
  expect(responses[0]).toMatchObject({ NetworkProfile: { NetworkProfileName: 'Office', Ssid: 'corp-5g', SecurityType: 'WPA2_PSK' } });

  // echosim flash by serial number, with the token file found through --data-dir.
  const netFile = path.join(dir, 'net.json');
  writeFileSync(netFile, JSON.stringify({ NetworkProfileName: 'Bench', Ssid: 'lab', SecurityType: 'WPA2_PSK', CurrentPassword: PASSWORD }));
  const flashed = await runCli(['flash', '--device', 'ECHO-0042', '--network-profile', netFile, '--endpoint-url', api.url, '--data-dir', dir], {
    env: { ECHOSIM_ADMIN_TOKEN: '', ECHOSIM_ENDPOINT: '' },
  });
  expect(flashed.stderr).toBe('');
  expect(flashed.code).toBe(0);
  expect(JSON.parse(flashed.stdout)).toMatchObject({
    DeviceArn,
    Flashed: { NetworkProfile: { Ssid: 'lab', CurrentPassword: '<redacted>' } },
    Result: { DeviceArn, NetworkProfile: { Ssid: 'lab' } },
  });
  responses.push(flashed.stdout);
  responses.push(await client.call('GetDevice', { DeviceArn }));

  // The device itself gets the password (its own desired state), nothing else does.
  expect(JSON.stringify(service.desiredStateFor('ECHO-0042'))).toContain(PASSWORD);
  for (const r of responses) expect(JSON.stringify(r)).not.toContain('Narwhal');
  expect(logLines.length).toBeGreaterThan(0);
  for (const line of logLines) expect(line).not.toContain('Narwhal');
});

test('service errors arrive as A4B_API_ERROR with their A4B name; a wrong token is refused', async () => {
  const err = await client.call('GetRoom', { RoomArn: 'arn:aws:a4b:local:000000000000:room/0123456789abcdef0123456789abcdef' }).catch((e: unknown) => e);
  expect(isEchosimError(err, 'A4B_API_ERROR')).toBe(true);
  expect((err as { details: Record<string, unknown> }).details).toMatchObject({ type: 'NotFoundException', status: 400, operation: 'GetRoom' });
  expect((err as Error).message).toMatch(/^NotFoundException: /);

  const bad = await client.call('CreateProfile', { ProfileName: 'HQ', MaxVolumeLimit: 99 }).catch((e: unknown) => e);
  expect((bad as { details: Record<string, unknown> }).details).toMatchObject({ type: 'ValidationException' });

  const intruder = new A4bClient({ endpoint: api.url, token: 'guess', env: {} });
  await expect(intruder.call('SearchRooms', {})).rejects.toThrow('UnauthorizedException: The admin token is not valid');
  expect(await intruder.health()).toBe(true);
});

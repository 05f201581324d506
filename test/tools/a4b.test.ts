/**
 * `echosim a4b` and `echosim flash` end to end: the built CLI (`npm run build` first) against an
 * ApiServer with an in-test backend, checking what reached the service, what was printed and the
 * exit status. Plus the argument parser in-process for the AWS CLI style details.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiServer } from '../../cloud-link/cloud/http/api-server.js';
import { formatOutput, parseA4bArgs } from '../../tools/commands/a4b.js';
import { validateProfile } from '../../tools/commands/flash.js';
import { ADMIN_TOKEN, TestBackend } from '../cloud-link/cloud/http/test-backend.js';
import { runCli, type CliResult } from './run-cli.js';

const PASSWORD = 'Walrus-Copper-4471';
let backend: TestBackend;
let api: ApiServer;
let dir: string;

/** The child sees only what the test gives it: no token or endpoint inherited from the developer's shell. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ECHOSIM_ENDPOINT: api.url, ECHOSIM_ADMIN_TOKEN: ADMIN_TOKEN, HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg'), ...extra };
}

function a4b(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return runCli(['a4b', ...args], { env: env(options.env), ...(options.input === undefined ? {} : { input: options.input }) });
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-a4b-'));
  backend = new TestBackend();
  api = await ApiServer.start({ backend, port: 0 });
});

afterEach(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('echosim a4b', () => {
  test('create-profile from file:// with per-field overrides; the response is printed as pretty JSON', async () => {
    const p = file('hq.json', JSON.stringify({ ProfileName: 'HQ', WakeWord: 'ALEXA', MaxVolumeLimit: 5, Address: '1 Main St' }));
    const r = await a4b(['create-profile', '--cli-input-json', `file://${p}`, '--max-volume-limit', '8', '--pstn-enabled', '--no-setup-mode-disabled', '--locale=en-GB']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(backend.calls).toEqual([
      {
        operation: 'CreateProfile',
        input: {
          ProfileName: 'HQ', WakeWord: 'ALEXA', MaxVolumeLimit: 8, Address: '1 Main St', PSTNEnabled: true, SetupModeDisabled: false, Locale: 'en-GB',
          // as the AWS CLI does, an idempotency token is made when none is given
          ClientRequestToken: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        },
      },
    ]);
    expect(r.stdout).toBe(`{\n    "ProfileArn": "arn:aws:a4b:local:000000000000:profile/p-1"\n}\n`);
  });

  test('input from stdin and inline JSON; --output text', async () => {
    const viaStdin = await a4b(['create-profile', '--cli-input-json', '-'], { input: '{"ProfileName": "Lab", "DataRetentionOptIn": false}' });
    expect(viaStdin.code).toBe(0);
    const inline = await a4b(['get-profile', '--cli-input-json', JSON.stringify({ ProfileArn: 'arn:aws:a4b:local:000000000000:profile/p-1' }), '--output', 'text']);
    expect(inline.code).toBe(0);
    expect(inline.stdout).toBe('Profile.ProfileName\tLab\nProfile.DataRetentionOptIn\tfalse\nProfile.ProfileArn\tarn:aws:a4b:local:000000000000:profile/p-1\n');
  });

  test('connection options may come before the operation; --token and --endpoint-url beat the environment', async () => {
    const r = await a4b(['--endpoint-url', api.url, '--token', ADMIN_TOKEN, 'search-profiles'], { env: { ECHOSIM_ENDPOINT: 'http://127.0.0.1:9', ECHOSIM_ADMIN_TOKEN: 'stale' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ Profiles: [], TotalCount: 0 });
  });

  test('the token is read from <data dir>/admin-token, by default under $XDG_DATA_HOME/echosim/cloud', async () => {
    const cloudDir = path.join(dir, 'xdg', 'echosim', 'cloud');
    mkdirSync(cloudDir, { recursive: true });
    writeFileSync(path.join(cloudDir, 'admin-token'), `${ADMIN_TOKEN}\n`, { mode: 0o600 });
    expect((await a4b(['search-profiles'], { env: { ECHOSIM_ADMIN_TOKEN: '' } })).code).toBe(0);
    const other = path.join(dir, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'admin-token'), 'not-the-token');
    const wrong = await a4b(['search-profiles', '--data-dir', other], { env: { ECHOSIM_ADMIN_TOKEN: '' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('echosim: error A4B_API_ERROR: UnauthorizedException: The admin token is not valid');
  });

  test('no token anywhere is a usage error naming where it looked', async () => {
    const r = await a4b(['search-profiles'], { env: { ECHOSIM_ADMIN_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`echosim: error A4B_TOKEN_MISSING: No admin token: none given and ${path.join(dir, 'xdg', 'echosim', 'cloud', 'admin-token')} is not readable`);
    expect(backend.calls).toEqual([]);
  });

  test('API errors exit 1 with the A4B error name', async () => {
    const r = await a4b(['get-profile', '--profile-arn', 'arn:aws:a4b:local:000000000000:profile/nope']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('echosim: error A4B_API_ERROR: NotFoundException: Profile arn:aws:a4b:local:000000000000:profile/nope not found');
    expect(r.stderr).toContain('hint: Check the ARN');
  });

  test('usage errors exit 2: unknown operation with a suggestion, bad JSON with line and column, missing file', async () => {
    const typo = await a4b(['create-profil']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown operation "create-profil"');
    expect(typo.stderr).toContain('Did you mean create-profile?');
    const pascal = await a4b(['CreateProfile']);
    expect(pascal.stderr).toContain('Did you mean create-profile?');

    const bad = file('bad.json', '{\n  "ProfileName": "HQ"\n  "WakeWord": "ALEXA"\n}\n');
    const badJson = await a4b(['create-profile', '--cli-input-json', `file://${bad}`]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain(`${bad}: not valid JSON at line 3, column 3: expected ',' or '}' after a property value`);

    const missing = await a4b(['create-profile', '--cli-input-json', `file://${path.join(dir, 'nope.json')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`Cannot read ${path.join(dir, 'nope.json')}: no such file`);

    const noValue = await a4b(['get-profile', '--profile-arn']);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--profile-arn needs a value');
    expect(backend.calls).toEqual([]);
  });

  test('an unreachable endpoint exits 1 with A4B_API_UNREACHABLE', async () => {
    const closed = await ApiServer.start({ backend, port: 0 });
    const url = closed.url;
    await closed.close();
    const r = await a4b(['search-rooms', '--endpoint-url', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`echosim: error A4B_API_UNREACHABLE: SearchRooms: cannot reach the API at ${url}/: ECONNREFUSED`);
  });
});

describe('echosim flash', () => {
  const ROOM = { ProfileName: 'Board room', Timezone: 'Europe/Berlin', Address: '1 Main St', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA', MaxVolumeLimit: 6 };
  const network = { NetworkProfileName: 'Office', Ssid: 'corp-5g', SecurityType: 'WPA2_PSK', CurrentPassword: PASSWORD };

  test('a serial number is resolved to its ARN, the profile sent, and the password never printed', async () => {
    const room = file('room.json', JSON.stringify({ ...ROOM, ClientRequestToken: 'abc-123' }));
    const net = file('net.json', JSON.stringify(network));
    const r = await runCli(['flash', '--device', 'ECHO-0002', '--room-profile', room, '--network-profile', net], { env: env() });
    expect(r.code).toBe(0);
    const arn = 'arn:aws:a4b:local:000000000000:device/dev-2';
    expect(backend.calls.map((c) => c.operation)).toEqual(['SearchDevices', 'FlashDevice']);
    expect(backend.calls[1]!.input).toEqual({ DeviceArn: arn, RoomProfile: ROOM, NetworkProfile: network });
    expect(r.stdout).not.toContain('Walrus');
    expect(r.stderr).not.toContain('Walrus');
    expect(JSON.parse(r.stdout)).toEqual({
      DeviceArn: arn,
      Flashed: { RoomProfile: ROOM, NetworkProfile: { ...network, CurrentPassword: '<redacted>' } },
      Result: { DeviceArn: arn, DesiredVersion: 4 },
    });
    expect(r.stderr).toContain('ignoring ClientRequestToken (API request fields, not part of the profile)');
  });

  test('an ARN is used as is; an unknown serial is NotFound (exit 1)', async () => {
    const room = file('room.json', JSON.stringify({ ...ROOM, ProfileName: 'Lobby' }));
    const byArn = await runCli(['flash', '--device', 'arn:aws:a4b:local:000000000000:device/dev-1', '--room-profile', room], { env: env() });
    expect(byArn.code).toBe(0);
    expect(backend.calls.map((c) => c.operation)).toEqual(['FlashDevice']);
    const unknown = await runCli(['flash', '--device', 'ECHO-9999', '--room-profile', room], { env: env() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('echosim: error A4B_API_ERROR: NotFoundException: no registered device has the serial number ECHO-9999');
  });

  test('a file is checked before anything is sent: JSON errors with line and column, unknown fields, wrong types', async () => {
    const broken = file('broken.json', `{\n  "NetworkProfileName": "Office",\n  "CurrentPassword": "${PASSWORD}",\n}\n`);
    const r = await runCli(['flash', '--device', 'ECHO-0001', '--network-profile', broken], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${broken}: not valid JSON at line 4, column 1: trailing comma before }`);
    expect(r.stderr).not.toContain('Walrus');

    const typo = file('typo.json', JSON.stringify({ ...ROOM, MaxVolumeLimit: undefined, MaxVolumLimit: 7, WakeWord: 'SIRI', Address: undefined }));
    const t = await runCli(['flash', '--device', 'ECHO-0001', '--room-profile', typo], { env: env() });
    expect(t.code).toBe(2);
    expect(t.stderr).toContain(`${typo}: not a valid room profile:`);
    expect(t.stderr).toContain('  - unknown field MaxVolumLimit (did you mean MaxVolumeLimit?)');
    expect(t.stderr).toContain('  - WakeWord: Invalid option: expected one of "ALEXA"|"AMAZON"|"ECHO"|"COMPUTER"');
    expect(t.stderr).toContain('  - Address: required, missing');

    const weak = file('weak.json', JSON.stringify({ ...network, CurrentPassword: 'abc' }));
    const w = await runCli(['flash', '--device', 'ECHO-0001', '--network-profile', weak], { env: env() });
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('  - CurrentPassword: must be 5-128 characters');

    const none = await runCli(['flash', '--device', 'ECHO-0001'], { env: env() });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Nothing to flash');
    expect(backend.calls).toEqual([]);
  });
});

describe('parseA4bArgs', () => {
  const noStdin = (): string => {
    throw new Error('stdin not expected');
  };

  test('field types follow the API: passwords and names stay strings, lists collect values', () => {
    const inv = parseA4bArgs(
      ['update-network-profile', '--network-profile-arn', 'arn:x', '--current-password', '12345678', '--description', 'true story', '--trust-anchors', 'PEM1', 'PEM2', '--output', 'text'],
      noStdin,
    );
    expect(inv).toMatchObject({ operation: 'UpdateNetworkProfile', output: 'text' });
    expect(inv.input).toEqual({ NetworkProfileArn: 'arn:x', CurrentPassword: '12345678', Description: 'true story', TrustAnchors: ['PEM1', 'PEM2'] });
    const sync = parseA4bArgs(['start-device-sync', '--device-arn', 'arn:d', '--features', 'BLUETOOTH', 'VOLUME'], noStdin);
    expect(sync.input).toEqual({ DeviceArn: 'arn:d', Features: ['BLUETOOTH', 'VOLUME'] });
    const json = parseA4bArgs(['search-rooms', '--filters', '[{"Key":"RoomName","Values":["Lab"]}]', '--max-results', '10', '--custom-thing', '{"a":1}'], noStdin);
    expect(json.input).toEqual({ Filters: [{ Key: 'RoomName', Values: ['Lab'] }], MaxResults: 10, CustomThing: { a: 1 } });
  });

  test('values may start with a dash (base64url tokens, negative numbers); --field=--value for a leading double dash', () => {
    const inv = parseA4bArgs(['update-profile', '--token', '-Ab_9', '--max-volume-limit', '-1', '--address', '-', '--description=--odd'], noStdin);
    expect(inv.token).toBe('-Ab_9');
    expect(inv.input).toEqual({ MaxVolumeLimit: -1, Address: '-', Description: '--odd' });
  });

  test('overrides replace keys of --cli-input-json', () => {
    const inv = parseA4bArgs(['update-profile', '--cli-input-json', '-', '--profile-name', 'New'], () => '{"ProfileName":"Old","WakeWord":"ECHO"}');
    expect(inv.input).toEqual({ ProfileName: 'New', WakeWord: 'ECHO' });
  });

  test.each([
    [['create-profile', '--max-volume-limit', 'seven'], '--max-volume-limit expects a whole number, not "seven"'],
    [['create-profile', '--pstn-enabled', 'yes'], '--pstn-enabled expects true or false, not "yes"'],
    [['create-profile', '--profile-name', 'a', '--profile-name', 'b'], '--profile-name given twice'],
    [['create-profile', '--output', 'yaml'], '--output must be json or text, not "yaml"'],
    [['create-profile', '--meeting-room-configuration', '{bad'], '--meeting-room-configuration: not valid JSON (line 1, column 2: expected a double-quoted property name)'],
    [['--profile-name', 'x'], '--profile-name before the operation'],
    [['create-profile', 'stray'], 'Unexpected argument "stray"'],
    [[], 'No operation given'],
    [['create-profile', '--cli-input-json', '[1]'], '--cli-input-json: expected a JSON object ({ ... })'],
  ])('%j is refused: %s', (args, message) => {
    expect(() => parseA4bArgs(args, noStdin)).toThrow(message);
  });

  test('text output flattens to Path<TAB>value lines and redacts network passwords', () => {
    const out = formatOutput({ NetworkProfile: { Ssid: 'corp', CurrentPassword: 'secret-pw', TrustAnchors: ['A', 'B'], Description: null } }, 'text');
    expect(out).toBe('NetworkProfile.Ssid\tcorp\nNetworkProfile.CurrentPassword\t<redacted>\nNetworkProfile.TrustAnchors[0]\tA\nNetworkProfile.TrustAnchors[1]\tB\nNetworkProfile.Description\tNone\n');
  });

  test('local profile checks follow the device schema and name fields, never values', () => {
    expect(validateProfile('network', { NetworkProfileName: 'x', Ssid: 7, SecurityType: 'WPA2_PSK', CurrentPassword: 12345 })).toEqual([
      'Ssid: Invalid input: expected string, received number',
      'CurrentPassword: Invalid input: expected string, received number',
    ]);
    expect(validateProfile('network', { NetworkProfileName: 'x', Ssid: 'corp', SecurityType: 'WPA2_PSK' })).toEqual([
      'CurrentPassword: CurrentPassword is required when SecurityType is WPA2_PSK',
    ]);
    const problems = validateProfile('room', {
      ProfileName: 'HQ', Timezone: 'Europe/Berlin', Address: 'x', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA',
      MaxVolumeLimit: 4.5,
      MeetingRoomConfiguration: { InstantBooking: { DurationInMinutes: 20, Enabled: true, Enabeld: true } },
    });
    expect(problems).toEqual([
      'MaxVolumeLimit: Invalid input: expected int, received number',
      'MeetingRoomConfiguration.InstantBooking.DurationInMinutes: Invalid number: must be a multiple of 15',
      'unknown field MeetingRoomConfiguration.InstantBooking.Enabeld (did you mean Enabled?)',
    ]);
    expect(validateProfile('network', { NetworkProfileName: 'x', Ssid: 'corp', SecurityType: 'WPA2_PSK', CurrentPassword: 'Walrus\u0001' }).join()).not.toContain('Walrus');
  });
});

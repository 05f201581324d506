/**
 * Rooms' calendars from the command line: `echosim a4b create-booking / list-bookings / delete-booking`
 * (the built CLI, `npm run build` first) against the real service behind the HTTP API, its clock a
 * VirtualClock at 2026-01-05T09:00Z.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { A4bService } from '../../cloud-link/cloud/a4b/service.js';
import { ApiServer } from '../../cloud-link/cloud/http/api-server.js';
import { VirtualClock } from '../../core/clock.js';
import { runCli, type CliResult } from './run-cli.js';

let dir: string;
let service: A4bService;
let api: ApiServer;
let RoomArn: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-bookings-'));
  service = A4bService.open({ dir: path.join(dir, 'cloud'), clock: new VirtualClock() });
  api = await ApiServer.start({ backend: service, port: 0 });
  RoomArn = ((await service.call('CreateRoom', { RoomName: 'Everest' })) as { RoomArn: string }).RoomArn;
});
afterEach(async () => {
  await api.close();
  service.close();
  rmSync(dir, { recursive: true, force: true });
});

const a4b = (args: string[]): Promise<CliResult> =>
  runCli(['a4b', ...args], { env: { ECHOSIM_ENDPOINT: api.url, ECHOSIM_ADMIN_TOKEN: service.readAdminToken() ?? '', HOME: dir } });

test('create-booking (ISO 8601 or epoch seconds), list-bookings, delete-booking; a bad time is an API error that books nothing', async () => {
  const created = await a4b([
    'create-booking', '--room-arn', RoomArn, '--title', 'Design review', '--organizer', 'Ana Lima',
    '--start-time', '2026-01-05T10:00:00Z', '--end-time', String(Date.UTC(2026, 0, 5, 11) / 1000), '--meeting-id', '0123456789',
  ]);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const { BookingArn } = JSON.parse(created.stdout) as { BookingArn: string };
  expect(BookingArn).toMatch(/^arn:aws:a4b:local:000000000000:booking\/[0-9a-f]{32}$/);

  const listed = await a4b(['list-bookings', '--room-arn', RoomArn, '--output', 'text']);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain('Bookings[0].Title\tDesign review\n');
  expect(listed.stdout).toContain('Bookings[0].MeetingId\t0123456789\n'); // a string: its leading zero kept
  expect(listed.stdout).toContain(`Bookings[0].StartTime\t${Date.UTC(2026, 0, 5, 10) / 1000}\n`);
  expect(listed.stdout).toContain('Bookings[0].Status\tBOOKED\n');

  const clash = await a4b(['create-booking', '--room-arn', RoomArn, '--title', 'x', '--organizer', 'Bo', '--start-time', '2026-01-05T10:30:00Z', '--end-time', '2026-01-05T12:00:00Z']);
  expect(clash.code).toBe(1);
  expect(clash.stderr).toContain('echosim: error A4B_API_ERROR: ResourceInUseException: room Everest is booked from 2026-01-05T10:00:00.000Z');
  const bad = await a4b(['create-booking', '--room-arn', RoomArn, '--title', 'x', '--organizer', 'Bo', '--start-time', 'noon', '--end-time', '2026-01-05T12:00:00Z']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('ValidationException: 1 validation error detected: StartTime: must be epoch seconds or an ISO 8601 time');

  expect((await a4b(['delete-booking', '--booking-arn', BookingArn])).code).toBe(0);
  const empty = await a4b(['list-bookings', '--room-arn', RoomArn]);
  expect(JSON.parse(empty.stdout)).toEqual({ Bookings: [], TotalCount: 0 });
});

/**
 * Idempotency tokens as the AWS CLI handles them: an operation with a ClientRequestToken gets a
 * random one when the user gives none (so `send-announcement` works without
 * `--client-request-token`), and a given one is sent as is (so repeating it is a retry).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPERATIONS } from '../../cloud-link/cloud/a4b/operations.js';
import { A4bService } from '../../cloud-link/cloud/a4b/service.js';
import { ApiServer } from '../../cloud-link/cloud/http/api-server.js';
import { A4B_OPERATIONS, IDEMPOTENT_OPERATIONS } from '../../cloud-link/cloud/http/operations.js';
import { VirtualClock } from '../../core/clock.js';
import { withIdempotencyToken } from '../../tools/a4b-client.js';
import { runCli } from './run-cli.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('idempotency tokens', () => {
  test('the client knows exactly the operations whose input takes a ClientRequestToken', () => {
    const withToken = A4B_OPERATIONS.filter((op) => {
      const schema = OPERATIONS[op]?.input as unknown as { shape?: Record<string, unknown> };
      return schema.shape !== undefined && 'ClientRequestToken' in schema.shape;
    });
    expect(withToken.length).toBeGreaterThan(0);
    expect(new Set(withToken)).toEqual(IDEMPOTENT_OPERATIONS);
  });

  test('a missing token is filled in with a fresh UUID; a given one, and other operations, are left alone', () => {
    const a = withIdempotencyToken('SendAnnouncement', { RoomFilters: [] }) as Record<string, unknown>;
    const b = withIdempotencyToken('SendAnnouncement', { RoomFilters: [] }) as Record<string, unknown>;
    expect(a).toEqual({ RoomFilters: [], ClientRequestToken: expect.stringMatching(UUID) });
    expect(b.ClientRequestToken).not.toBe(a.ClientRequestToken);
    expect(withIdempotencyToken('CreateRoom', { RoomName: 'x', ClientRequestToken: 'mine-0001' })).toEqual({ RoomName: 'x', ClientRequestToken: 'mine-0001' });
    expect(withIdempotencyToken('GetRoom', { RoomArn: 'a' })).toEqual({ RoomArn: 'a' });
  });

  describe('echosim a4b send-announcement against the real service', () => {
    let dir: string;
    let service: A4bService;
    let api: ApiServer;
    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'echosim-idem-'));
      service = A4bService.open({ dir: path.join(dir, 'cloud'), clock: new VirtualClock() });
      api = await ApiServer.start({ backend: service, port: 0 });
    });
    afterEach(async () => {
      await api.close();
      service.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const announce = (extra: string[] = []): Promise<{ code: number | null; arn: string; stderr: string }> =>
      runCli(
        [
          'a4b', 'send-announcement',
          '--room-filters', '[{"Key": "RoomName", "Values": ["Lobby"]}]',
          '--content', '{"TextList": [{"Locale": "en-US", "Value": "Fire drill at noon"}]}',
          ...extra,
        ],
        { env: { ECHOSIM_ENDPOINT: api.url, ECHOSIM_ADMIN_TOKEN: service.readAdminToken() ?? '', HOME: dir } },
      ).then((r) => ({ code: r.code, stderr: r.stderr, arn: r.code === 0 ? (JSON.parse(r.stdout) as { AnnouncementArn: string }).AnnouncementArn : '' }));

    test('works without --client-request-token (a new announcement each time), and a given token makes a repeat a retry', async () => {
      await service.call('CreateRoom', { RoomName: 'Lobby' });
      const first = await announce();
      expect(first).toEqual({ code: 0, stderr: '', arn: expect.stringMatching(/^arn:aws:a4b:/) });
      const second = await announce();
      expect(second.code).toBe(0);
      expect(second.arn).not.toBe(first.arn);
      const given = await announce(['--client-request-token', 'drill-2026-01-05']);
      const repeated = await announce(['--client-request-token', 'drill-2026-01-05']);
      expect(given.code).toBe(0);
      expect(repeated.arn).toBe(given.arn);
    });
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudDatabase } from '../../../../cloud-link/cloud/db/database.js';
import { JobStore, isTerminalJobStatus } from '../../../../cloud-link/cloud/db/job-store.js';
import { JOB_STATUSES } from '../../../../cloud-link/protocol/jobs.js';
import { RecordingMetaStore } from '../../../../cloud-link/cloud/db/recording-meta-store.js';
import { ShadowStore } from '../../../../cloud-link/cloud/db/shadow-store.js';
import { SecretBox } from '../../../../cloud-link/cloud/secrets.js';

let dir: string;
let cdb: CloudDatabase;
let now: number;
const clock = (): number => now;
const box = new SecretBox(randomBytes(32));

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-stores-'));
  cdb = CloudDatabase.open({ dir });
  now = 1_000_000;
  const add = cdb.db.prepare(
    `INSERT INTO devices (serial, device_type, name, status, created_at, updated_at) VALUES (?, 'echo-dot-3', ?, ?, 0, 0)`,
  );
  add.run('DEV1', 'one', 'READY');
  add.run('DEV2', 'two', 'READY');
  add.run('GONE', 'gone', 'DEREGISTERED');
});
afterEach(() => {
  cdb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ShadowStore', () => {
  test('stores documents with versions that only grow, also across delete', () => {
    const shadows = new ShadowStore(cdb.db, clock, box);
    expect(shadows.get('DEV1')).toBeUndefined();
    expect(shadows.put('DEV1', { state: { desired: { a: 1 } } })).toBe(1);
    now += 10;
    expect(shadows.put('DEV1', { state: { desired: { a: 2 } } }, 5)).toBe(5);
    expect(shadows.get('DEV1')).toEqual({ document: { state: { desired: { a: 2 } } }, version: 5, updatedAt: 1_000_010 });
    expect(() => shadows.put('DEV1', { x: 1 }, 5)).toThrow(expect.objectContaining({ name: 'ConcurrentModificationException' }));
    expect(() => shadows.put('DEV1', { x: 1 }, 3)).toThrow(expect.objectContaining({ name: 'ConcurrentModificationException' }));
    expect(shadows.delete('DEV1')).toBe(true);
    expect(shadows.delete('DEV1')).toBe(false);
    expect(shadows.get('DEV1')).toBeUndefined();
    expect(shadows.versionOf('DEV1')).toBe(6);
    expect(shadows.put('DEV1', { fresh: true })).toBe(7);
  });

  test('refuses unknown devices and non-object documents', () => {
    const shadows = new ShadowStore(cdb.db, clock, box);
    expect(() => shadows.put('NOPE', {})).toThrow(expect.objectContaining({ name: 'NotFoundException' }));
    expect(() => shadows.put('DEV1', null)).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => shadows.put('DEV1', [1])).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => shadows.put('DEV1', {}, 0)).toThrow(expect.objectContaining({ name: 'ValidationException' }));
  });

  test('keeps the desired passwords sealed: the row holds none, get() gives the whole document back', () => {
    const shadows = new ShadowStore(cdb.db, clock, box);
    const networkProfile = { NetworkProfileName: 'n', Ssid: 's', SecurityType: 'WPA2_PSK', CurrentPassword: 'Row-Secret-1', NextPassword: 'Row-Secret-2' };
    const doc = { state: { desired: { networkProfile, profileVersion: 4 }, reported: { profileVersion: 3 } }, metadata: {}, version: 1, timestamp: 0 };
    shadows.put('DEV1', doc, 1);
    const row = cdb.db.prepare(`SELECT * FROM shadows WHERE device_id = 'DEV1'`).get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toMatch(/Row-Secret/);
    expect(row.secrets_enc).toEqual(expect.any(String));
    expect(shadows.get('DEV1')?.document).toEqual(doc);
    // a later document without a network profile keeps no sealed secrets; nor does a deleted one
    shadows.put('DEV1', { state: { desired: { profileVersion: 5 } } }, 2);
    expect(cdb.db.prepare(`SELECT secrets_enc FROM shadows WHERE device_id = 'DEV1'`).get()).toEqual({ secrets_enc: null });
    shadows.put('DEV1', doc, 3);
    shadows.delete('DEV1');
    expect(cdb.db.prepare(`SELECT document, secrets_enc FROM shadows WHERE device_id = 'DEV1'`).get()).toEqual({ document: 'null', secrets_enc: null });
    // another key cannot read what this one sealed
    shadows.put('DEV2', doc, 1);
    expect(() => new ShadowStore(cdb.db, clock, new SecretBox(randomBytes(32))).get('DEV2')).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
  });

  test('survives a reopen', () => {
    new ShadowStore(cdb.db, clock, box).put('DEV2', { v: 'kept' }, 42);
    cdb.close();
    cdb = CloudDatabase.open({ dir });
    expect(new ShadowStore(cdb.db, clock, box).get('DEV2')).toMatchObject({ document: { v: 'kept' }, version: 42 });
  });
});

describe('JobStore', () => {
  test('queues, lists in order, filters by status and follows the lifecycle', () => {
    const jobs = new JobStore(cdb.db, clock);
    const a = jobs.create('DEV1', { operation: 'reset', parameters: { Features: ['LISTS'] } });
    now += 1;
    const b = jobs.create('DEV1', { operation: 'reboot', parameters: {} });
    jobs.create('DEV2', { operation: 'reboot', parameters: {} });
    expect(a).toMatchObject({ deviceId: 'DEV1', operation: 'reset', parameters: { Features: ['LISTS'] }, status: 'QUEUED', version: 1, queuedAt: 1_000_000 });
    expect(jobs.list('DEV1').map((j) => j.jobId)).toEqual([a.jobId, b.jobId]);

    now += 5;
    const started = jobs.update('DEV1', a.jobId, 'IN_PROGRESS', { step: 'lists' });
    expect(started).toMatchObject({ status: 'IN_PROGRESS', version: 2, statusDetails: { step: 'lists' }, updatedAt: 1_000_006 });
    expect(jobs.list('DEV1', 'QUEUED').map((j) => j.jobId)).toEqual([b.jobId]);
    expect(jobs.list('DEV1', ['QUEUED', 'IN_PROGRESS'])).toHaveLength(2);
    expect(jobs.list('DEV1', [])).toEqual([]);

    expect(() => jobs.update('DEV1', a.jobId, 'SUCCEEDED', undefined, 1)).toThrow(
      expect.objectContaining({ name: 'ConcurrentModificationException' }),
    );
    const done = jobs.update('DEV1', a.jobId, 'SUCCEEDED', undefined, 2);
    expect(done).toMatchObject({ status: 'SUCCEEDED', version: 3, statusDetails: { step: 'lists' } });
    expect(() => jobs.update('DEV1', a.jobId, 'IN_PROGRESS')).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => jobs.update('DEV2', a.jobId, 'FAILED')).toThrow(expect.objectContaining({ name: 'NotFoundException' }));
    expect(() => jobs.update('DEV1', b.jobId, 'DONE' as never)).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => jobs.update('DEV1', b.jobId, 'FAILED', { big: 'x'.repeat(3000) })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
  });

  test('a queued job past its expiry is TIMED_OUT before anyone sees it', () => {
    const jobs = new JobStore(cdb.db, clock);
    const j = jobs.create('DEV1', { operation: 'announce', parameters: { Text: 'hi', TtlSeconds: 1 }, expiresAt: now + 1000 });
    now += 999;
    expect(jobs.get('DEV1', j.jobId)?.status).toBe('QUEUED');
    now += 1;
    expect(jobs.list('DEV1', 'QUEUED')).toEqual([]);
    expect(jobs.get('DEV1', j.jobId)).toMatchObject({ status: 'TIMED_OUT', statusDetails: { reason: 'expired before delivery' } });
  });

  test('cancelUnfinished cancels only unfinished jobs', () => {
    const jobs = new JobStore(cdb.db, clock);
    const a = jobs.create('DEV1', { operation: 'reboot', parameters: {} });
    const b = jobs.create('DEV1', { operation: 'reboot', parameters: {} });
    jobs.update('DEV1', b.jobId, 'SUCCEEDED');
    expect(jobs.cancelUnfinished('DEV1', 'device deregistered')).toBe(1);
    expect(jobs.get('DEV1', a.jobId)).toMatchObject({ status: 'CANCELED', statusDetails: { reason: 'device deregistered' } });
    expect(jobs.get('DEV1', b.jobId)?.status).toBe('SUCCEEDED');
  });

  test('terminal statuses are exactly the finished ones', () => {
    expect(JOB_STATUSES.filter(isTerminalJobStatus)).toEqual(['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED']);
  });
});

describe('RecordingMetaStore', () => {
  const meta = (id: string, deviceId = 'DEV1', createdAt = 1000) => ({ id, deviceId, createdAt, bytes: 32000, durationMs: 1000, confirmed: true });

  test('adds, lists by device oldest first, and deletes', () => {
    const rec = new RecordingMetaStore(cdb.db);
    rec.add(meta('r2', 'DEV1', 2000));
    rec.add({ ...meta('r1', 'DEV1', 1000), roomArn: 'arn:aws:a4b:local:000000000000:room/abc', confirmed: false });
    rec.add(meta('r3', 'DEV2', 500));
    expect(rec.list('DEV1').map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(rec.get('r1')).toEqual({ id: 'r1', deviceId: 'DEV1', roomArn: 'arn:aws:a4b:local:000000000000:room/abc', createdAt: 1000, bytes: 32000, durationMs: 1000, confirmed: false });
    expect(rec.listCreatedBefore(1500).map((r) => r.id)).toEqual(['r3', 'r1']);
    expect(rec.delete(['r1', 'nope', 'r1']).map((r) => r.id)).toEqual(['r1']);
    expect(rec.deleteDevice('DEV1')).toEqual(['r2']);
    expect(rec.list('DEV1')).toEqual([]);
    expect(rec.list('DEV2')).toHaveLength(1);
  });

  test('refuses duplicates, unknown or deregistered devices and bad values', () => {
    const rec = new RecordingMetaStore(cdb.db);
    rec.add(meta('dup'));
    expect(() => rec.add(meta('dup'))).toThrow(expect.objectContaining({ name: 'AlreadyExistsException' }));
    expect(() => rec.add(meta('x1', 'NOPE'))).toThrow(expect.objectContaining({ name: 'NotFoundException' }));
    expect(() => rec.add(meta('x2', 'GONE'))).toThrow(expect.objectContaining({ name: 'DeviceNotRegisteredException' }));
    expect(() => rec.add({ ...meta('x3'), bytes: -1 })).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => rec.add(meta('../etc/passwd'))).toThrow(expect.objectContaining({ name: 'ValidationException' }));
  });
});

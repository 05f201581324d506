import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CloudDatabase, DEFAULT_DB_FILE } from '../../../../cloud-link/cloud/db/database.js';
import { migrate, type Migration } from '../../../../cloud-link/cloud/db/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../../cloud-link/cloud/db/migrations.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tables(db: BetterSqlite3.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
}

function columns(db: BetterSqlite3.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((r) => r.name);
}

describe('CloudDatabase.open', () => {
  test('a new database gets every table, WAL, foreign keys, a busy timeout and mode 0600', () => {
    const cdb = CloudDatabase.open({ dir });
    try {
      expect(cdb.schemaVersion).toBe(SCHEMA_VERSION);
      expect(cdb.migration).toEqual({ from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => ({ version: m.version, name: m.name })) });
      expect(tables(cdb.db)).toEqual(
        expect.arrayContaining([
          'schema_migrations',
          'rooms',
          'room_profiles',
          'network_profiles',
          'skill_groups',
          'skill_group_skills',
          'room_skill_groups',
          'devices',
          'shadows',
          'jobs',
          'idempotency_tokens',
          'usage_data_deletions',
          'recordings',
          'cloud_credentials',
        ]),
      );
      expect(columns(cdb.db, 'recordings')).not.toContain('audio');
      expect(cdb.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(cdb.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(cdb.db.pragma('busy_timeout', { simple: true })).toBe(5000);
      cdb.db.prepare(`INSERT INTO rooms (id, name, created_at, updated_at) VALUES ('r', 'r', 0, 0)`).run();
      const files = readdirSync(dir).filter((f) => f.startsWith(DEFAULT_DB_FILE));
      expect(files.sort()).toEqual([DEFAULT_DB_FILE, `${DEFAULT_DB_FILE}-shm`, `${DEFAULT_DB_FILE}-wal`]);
      for (const f of files) expect([f, statSync(path.join(dir, f)).mode & 0o777]).toEqual([f, 0o600]);
    } finally {
      cdb.close();
    }
  });

  test('foreign keys are enforced and only one profile can be the default', () => {
    const cdb = CloudDatabase.open({ dir });
    try {
      const insertDevice = cdb.db.prepare(
        `INSERT INTO devices (serial, device_type, name, room_id, status, created_at, updated_at) VALUES (?, 'echo-dot-3', 'x', ?, 'PENDING', 0, 0)`,
      );
      expect(() => insertDevice.run('D1', 'no-such-room')).toThrow(/FOREIGN KEY/);
      const insertProfile = cdb.db.prepare(
        `INSERT INTO room_profiles (id, name, is_default, settings, created_at, updated_at) VALUES (?, ?, 1, '{}', 0, 0)`,
      );
      insertProfile.run('p1', 'one');
      expect(() => insertProfile.run('p2', 'two')).toThrow(/UNIQUE/);
    } finally {
      cdb.close();
    }
  });

  test('an old database is migrated step by step and keeps its data', () => {
    // a database written by the first release: only migration 1
    const raw = new BetterSqlite3(path.join(dir, DEFAULT_DB_FILE));
    raw.pragma('foreign_keys = ON');
    migrate(raw, MIGRATIONS.slice(0, 1));
    raw.prepare(`INSERT INTO rooms (id, name, created_at, updated_at) VALUES ('r1', 'Lobby', 1, 1)`).run();
    raw
      .prepare(
        `INSERT INTO devices (serial, device_type, name, room_id, status, created_at, updated_at) VALUES ('SER1', 'echo-dot-3', 'Lobby Dot', 'r1', 'READY', 1, 1)`,
      )
      .run();
    expect(tables(raw)).not.toContain('shadows');
    expect(columns(raw, 'devices')).not.toContain('broker_password_hash');
    raw.close();

    const cdb = CloudDatabase.open({ dir });
    try {
      expect(cdb.migration.from).toBe(1);
      expect(cdb.migration.applied.map((m) => m.version)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
      expect(cdb.schemaVersion).toBe(SCHEMA_VERSION);
      expect(cdb.db.prepare('SELECT serial, name, room_id, broker_password_hash FROM devices').all()).toEqual([
        { serial: 'SER1', name: 'Lobby Dot', room_id: 'r1', broker_password_hash: null },
      ]);
      // the new tables work with the old rows
      cdb.db.prepare(`INSERT INTO shadows (device_id, document, version, updated_at) VALUES ('SER1', '{}', 1, 2)`).run();
      expect(cdb.db.prepare('SELECT version FROM shadows').get()).toEqual({ version: 1 });
    } finally {
      cdb.close();
    }
    // and a reopen applies nothing
    const again = CloudDatabase.open({ dir });
    expect(again.migration.applied).toEqual([]);
    again.close();
  });

  test('a failing migration leaves the database at the previous version, nothing half-applied', () => {
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER) STRICT; INSERT INTO no_such_table VALUES (1);' },
    ];
    expect(() => CloudDatabase.open({ dir, migrations: broken })).toThrow(expect.objectContaining({ code: 'CLOUD_DATABASE_INVALID' }));
    const cdb = CloudDatabase.open({ dir });
    try {
      expect(cdb.schemaVersion).toBe(SCHEMA_VERSION);
      expect(tables(cdb.db)).not.toContain('half');
    } finally {
      cdb.close();
    }
  });

  test('a database newer than the code, or with a rewritten history, is refused', () => {
    const extra: Migration[] = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'future', sql: 'CREATE TABLE future (x INTEGER) STRICT;' }];
    CloudDatabase.open({ dir, migrations: extra }).close();
    expect(() => CloudDatabase.open({ dir })).toThrow(expect.objectContaining({ code: 'CLOUD_DATABASE_INVALID', message: expect.stringContaining('newer') }));

    const renamed: Migration[] = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'not-future', sql: 'SELECT 1;' }];
    expect(() => CloudDatabase.open({ dir, migrations: renamed })).toThrow(
      expect.objectContaining({ code: 'CLOUD_DATABASE_INVALID', message: expect.stringContaining('"future"') }),
    );
  });

  test('migration lists must be numbered 1..n', () => {
    const raw = new BetterSqlite3(':memory:');
    expect(() => migrate(raw, [{ version: 2, name: 'x', sql: '' }])).toThrow(/version 2; expected 1/);
    raw.close();
  });

  test('the data survives a close and reopen', () => {
    const a = CloudDatabase.open({ dir });
    a.transaction(() => a.db.prepare(`INSERT INTO rooms (id, name, created_at, updated_at) VALUES ('r1', 'Board room', 5, 5)`).run());
    a.close();
    a.close(); // idempotent
    const b = CloudDatabase.open({ dir });
    expect(b.db.prepare('SELECT name FROM rooms').all()).toEqual([{ name: 'Board room' }]);
    b.close();
  });
});

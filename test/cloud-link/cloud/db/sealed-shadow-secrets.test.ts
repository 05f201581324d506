/**
 * Migration 6 on a database written by the previous schema, whose shadow documents held the network
 * passwords in the clear: after one open by the current code, no byte of any password, current or
 * long overwritten, survives in the database file, its WAL or its shared-memory file (what `strings`
 * on a copy of the data directory would show), and every shadow still reads back whole.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { A4bService } from '../../../../cloud-link/cloud/a4b/service.js';
import { CloudDatabase, DEFAULT_DB_FILE } from '../../../../cloud-link/cloud/db/database.js';
import { MIGRATIONS } from '../../../../cloud-link/cloud/db/migrations.js';
import { VirtualClock } from '../../../../core/clock.js';

const OLD = 'Overwritten-Pass-1111';
const GONE = 'Deleted-Device-Pass-2222';
const CURRENT = 'Current-Wifi-Pass-3333';
const NEXT = 'Next-Wifi-Pass-4444';
const ALL = [OLD, GONE, CURRENT, NEXT];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'echosim-sealmig-'));
  dirs.push(d);
  return d;
}

/** A shadow document as the previous code stored it: the desired network profile with its passwords. */
function oldDocument(version: number, current: string, next?: string): string {
  const networkProfile = { NetworkProfileName: 'Office', Ssid: 'corp-net', SecurityType: 'WPA2_PSK', CurrentPassword: current, ...(next ? { NextPassword: next } : {}) };
  const desired = { networkProfile, profileVersion: version };
  const leaf = { timestamp: 1_700_000_000 };
  const metadata = { desired: { networkProfile: Object.fromEntries(Object.keys(networkProfile).map((k) => [k, leaf])), profileVersion: leaf } };
  return JSON.stringify({ state: { desired }, metadata, version, timestamp: 1_700_000_000 });
}

const FILES = [DEFAULT_DB_FILE, `${DEFAULT_DB_FILE}-wal`, `${DEFAULT_DB_FILE}-shm`];

/** The raw bytes of the database's files (whichever exist). */
function databaseBytes(dir: string): Buffer {
  return Buffer.concat(FILES.map((f) => path.join(dir, f)).filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

function found(bytes: Buffer): string[] {
  return ALL.filter((p) => bytes.includes(Buffer.from(p, 'utf8')) || bytes.includes(Buffer.from(p, 'utf16le')));
}

/**
 * The crash image of a cloud running the previous schema: passwords in current rows, in pages of
 * the main file that later writes replaced (in the WAL), and in rows deleted long ago. Copied while
 * the database is open, so the WAL is not folded in and nothing was cleaned on close.
 */
function crashedOldDatabase(): string {
  const live = tempDir();
  const old = CloudDatabase.open({ dir: live, migrations: MIGRATIONS.slice(0, 5) });
  const db = old.db;
  db.pragma('secure_delete = OFF'); // as the previous code ran
  const device = db.prepare(`INSERT INTO devices (serial, device_type, name, status, created_at, updated_at) VALUES (?, 'echo-dot-3', ?, 'READY', 0, 0)`);
  const shadow = db.prepare('INSERT INTO shadows (device_id, document, version, updated_at) VALUES (?, ?, ?, 0)');
  const rewrite = db.prepare('UPDATE shadows SET document = ?, version = ? WHERE device_id = ?');
  device.run('SEC1', 'Kitchen');
  device.run('SEC2', 'Lobby');
  device.run('GONE', 'Returned');
  shadow.run('SEC1', oldDocument(1, OLD), 1);
  shadow.run('GONE', oldDocument(1, GONE), 1);
  shadow.run('SEC2', JSON.stringify({ state: { desired: { profileVersion: 3 } }, metadata: {}, version: 2, timestamp: 0 }), 2);
  db.pragma('wal_checkpoint(TRUNCATE)'); // OLD and GONE now sit in the main file
  rewrite.run(oldDocument(2, CURRENT, NEXT), 2, 'SEC1');
  db.prepare(`DELETE FROM devices WHERE serial = 'GONE'`).run(); // its shadow goes with it (cascade)
  const image = tempDir();
  for (const f of FILES) if (existsSync(path.join(live, f))) copyFileSync(path.join(live, f), path.join(image, f));
  old.close();
  return image;
}

test('opening an old database seals its passwords and leaves no plaintext in the .db, -wal or -shm', () => {
  const dir = crashedOldDatabase();
  expect(statSync(path.join(dir, `${DEFAULT_DB_FILE}-wal`)).size).toBeGreaterThan(0);
  expect(found(databaseBytes(dir))).toEqual(ALL); // the scan finds them when they are there

  const service = A4bService.open({ dir, clock: new VirtualClock() });
  try {
    for (const f of FILES) {
      const file = path.join(dir, f);
      if (existsSync(file)) expect([f, found(readFileSync(file))]).toEqual([f, []]);
    }

    // Nothing was lost: the documents read back whole, at their versions.
    const sec1 = service.shadows.get('SEC1');
    expect(sec1?.version).toBe(2);
    expect((sec1?.document as { state: { desired: { networkProfile: unknown } } }).state.desired.networkProfile).toEqual({
      NetworkProfileName: 'Office',
      Ssid: 'corp-net',
      SecurityType: 'WPA2_PSK',
      CurrentPassword: CURRENT,
      NextPassword: NEXT,
    });
    expect(service.shadows.get('SEC2')).toMatchObject({ version: 2, document: { state: { desired: { profileVersion: 3 } } } });
    expect(service.shadows.get('GONE')).toBeUndefined();
  } finally {
    service.close();
  }
  // closed (and checkpointed) as well
  expect(found(databaseBytes(dir))).toEqual([]);
});

test('the row holds the passwords sealed for its device and version only', () => {
  const dir = crashedOldDatabase();
  const service = A4bService.open({ dir, clock: new VirtualClock() });
  try {
    const cdb = (service as unknown as { database: CloudDatabase }).database;
    const row = cdb.db.prepare(`SELECT document, secrets_enc FROM shadows WHERE device_id = 'SEC1'`).get() as { document: string; secrets_enc: string };
    expect(JSON.parse(row.document).state.desired.networkProfile).toEqual({ NetworkProfileName: 'Office', Ssid: 'corp-net', SecurityType: 'WPA2_PSK' });
    expect(row.secrets_enc).toMatch(/^v1\./);
    // the same ciphertext under another device, or another version, does not open
    cdb.db.prepare(`UPDATE shadows SET secrets_enc = ? WHERE device_id = 'SEC2'`).run(row.secrets_enc);
    expect(() => service.shadows.get('SEC2')).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
    cdb.db.prepare(`UPDATE shadows SET version = 3 WHERE device_id = 'SEC1'`).run();
    expect(() => service.shadows.get('SEC1')).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
    expect(cdb.db.prepare('SELECT task FROM pending_maintenance').all()).toEqual([]);
  } finally {
    service.close();
  }
});

test('a scrub left pending by a crash after the migration is done at the next open', () => {
  const dir = tempDir();
  const first = CloudDatabase.open({ dir });
  first.db.prepare(`INSERT INTO pending_maintenance (task, requested_at) VALUES ('scrub', 1)`).run();
  // plaintext left in free space by a write made before secure_delete was on (another build, a crash)
  first.db.pragma('secure_delete = OFF');
  first.db.prepare(`INSERT INTO devices (serial, device_type, name, status, created_at, updated_at) VALUES ('X', 'echo-dot-3', ?, 'READY', 0, 0)`).run(`name ${CURRENT}`);
  first.db.prepare(`DELETE FROM devices WHERE serial = 'X'`).run();
  first.db.pragma('wal_checkpoint(TRUNCATE)');
  const image = tempDir();
  for (const f of FILES) if (existsSync(path.join(dir, f))) copyFileSync(path.join(dir, f), path.join(image, f));
  first.close();
  expect(found(databaseBytes(image))).toEqual([CURRENT]);

  const again = CloudDatabase.open({ dir: image });
  try {
    expect(again.db.prepare('SELECT task FROM pending_maintenance').all()).toEqual([]);
    expect(statSync(path.join(image, `${DEFAULT_DB_FILE}-wal`)).size).toBe(0);
    expect(found(databaseBytes(image))).toEqual([]);
  } finally {
    again.close();
  }
});

/**
 * Device secrets and the admin token as keyed hashes (HMAC under credential.key), and the way a
 * database written before (scrypt hashes) moves over: still checked, rewritten on a successful login.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Credentials } from '../../../../cloud-link/cloud/a4b/credentials.js';
import { A4bService } from '../../../../cloud-link/cloud/a4b/service.js';
import { CREDENTIAL_KEY_FILE } from '../../../../cloud-link/cloud/auth/credential-key.js';
import { CloudDatabase } from '../../../../cloud-link/cloud/db/database.js';
import { MIGRATIONS } from '../../../../cloud-link/cloud/db/migrations.js';
import { generateSecret, hashSecret } from '../../../../cloud-link/cloud/secrets.js';
import { VirtualClock } from '../../../../core/clock.js';

let dir: string;
const clock = new VirtualClock();
let lines: Array<Record<string, unknown>>;
const log = (): ReturnType<typeof pino> => pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-cred-'));
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hashOf = (db: CloudDatabase | A4bService, serial: string): string | null => {
  const raw = db instanceof CloudDatabase ? db.db : (db as unknown as { database: CloudDatabase }).database.db;
  return (raw.prepare('SELECT credential_hash FROM devices WHERE serial = ?').get(serial) as { credential_hash: string | null }).credential_hash;
};

/** A data directory as the scrypt-era cloud left it (schema 6): admin token file, scrypt hashes. */
function oldDataDir(devices: Record<string, string>): string {
  const token = generateSecret();
  writeFileSync(path.join(dir, 'admin-token'), `${token}\n`, { mode: 0o600 });
  const cdb = CloudDatabase.open({ dir, migrations: MIGRATIONS.slice(0, 6) });
  cdb.db.prepare('INSERT INTO cloud_credentials (name, hash, created_at) VALUES (?, ?, 1)').run('admin', hashSecret(token));
  for (const [serial, secret] of Object.entries(devices)) {
    cdb.db
      .prepare(`INSERT INTO devices (serial, device_type, name, status, credential_hash, created_at, updated_at) VALUES (?, 'echo-dot-3', ?, 'READY', ?, 1, 1)`)
      .run(serial, serial, hashSecret(secret));
  }
  cdb.close();
  return token;
}

describe('credentials', () => {
  test('registration and the admin token store keyed hashes bound to their owner, never scrypt', async () => {
    const service = A4bService.open({ dir, clock });
    try {
      const a = (await service.call('RegisterDevice', { DeviceSerialNumber: 'A1', DeviceType: 'echo-dot-3', DeviceName: 'A one' })) as { Secret: string };
      await service.call('RegisterDevice', { DeviceSerialNumber: 'B1', DeviceType: 'echo-dot-3', DeviceName: 'B one' });
      const db = (service as unknown as { database: CloudDatabase }).database.db;
      const admin = (db.prepare(`SELECT hash FROM cloud_credentials WHERE name = 'admin'`).get() as { hash: string }).hash;
      expect(admin).toMatch(/^hmac-sha256\$/);
      expect(hashOf(service, 'A1')).toMatch(/^hmac-sha256\$/);
      await expect(service.checkDeviceSecret('A1', a.Secret)).resolves.toBe('ok');
      // A's value copied onto B's row does not let A's secret in as B
      db.prepare(`UPDATE devices SET credential_hash = ? WHERE serial = 'B1'`).run(hashOf(service, 'A1'));
      await expect(service.checkDeviceSecret('B1', a.Secret)).resolves.toBe('denied');
      await expect(service.checkDeviceSecret('NOPE', a.Secret)).resolves.toBe('denied');
    } finally {
      service.close();
    }
  });

  test('an old database: the admin token is upgraded at open; a scrypt device logs in and is rewritten on success only', async () => {
    const secret = generateSecret();
    const token = oldDataDir({ OLD1: secret, OLD2: generateSecret() });
    const service = A4bService.open({ dir, clock, log: log() });
    try {
      const db = (service as unknown as { database: CloudDatabase }).database.db;
      expect((db.prepare(`SELECT hash FROM cloud_credentials WHERE name = 'admin'`).get() as { hash: string }).hash).toMatch(/^hmac-sha256\$/);
      expect(service.verifyAdminToken(token)).toBe(true);
      expect(lines.map((l) => l.msg)).toContain('the admin token hash was upgraded from scrypt to a keyed hash');

      const before = hashOf(service, 'OLD1');
      expect(before).toMatch(/^scrypt\$/);
      await expect(service.checkDeviceSecret('OLD1', `${secret}x`)).resolves.toBe('denied');
      expect(hashOf(service, 'OLD1')).toBe(before);
      await expect(service.checkDeviceSecret('OLD1', secret)).resolves.toBe('ok');
      expect(hashOf(service, 'OLD1')).toMatch(/^hmac-sha256\$/);
      await expect(service.checkDeviceSecret('OLD1', secret)).resolves.toBe('ok');
      await expect(service.checkDeviceSecret('OLD1', `${secret}x`)).resolves.toBe('denied');
      expect(hashOf(service, 'OLD2')).toMatch(/^scrypt\$/); // untouched until it logs in
    } finally {
      service.close();
    }
  });

  test('scrypt checks run a bounded number at a time, and a row changed meanwhile is not upgraded', async () => {
    const secrets = { L1: generateSecret(), L2: generateSecret(), L3: generateSecret() };
    oldDataDir(secrets);
    const cdb = CloudDatabase.open({ dir });
    try {
      const credentials = Credentials.open(cdb.db, dir, 1, log(), 2);
      const first = credentials.checkDeviceSecret('L1', secrets.L1);
      const second = credentials.checkDeviceSecret('L2', secrets.L2);
      await expect(credentials.checkDeviceSecret('L3', secrets.L3)).resolves.toBe('busy');
      // L2 is re-registered (a new hash) while its old secret is being checked
      cdb.db.prepare(`UPDATE devices SET credential_hash = ? WHERE serial = 'L2'`).run(credentials.hashDeviceSecret('L2', generateSecret()));
      await expect(first).resolves.toBe('ok');
      await expect(second).resolves.toBe('denied');
      await expect(credentials.checkDeviceSecret('L3', secrets.L3)).resolves.toBe('ok');
    } finally {
      cdb.close();
    }
  });

  test('a swapped credential.key is reported at open; the admin token is re-adopted from its file', async () => {
    const first = A4bService.open({ dir, clock });
    const { Secret } = (await first.call('RegisterDevice', { DeviceSerialNumber: 'K1', DeviceType: 'echo-dot-3', DeviceName: 'K one' })) as { Secret: string };
    first.close();
    const keyFile = path.join(dir, CREDENTIAL_KEY_FILE);
    copyFileSync(keyFile, `${keyFile}.bak`);
    rmSync(keyFile);
    const second = A4bService.open({ dir, clock, log: log() });
    try {
      expect(lines.find((l) => l.level === 50)).toMatchObject({ devices: 1, msg: expect.stringContaining('1 device secrets cannot be checked') });
      expect(second.verifyAdminToken(second.readAdminToken() ?? '')).toBe(true);
      await expect(second.checkDeviceSecret('K1', Secret)).resolves.toBe('denied');
    } finally {
      second.close();
    }
    // the original key put back: the device logs in again
    copyFileSync(`${keyFile}.bak`, keyFile);
    const third = A4bService.open({ dir, clock });
    try {
      await expect(third.checkDeviceSecret('K1', Secret)).resolves.toBe('ok');
      expect(third.verifyAdminToken(third.readAdminToken() ?? '')).toBe(true);
    } finally {
      third.close();
    }
  });
});

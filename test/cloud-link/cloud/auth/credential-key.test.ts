import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CREDENTIAL_KEY_FILE, CredentialKey } from '../../../../cloud-link/cloud/auth/credential-key.js';
import { generateSecret } from '../../../../cloud-link/cloud/secrets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-credkey-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CredentialKey', () => {
  test('is made once, 0600, and read back the same', () => {
    const first = CredentialKey.open(dir);
    expect(first.created).toBe(true);
    expect(statSync(path.join(dir, CREDENTIAL_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = CredentialKey.open(dir);
    expect(again.created).toBe(false);
    expect(again.key.id).toBe(first.key.id);
    const secret = generateSecret();
    expect(again.key.verify('admin', secret, first.key.hash('admin', secret))).toBe('match');
  });

  test('a stored value verifies only the same secret in the same context, and says so when another key made it', () => {
    const { key } = CredentialKey.open(dir);
    const secret = generateSecret();
    const stored = key.hash('device:A', secret);
    expect(stored).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{12}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(secret);
    expect(CredentialKey.isKeyed(stored)).toBe(true);
    expect(CredentialKey.isKeyed('scrypt$16384$8$1$salt$hash')).toBe(false);
    expect(key.hash('device:A', secret)).toBe(stored); // deterministic: no salt is needed for random secrets
    expect(key.verify('device:A', secret, stored)).toBe('match');
    expect(key.verify('device:A', `${secret}x`, stored)).toBe('mismatch');
    expect(key.verify('device:B', secret, stored)).toBe('mismatch'); // copied to another row, it does not verify
    // the context and the secret cannot trade characters
    expect(key.verify('device:', `A${secret}`, stored)).toBe('mismatch');
    for (const broken of ['', 'hmac-sha256$', `${stored}$x`, stored.slice(0, -2), stored.replace('hmac-sha256', 'hmac-sha512')]) {
      expect(key.verify('device:A', secret, broken)).toBe('mismatch');
    }
    const other = new CredentialKey(Buffer.alloc(32, 7));
    expect(other.verify('device:A', secret, stored)).toBe('other-key');
  });

  test('a damaged key file is refused with a hint', () => {
    writeFileSync(path.join(dir, CREDENTIAL_KEY_FILE), Buffer.alloc(5), { mode: 0o600 });
    expect(() => CredentialKey.open(dir)).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
  });
});

import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  generateSecret,
  hashSecret,
  readOrCreatePrivateFile,
  SecretBox,
  verifySecret,
  verifySecretSync,
} from '../../../cloud-link/cloud/secrets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SecretBox', () => {
  test('creates a random 32-byte key with mode 0600 once, and reuses it', () => {
    const box = SecretBox.open(dir);
    const keyFile = path.join(dir, 'secret.key');
    const key = readFileSync(keyFile);
    expect(key.length).toBe(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const sealed = box.seal('hunter2-wifi', 'network-profile/x/CurrentPassword');
    const again = SecretBox.open(dir);
    expect(readFileSync(keyFile)).toEqual(key);
    expect(again.unseal(sealed, 'network-profile/x/CurrentPassword')).toBe('hunter2-wifi');
    // another directory, another key: cannot open it
    const otherDir = mkdtempSync(path.join(tmpdir(), 'echosim-secrets-other-'));
    try {
      expect(() => SecretBox.open(otherDir).unseal(sealed, 'network-profile/x/CurrentPassword')).toThrow(
        expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }),
      );
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  test('ciphertexts do not contain the plaintext, differ each time, and are bound to their context', () => {
    const box = SecretBox.open(dir);
    const a = box.seal('correct horse battery', 'ctx-a');
    const b = box.seal('correct horse battery', 'ctx-a');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain('correct');
    expect(Buffer.from(a.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('correct');
    expect(() => box.unseal(a, 'ctx-b')).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
  });

  test('a tampered ciphertext is refused, not decrypted to garbage', () => {
    const box = SecretBox.open(dir);
    const sealed = box.seal('abcdefgh', 'ctx');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => box.unseal(parts.join('.'), 'ctx')).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
    expect(() => box.unseal('v2.a.b.c', 'ctx')).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
  });

  test('a key file readable by others is refused with a chmod hint', () => {
    SecretBox.open(dir);
    chmodSync(path.join(dir, 'secret.key'), 0o644);
    let caught: unknown;
    try {
      SecretBox.open(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'CLOUD_SECRET_FILE_INSECURE' });
    expect((caught as { hint: string }).hint).toContain('chmod 600');
  });

  test('a key file of the wrong size is refused', () => {
    writeFileSync(path.join(dir, 'secret.key'), Buffer.alloc(16), { mode: 0o600 });
    expect(() => SecretBox.open(dir)).toThrow(expect.objectContaining({ code: 'CLOUD_SECRET_INVALID' }));
  });

  test('mac is keyed: same data, same key -> same value; another key -> another value', () => {
    const box = SecretBox.open(dir);
    expect(box.mac('x')).toBe(box.mac('x'));
    expect(box.mac('x')).not.toBe(box.mac('y'));
    const other = new SecretBox(Buffer.alloc(32, 7));
    expect(other.mac('x')).not.toBe(box.mac('x'));
  });
});

describe('secret hashing', () => {
  test('scrypt hashes are salted, self-describing, and verify only the right secret', async () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const h1 = hashSecret(secret);
    const h2 = hashSecret(secret);
    expect(h1).not.toBe(h2);
    expect(h1.split('$').slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(h1).not.toContain(secret);
    expect(verifySecretSync(secret, h1)).toBe(true);
    expect(verifySecretSync(`${secret}x`, h1)).toBe(false);
    await expect(verifySecret(secret, h2)).resolves.toBe(true);
    await expect(verifySecret('wrong', h2)).resolves.toBe(false);
    expect(verifySecretSync(secret, 'not-a-hash')).toBe(false);
    await expect(verifySecret(secret, 'scrypt$0$8$1$a$b')).resolves.toBe(false);
  });
});

describe('readOrCreatePrivateFile', () => {
  test('creates exclusively with 0600 and then only reads', () => {
    const file = path.join(dir, 'token');
    const first = readOrCreatePrivateFile(file, 'token', () => Buffer.from('one'));
    const second = readOrCreatePrivateFile(file, 'token', () => Buffer.from('two'));
    expect(first).toEqual({ bytes: Buffer.from('one'), created: true });
    expect(second).toEqual({ bytes: Buffer.from('one'), created: false });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

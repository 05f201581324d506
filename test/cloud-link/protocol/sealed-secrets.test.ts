import { generateKeyPairSync } from 'node:crypto';
import {
  DevicePublicKeySchema,
  devicePrivateKey,
  generateDeviceKeyPair,
  MAX_SEALED_PLAINTEXT_BYTES,
  SEALED_PAD_BYTES,
  openSecrets,
  sealSecrets,
  SealedSecretsSchema,
  type SealBinding,
} from '../../../cloud-link/protocol/sealed-secrets.js';

const SECRETS = { networkProfile: { CurrentPassword: 'Sealed-Current-51', NextPassword: 'Sealed-Next-77' } };
const BINDING: SealBinding = { deviceId: 'dev-1', clientToken: 'gab12cd-3', version: 12 };

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('secrets sealed to a device key', () => {
  test('only the key pair they were sealed to opens them, and the envelope carries nothing in the clear', () => {
    const device = generateDeviceKeyPair();
    expect(DevicePublicKeySchema.safeParse(device.publicKey).success).toBe(true);
    const sealed = sealSecrets(SECRETS, device.publicKey, BINDING);
    expect(SealedSecretsSchema.parse(sealed)).toEqual(sealed);
    const text = JSON.stringify(sealed);
    for (const s of [SECRETS.networkProfile.CurrentPassword, SECRETS.networkProfile.NextPassword, 'CurrentPassword']) expect(text).not.toContain(s);
    expect(openSecrets(sealed, device, BINDING)).toEqual(SECRETS);
    // Another device's key pair cannot.
    expect(errorCode(() => openSecrets(sealed, generateDeviceKeyPair(), BINDING))).toBe('SEALED_SECRETS_UNREADABLE');
  });

  test('the envelope is bound to the device, the request and the shadow version', () => {
    const device = generateDeviceKeyPair();
    const sealed = sealSecrets(SECRETS, device.publicKey, BINDING);
    for (const other of [
      { ...BINDING, deviceId: 'dev-2' },
      { ...BINDING, clientToken: 'gab12cd-4' },
      { ...BINDING, clientToken: undefined },
      { ...BINDING, version: 13 },
    ]) {
      expect(errorCode(() => openSecrets(sealed, device, other))).toBe('SEALED_SECRETS_UNREADABLE');
    }
    // A token that is absent and one that is empty are the same binding.
    const untokened = sealSecrets(SECRETS, device.publicKey, { deviceId: 'dev-1', version: 1 });
    expect(openSecrets(untokened, device, { deviceId: 'dev-1', clientToken: undefined, version: 1 })).toEqual(SECRETS);
  });

  test('any change to the envelope is detected', () => {
    const device = generateDeviceKeyPair();
    const sealed = sealSecrets(SECRETS, device.publicKey, BINDING);
    const flip = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const field of ['epk', 'iv', 'ct', 'tag'] as const) {
      expect(errorCode(() => openSecrets({ ...sealed, [field]: flip(sealed[field]) }, device, BINDING))).toBe('SEALED_SECRETS_UNREADABLE');
    }
    expect(errorCode(() => openSecrets({ ...sealed, alg: 'none' }, device, BINDING))).toBe('SEALED_SECRETS_UNREADABLE');
    expect(errorCode(() => openSecrets('not an envelope', device, BINDING))).toBe('SEALED_SECRETS_UNREADABLE');
  });

  test('every message has its own ephemeral key and nonce; password lengths do not show', () => {
    const device = generateDeviceKeyPair();
    const a = sealSecrets(SECRETS, device.publicKey, BINDING);
    const b = sealSecrets(SECRETS, device.publicKey, BINDING);
    expect(a.epk).not.toBe(b.epk);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    const short = sealSecrets({ networkProfile: { CurrentPassword: 'abcde' } }, device.publicKey, BINDING);
    // the longest pair the schema allows, every character one that JSON escapes
    const long = sealSecrets({ networkProfile: { CurrentPassword: '"'.repeat(128), NextPassword: '\\'.repeat(128) } }, device.publicKey, BINDING);
    expect(short.ct.length).toBe(long.ct.length);
    expect(Buffer.from(short.ct, 'base64url').length).toBe(SEALED_PAD_BYTES);
    expect(errorCode(() => sealSecrets({ pad: 'z'.repeat(MAX_SEALED_PLAINTEXT_BYTES) }, device.publicKey, BINDING))).toBe('PROTOCOL_MESSAGE_INVALID');
  });

  test('a public key that is not a usable X25519 key is refused before anything is sealed', () => {
    const device = generateDeviceKeyPair();
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    for (const key of ['', 'abc', `${device.publicKey}A`, device.publicKey.replace(/.$/, '='), Buffer.alloc(32).toString('base64url')]) {
      expect([key, errorCode(() => sealSecrets(SECRETS, key, BINDING))]).toEqual([key, 'DEVICE_KEY_INVALID']);
    }
    // 32 bytes of another curve's key are still 32 bytes: usable as X25519 (only the device can open it).
    expect(() => sealSecrets(SECRETS, ed25519, BINDING)).not.toThrow();
  });

  test('a damaged key pair is recognised as such', () => {
    const a = generateDeviceKeyPair();
    const b = generateDeviceKeyPair();
    expect(() => devicePrivateKey(a)).not.toThrow();
    expect(errorCode(() => devicePrivateKey({ privateKey: a.privateKey, publicKey: b.publicKey }))).toBe('DEVICE_KEY_INVALID');
    expect(errorCode(() => devicePrivateKey({ privateKey: 'bad', publicKey: a.publicKey }))).toBe('DEVICE_KEY_INVALID');
    const sealed = sealSecrets(SECRETS, a.publicKey, BINDING);
    expect(errorCode(() => openSecrets(sealed, { privateKey: b.privateKey, publicKey: a.publicKey }, BINDING))).toBe('DEVICE_KEY_INVALID');
  });

  test('a new pair is two raw 32-byte halves that OpenSSL agrees belong together, its private half clamped (RFC 7748)', () => {
    for (let i = 0; i < 50; i++) {
      const pair = generateDeviceKeyPair();
      expect(DevicePublicKeySchema.safeParse(pair.publicKey).success).toBe(true);
      const d = Buffer.from(pair.privateKey, 'base64url');
      expect(d).toHaveLength(32);
      expect((d[0] ?? 0) & 7).toBe(0);
      expect((d[31] ?? 0) & 0xc0).toBe(0x40);
      expect(() => devicePrivateKey(pair)).not.toThrow(); // the halves match, read back as JWK
    }
    // and a key the crypto library made itself opens what is sealed to it as before
    const jwk = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' });
    const theirs = { privateKey: jwk.d ?? '', publicKey: jwk.x ?? '' };
    expect(openSecrets(sealSecrets(SECRETS, theirs.publicKey, BINDING), theirs, BINDING)).toEqual(SECRETS);
  });
});

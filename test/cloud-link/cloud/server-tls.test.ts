import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { DAY_MS } from '../../../cloud-link/tls/certificates.js';
import { CloudTls, type CloudTlsOptions } from '../../../cloud-link/cloud/server-tls.js';
import { subjectNamesFor } from '../../../cloud-link/tls/subject-names.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'echosim-tls-'));
  dir = path.join(root, 'tls');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const start = new Date('2026-03-01T12:00:00Z');
function open(extra: Partial<CloudTlsOptions> = {}, at = start): Promise<CloudTls> {
  return CloudTls.open({ dir, names: subjectNamesFor(['127.0.0.1'], ['echo-cloud.lan', '192.0.2.7']), now: () => at, ...extra });
}

function mode(file: string): number {
  return statSync(path.join(dir, file)).mode & 0o777;
}

describe('the cloud CA and server certificate', () => {
  test('are made on first start: a CA that can only sign servers, and a server certificate for the listeners and --tls-san names', async () => {
    const tls = await open();
    expect(mode('.')).toBe(0o700);
    for (const f of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem']) expect(mode(f)).toBe(0o600);
    expect(tls.caFile).toBe(path.join(dir, 'ca.pem'));

    const ca = new x509.X509Certificate(readFileSync(path.join(dir, 'ca.pem'), 'utf8'));
    const basic = ca.getExtension(x509.BasicConstraintsExtension);
    expect(basic).toMatchObject({ ca: true, pathLength: 0, critical: true });
    const usage = ca.getExtension(x509.KeyUsagesExtension);
    expect(usage?.critical).toBe(true);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ca.notAfter.getTime() - start.getTime()).toBeGreaterThan(9 * 365 * DAY_MS);

    const server = new X509Certificate(tls.material.cert);
    const caNode = new X509Certificate(tls.material.ca ?? '');
    expect(server.ca).toBe(false);
    expect(server.checkIssued(caNode) && server.verify(caNode.publicKey)).toBe(true);
    expect(server.keyUsage).toEqual([SERVER_AUTH]);
    expect(server.subjectAltName?.split(', ').sort()).toEqual(
      ['DNS:echo-cloud.lan', 'DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:192.0.2.7'].sort(),
    );
    const days = (new Date(server.validTo).getTime() - start.getTime()) / DAY_MS;
    expect(days).toBeCloseTo(90, 0);
    expect(tls.material.notAfter.toISOString()).toBe(new Date(server.validTo).toISOString());
    expect(server.checkPrivateKey((await import('node:crypto')).createPrivateKey(tls.material.key))).toBe(true);
  });

  test('are reused across restarts', async () => {
    const first = await open();
    const files = ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem'].map((f) => readFileSync(path.join(dir, f), 'utf8'));
    const second = await open({}, new Date(start.getTime() + 10 * DAY_MS));
    expect(second.material).toEqual(first.material);
    expect(['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem'].map((f) => readFileSync(path.join(dir, f), 'utf8'))).toEqual(files);
  });

  test('the server certificate is renewed by the same CA 30 days before it expires, and refresh() says so', async () => {
    let now = start;
    const tls = await open({ now: () => now });
    const before = tls.material;
    const renewed: string[] = [];
    tls.on('renewed', (m) => renewed.push(m.cert));
    now = new Date(start.getTime() + 59 * DAY_MS);
    expect(await tls.refresh()).toBe(false);
    now = new Date(start.getTime() + 61 * DAY_MS);
    expect(await tls.refresh()).toBe(true);
    expect(renewed).toEqual([tls.material.cert]);
    expect(tls.material.cert).not.toBe(before.cert);
    expect(tls.material.key).not.toBe(before.key);
    expect(tls.material.ca).toBe(before.ca);
    const server = new X509Certificate(tls.material.cert);
    expect(server.verify(new X509Certificate(before.ca ?? '').publicKey)).toBe(true);
    expect(new Date(server.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(mode('server-key.pem')).toBe(0o600);
  });

  test('the server certificate is made again when a listener is reached by a name it does not cover', async () => {
    const first = await open();
    const second = await CloudTls.open({ dir, names: subjectNamesFor(['127.0.0.1'], ['echo-cloud.lan', '192.0.2.7', 'mqtt.example.org']), now: () => start });
    expect(second.material.cert).not.toBe(first.material.cert);
    expect(second.material.ca).toBe(first.material.ca);
    expect(new X509Certificate(second.material.cert).checkHost('mqtt.example.org')).toBe('mqtt.example.org');
  });

  test('a CA key readable by others is refused, not used', async () => {
    await open();
    chmodSync(path.join(dir, 'ca-key.pem'), 0o644);
    rmSync(path.join(dir, 'server.pem'));
    await expect(open()).rejects.toMatchObject({ code: 'CLOUD_SECRET_FILE_INSECURE' });
  });

  test('a wildcard bind covers the machine\'s own names', () => {
    const names = subjectNamesFor(['0.0.0.0']);
    expect(names.ips).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
    expect(names.dns).toContain('localhost');
    expect(() => subjectNamesFor([], ['bad name!'])).toThrow(expect.objectContaining({ code: 'TLS_CONFIG_INVALID' }));
  });
});

describe('a given certificate', () => {
  test('is used as it is, with its CA; a key that is not its own is refused', async () => {
    const own = await open();
    const given = path.join(root, 'given');
    rmSync(given, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(given);
    const write = (name: string, text: string): string => {
      const f = path.join(given, name);
      writeFileSync(f, text, { mode: 0o600 });
      return f;
    };
    const certFile = write('cert.pem', own.material.cert);
    const keyFile = write('key.pem', own.material.key);
    const caFile = write('ca.pem', own.material.ca ?? '');
    const used = await CloudTls.open({ dir: path.join(root, 'unused'), names: subjectNamesFor([]), given: { certFile, keyFile, caFile }, now: () => start });
    expect(used.material).toMatchObject({ cert: own.material.cert, key: own.material.key, ca: own.material.ca, caFile });

    const otherKey = write('other-key.pem', readFileSync(path.join(dir, 'ca-key.pem'), 'utf8'));
    await expect(CloudTls.open({ dir: path.join(root, 'unused'), names: subjectNamesFor([]), given: { certFile, keyFile: otherKey }, now: () => start })).rejects.toMatchObject({
      code: 'TLS_CONFIG_INVALID',
    });
    // A server certificate passed as the CA is the usual mix-up of two files.
    await expect(CloudTls.open({ dir: path.join(root, 'unused'), names: subjectNamesFor([]), given: { certFile, keyFile, caFile: certFile }, now: () => start })).rejects.toMatchObject({
      code: 'TLS_CA_INVALID',
    });
  });
});

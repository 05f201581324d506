/**
 * The TLS listeners (the embedded broker's mqtts://, the API's https://): TLS 1.2 at least, and a
 * renewed certificate served from the next handshake on while open connections go on.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { EmbeddedBroker } from '../../../cloud-link/broker/embedded-broker.js';
import { ApiServer } from '../../../cloud-link/cloud/http/api-server.js';
import { CloudTls } from '../../../cloud-link/cloud/server-tls.js';
import { subjectNamesFor } from '../../../cloud-link/tls/subject-names.js';
import { TestBackend } from '../cloud/http/test-backend.js';

const DAY = 24 * 60 * 60 * 1000;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-tls-listeners-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function handshake(port: number, ca: string, options: { maxVersion?: 'TLSv1.2' } = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

test.each(['broker', 'api'] as const)('the %s serves a renewed certificate from the next handshake on; open connections stay', async (which) => {
  // Made 70 days ago (still valid, 20 days left): due for renewal now. Peers check real time.
  let now = new Date(Date.now() - 70 * DAY);
  const tls = await CloudTls.open({ dir, names: subjectNamesFor(['127.0.0.1']), now: () => now });
  const first = tls.material;
  const server =
    which === 'broker'
      ? await EmbeddedBroker.start({ port: 0, authenticate: async () => undefined, tls: first })
      : await ApiServer.start({ backend: new TestBackend(), port: 0, tls: first });
  tls.on('renewed', (m) => server.updateTls(m));
  const sockets: TLSSocket[] = [];
  const open = async (options: { maxVersion?: 'TLSv1.2' } = {}): Promise<TLSSocket> => {
    const socket = await handshake(server.port, first.ca ?? '', options);
    sockets.push(socket);
    return socket;
  };
  try {
    const before = await open();
    expect(before.getPeerCertificate().fingerprint256).toBe(fingerprint(first.cert));
    expect(before.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    // TLS 1.2 is accepted too (the minimum); older versions are not offered by any current stack.
    expect((await open({ maxVersion: 'TLSv1.2' })).getProtocol()).toBe('TLSv1.2');

    now = new Date();
    expect(await tls.refresh()).toBe(true);
    const after = await open();
    expect(after.getPeerCertificate().fingerprint256).toBe(fingerprint(tls.material.cert));
    expect(fingerprint(tls.material.cert)).not.toBe(fingerprint(first.cert));
    expect(before.destroyed).toBe(false);
  } finally {
    for (const s of sockets) s.destroy();
    tls.stop();
    await server.close();
  }
});

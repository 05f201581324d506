/**
 * The files that make Mosquitto enforce the echosim rules: password hashes byte-identical to
 * mosquitto_passwd's, the ACL and the config, and a real Mosquitto that accepts them and rereads them
 * on SIGHUP.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderAclFile, renderMosquittoConfig, writeMosquittoAuth, type MosquittoUser } from '../../../cloud-link/broker/mosquitto-config.js';
import { mosquittoPasswordHash, verifyMosquittoPassword } from '../../../cloud-link/broker/mosquitto-passwd.js';
import { CLOUD_MAX_PACKET_BYTES } from '../../../cloud-link/broker/packet-limits.js';
import { MosquittoBroker, rawConnect } from '../../support/mosquitto.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'echosim-mosquitto-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What `mosquitto_passwd -b` writes for this user, as `[username, hash]`. */
function mosquittoPasswd(username: string, password: string): [string, string] {
  const file = path.join(tmp, `pw-${username}`);
  writeFileSync(file, '');
  execFileSync('mosquitto_passwd', ['-b', file, username, password], { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/bin:/usr/sbin` } });
  const line = readFileSync(file, 'utf8').trim();
  const i = line.indexOf(':');
  return [line.slice(0, i), line.slice(i + 1)];
}

describe('mosquitto password hashes', () => {
  it('are byte-identical to mosquitto_passwd -b for the same salt', () => {
    for (const password of ['secret123', 'Ünïcödé pass', 'x'.repeat(128)]) {
      const [, real] = mosquittoPasswd('dev-1', password);
      expect(real).toMatch(/^\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/);
      const salt = Buffer.from(real.split('$')[3] ?? '', 'base64');
      expect(salt).toHaveLength(12);
      expect(mosquittoPasswordHash(password, salt)).toBe(real);
      expect(verifyMosquittoPassword(password, real)).toBe(true);
      expect(verifyMosquittoPassword(`${password}!`, real)).toBe(false);
    }
  });

  it('use a fresh salt each time and reject malformed hashes', () => {
    const a = mosquittoPasswordHash('same');
    const b = mosquittoPasswordHash('same');
    expect(a).not.toBe(b);
    expect(verifyMosquittoPassword('same', a)).toBe(true);
    expect(verifyMosquittoPassword('same', b)).toBe(true);
    for (const bad of ['', 'plain', '$6$abc$def', '$7$0$AAAA$AAAA', '$7$101$$']) expect(verifyMosquittoPassword('same', bad)).toBe(false);
  });
});

const USERS: MosquittoUser[] = [
  { username: 'dev-A', password: 'secret-A-0123456789', role: 'device' },
  { username: 'echosim-cloud', password: 'cloud-admin-secret', role: 'cloud' },
];

describe('mosquitto files', () => {
  it('write the ACL: every device reads its subtree and writes only what the protocol lets it publish, echosim/v1/# and homeassistant/# (Home Assistant discovery) for cloud users', () => {
    expect(renderAclFile([...USERS, { username: 'echosim-cloud-bench', password: 'p4ssw0rd-x', role: 'cloud' }]).split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'pattern read echosim/v1/devices/%u/#',
      'pattern write echosim/v1/devices/%u/shadow/update',
      'pattern write echosim/v1/devices/%u/shadow/get',
      'pattern write echosim/v1/devices/%u/jobs/+/update',
      'pattern write echosim/v1/devices/%u/telemetry/state',
      'pattern write echosim/v1/devices/%u/telemetry/wake',
      'pattern write echosim/v1/devices/%u/telemetry/false-wake',
      'pattern write echosim/v1/devices/%u/telemetry/metrics',
      'pattern write echosim/v1/devices/%u/availability',
      'pattern write echosim/v1/devices/%u/utterance/+/start',
      'pattern write echosim/v1/devices/%u/utterance/+/audio',
      'pattern write echosim/v1/devices/%u/utterance/+/end',
      'user echosim-cloud',
      'topic readwrite echosim/v1/#',
      'topic readwrite homeassistant/#',
      'user echosim-cloud-bench',
      'topic readwrite echosim/v1/#',
      'topic readwrite homeassistant/#',
    ]);
  });

  it('write a config whose listener options follow the listener (no default listener on 1883)', () => {
    const conf = renderMosquittoConfig({ port: 18830, passwordFile: '/x/passwd', aclFile: '/x/acl', persistenceDir: '/x/data', runAsUser: 'root' });
    const lines = conf.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(
      expect.arrayContaining([
        'allow_anonymous false',
        'password_file /x/passwd',
        'acl_file /x/acl',
        'listener 18830 127.0.0.1',
        'use_username_as_clientid true',
        'persistence true',
        'persistence_location /x/data/',
        'user root',
        `max_packet_size ${CLOUD_MAX_PACKET_BYTES}`,
        'max_queued_messages 1000',
        'max_queued_bytes 33554432',
        'memory_limit 1073741824',
      ]),
    );
    // Global limits: before the listener line (per_listener_settings false).
    expect(lines.indexOf(`max_packet_size ${CLOUD_MAX_PACKET_BYTES}`)).toBeLessThan(lines.indexOf('listener 18830 127.0.0.1'));
    expect(() => renderMosquittoConfig({ port: 1, passwordFile: '/p', aclFile: '/a', maxPacketBytes: 0 })).toThrow(/max_packet_size 0/);
    expect(lines.indexOf('use_username_as_clientid true')).toBeGreaterThan(lines.indexOf('listener 18830 127.0.0.1'));
    expect(lines.some((l) => /^port\b/.test(l))).toBe(false);
    expect(renderMosquittoConfig({ port: 1, passwordFile: '/p', aclFile: '/a' })).toContain('persistence false');
    expect(() => renderMosquittoConfig({ port: 0, passwordFile: '/p', aclFile: '/a' })).toThrow(/not a TCP port/);
  });

  it('write a TLS listener: the certificate, its key and CA after the listener line, TLS 1.2 minimum', () => {
    const conf = renderMosquittoConfig({ port: 8883, passwordFile: '/p', aclFile: '/a', tls: { cafile: '/t/ca.pem', certfile: '/t/server.pem', keyfile: '/t/server-key.pem' } });
    const lines = conf.split('\n').filter((l) => l && !l.startsWith('#'));
    const listener = lines.indexOf('listener 8883 127.0.0.1');
    for (const l of ['cafile /t/ca.pem', 'certfile /t/server.pem', 'keyfile /t/server-key.pem', 'tls_version tlsv1.2']) {
      expect(lines.indexOf(l)).toBeGreaterThan(listener);
    }
    expect(renderMosquittoConfig({ port: 1883, passwordFile: '/p', aclFile: '/a' })).not.toMatch(/certfile|tls_version/);
    expect(() => renderMosquittoConfig({ port: 8883, passwordFile: '/p', aclFile: '/a', tls: { cafile: '/t/my ca.pem', certfile: '/c', keyfile: '/k' } })).toThrow(/whitespace/);
  });

  it('write passwd and acl with mode 0600, one verifiable line per user', async () => {
    const files = await writeMosquittoAuth(path.join(tmp, 'auth'), USERS);
    expect(statSync(files.passwordFile).mode & 0o777).toBe(0o600);
    expect(statSync(files.aclFile).mode & 0o777).toBe(0o600);
    const lines = readFileSync(files.passwordFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const [i, user] of USERS.entries()) {
      const [name, hash] = (lines[i] ?? '').split(/:(.*)/s);
      expect(name).toBe(user.username);
      expect(verifyMosquittoPassword(user.password, hash ?? '')).toBe(true);
    }
    expect(readFileSync(files.aclFile, 'utf8')).toBe(renderAclFile(USERS));
  });

  it('refuse users the files cannot carry safely', async () => {
    const bad: MosquittoUser[][] = [
      [{ username: 'a/b', password: 'secret-123', role: 'device' }],
      [{ username: 'echosim-cloud', password: 'secret-123', role: 'device' }],
      [{ username: 'x:y', password: 'secret-123', role: 'cloud' }],
      [{ username: 'dev-A', password: 'line\nbreak', role: 'device' }],
      [USERS[0] as MosquittoUser, USERS[0] as MosquittoUser],
    ];
    for (const users of bad) {
      await expect(writeMosquittoAuth(path.join(tmp, 'bad'), users)).rejects.toMatchObject({ code: 'MQTT_ACL_CONFIG_INVALID' });
    }
  });
});

describe('a real Mosquitto with these files', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await MosquittoBroker.start({ users: USERS });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('listens only where told and accepts our hashes', async () => {
    expect(broker.log).toContain(`listen socket on port ${broker.port}`);
    expect(broker.log).not.toContain('port 1883');
    const a = await rawConnect(broker.url, { clientId: 'dev-A', username: 'dev-A', password: 'secret-A-0123456789' });
    expect(a.connack?.returnCode).toBe(0);
    await a.end();
  });

  it('rereads passwd and acl on SIGHUP: a device registered later can connect', async () => {
    const before = await rawConnect(broker.url, { clientId: 'dev-C', username: 'dev-C', password: 'secret-C-0123456789' });
    expect(before.error?.code).toBe(5);
    await broker.reload([...USERS, { username: 'dev-C', password: 'secret-C-0123456789', role: 'device' }]);
    let after = await rawConnect(broker.url, { clientId: 'dev-C', username: 'dev-C', password: 'secret-C-0123456789' });
    // SIGHUP is asynchronous: give the broker a few tries to have reread the files.
    for (let i = 0; i < 50 && after.connack === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await rawConnect(broker.url, { clientId: 'dev-C', username: 'dev-C', password: 'secret-C-0123456789' });
    }
    expect(after.connack?.returnCode).toBe(0);
    await after.end();
  });
});

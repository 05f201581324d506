/**
 * The embedded broker's own behaviour: ephemeral ports, what it tells its owner, refusals, and a
 * close() that leaves no socket, server or timer behind. (The ACL itself is in acl.test.ts, run
 * against this broker and Mosquitto alike.)
 */
import { createConnection, createServer } from 'node:net';
import { EmbeddedBroker } from '../../../cloud-link/broker/embedded-broker.js';
import type { BrokerClientInfo, BrokerDenial } from '../../../cloud-link/broker/broker-types.js';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { CLOUD_MAX_PACKET_BYTES, DEVICE_MAX_PACKET_BYTES, PRE_AUTH_MAX_PACKET_BYTES } from '../../../cloud-link/broker/packet-limits.js';
import { rawConnect, waitUntil } from '../../support/mosquitto.js';
import { rawMqttSocket } from '../../support/mqtt-raw.js';

/** Live handles of the kinds a broker could leak. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (/TCP|Timeout|Immediate/.test(r)) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

async function settledHandles(): Promise<Record<string, number>> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return handles();
}

/**
 * The handles once short-lived timers have run: a socket closing can leave a timer of a few tens of ms
 * behind (seen: one extra Timeout, gone within 50-200 ms). A leak outlives the 2 s given here.
 */
async function handlesAfterTransients(before: Record<string, number>): Promise<Record<string, number>> {
  const deadline = Date.now() + 2000;
  let now = await settledHandles();
  while (Object.entries(now).some(([kind, n]) => n > (before[kind] ?? 0)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    now = await settledHandles();
  }
  return now;
}

const authenticate = async (username: string, password: string) => {
  if (username === 'dev-1' && password === 'pw-1') return 'device' as const;
  if (username === 'echosim-cloud' && password === 'admin') return 'cloud' as const;
  return undefined;
};

describe('EmbeddedBroker', () => {
  it('listens on an ephemeral port, reports clients and refusals, and closes without leaking handles', async () => {
    const before = await settledHandles();
    const seen: string[] = [];
    const broker = await EmbeddedBroker.start({ port: 0, authenticate });
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const connected: BrokerClientInfo[] = [];
    const denied: BrokerDenial[] = [];
    broker.on('connected', (c) => connected.push(c));
    broker.on('disconnected', (c) => seen.push(`gone:${c.clientId}`));
    broker.on('denied', (d) => denied.push(d));

    const ok = await rawConnect(broker.url, { clientId: 'dev-1', username: 'dev-1', password: 'pw-1' });
    expect(ok.connack?.returnCode).toBe(0);
    await waitUntil(() => connected.length === 1, 'the broker reported the client');
    expect(connected[0]).toEqual({ clientId: 'dev-1', principal: { role: 'device', username: 'dev-1' } });
    expect(broker.connectedClients).toBe(1);

    const bad = await rawConnect(broker.url, { clientId: 'dev-1', username: 'dev-1', password: 'nope' });
    expect(bad.error?.code).toBe(5);
    const mismatch = await rawConnect(broker.url, { clientId: 'other', username: 'dev-1', password: 'pw-1' });
    expect(mismatch.error?.code).toBe(2);
    await new Promise<void>((resolve) => ok.client.subscribe('echosim/v1/devices/dev-2/#', { qos: 1 }, () => resolve()));
    expect(denied.map((d) => [d.action, d.username, d.topic ?? '', d.reason])).toEqual([
      ['connect', 'dev-1', '', 'bad credentials'],
      ['connect', 'dev-1', '', 'clientId "other" is not the username'],
      ['subscribe', 'dev-1', 'echosim/v1/devices/dev-2/#', 'outside the ACL'],
    ]);

    // A socket that never sends CONNECT must not hold close() up.
    const idle = createConnection({ port: broker.port, host: '127.0.0.1' });
    await new Promise((r) => idle.once('connect', r));
    let okClosed = false;
    ok.client.once('close', () => (okClosed = true));
    const idleClosed = new Promise((r) => idle.once('close', r));
    await broker.close();
    await broker.close(); // twice is fine
    await waitUntil(() => okClosed, 'the client saw its connection end');
    expect(seen).toEqual(['gone:dev-1']);
    await idleClosed;
    await Promise.all([ok, bad, mismatch].map((c) => c.end(true)));

    // The port is free again, and nothing the broker made is still alive.
    const again = createServer();
    await new Promise<void>((resolve) => again.listen(broker.port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => again.close(() => resolve()));
    const after = await handlesAfterTransients(before);
    for (const [kind, n] of Object.entries(after)) expect([kind, n]).toEqual([kind, Math.min(n, before[kind] ?? 0)]);
  });

  it('answers CONNACK 3 "server unavailable" when the credential check itself fails', async () => {
    const broker = await EmbeddedBroker.start({
      port: 0,
      authenticate: () => Promise.reject(new Error('database locked')),
    });
    try {
      const c = await rawConnect(broker.url, { clientId: 'dev-1', username: 'dev-1', password: 'pw-1' });
      expect(c.error?.code).toBe(3);
      await c.end(true);
    } finally {
      await broker.close();
    }
  });

  it('passes username and password to authenticate as strings, and refuses device names that are not device ids', async () => {
    const calls: Array<[string, string]> = [];
    const broker = await EmbeddedBroker.start({
      port: 0,
      authenticate: async (u, p) => {
        calls.push([u, p]);
        return 'device';
      },
    });
    try {
      const good = await rawConnect(broker.url, { clientId: 'dev-9', username: 'dev-9', password: 'pässwörd' });
      expect(good.connack?.returnCode).toBe(0);
      const cloudName = await rawConnect(broker.url, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'x' });
      expect(cloudName.error?.code).toBe(5); // "echosim-cloud" is reserved: never a device
      expect(calls).toEqual([
        ['dev-9', 'pässwörd'],
        ['echosim-cloud', 'x'],
      ]);
      await Promise.all([good, cloudName].map((c) => c.end(true)));
    } finally {
      await broker.close();
    }
  });

  it('fails with MQTT_BROKER_FAILED when the port is taken', async () => {
    const first = await EmbeddedBroker.start({ port: 0, authenticate });
    try {
      await expect(EmbeddedBroker.start({ port: first.port, authenticate })).rejects.toMatchObject({
        code: 'MQTT_BROKER_FAILED',
        hint: expect.stringContaining('Another broker'),
      });
    } finally {
      await first.close();
    }
  });

  it('cuts off a client whose CONNECT is larger than any CONNECT needs, before authenticating it', async () => {
    const calls: string[] = [];
    const broker = await EmbeddedBroker.start({ port: 0, authenticate: async (u, p) => (calls.push(u), authenticate(u, p)) });
    const denied: BrokerDenial[] = [];
    broker.on('denied', (d) => denied.push(d));
    try {
      const raw = await rawMqttSocket(broker.port, { clientId: 'dev-1', username: 'dev-1', password: Buffer.alloc(PRE_AUTH_MAX_PACKET_BYTES, 0x61) });
      await raw.whenClosed;
      expect(raw.packets).toEqual([]);
      expect(calls).toEqual([]);
      expect(denied).toEqual([expect.objectContaining({ action: 'packet', clientId: '', reason: expect.stringContaining('limit for an unauthenticated client') })]);
    } finally {
      await broker.close();
    }
  });

  it("takes a large packet sent right behind the CONNECT once it knows the client's role", async () => {
    const broker = await EmbeddedBroker.start({ port: 0, authenticate });
    const denied: BrokerDenial[] = [];
    broker.on('denied', (d) => denied.push(d));
    try {
      const sub = await rawConnect(broker.url, { clientId: 'dev-1', username: 'dev-1', password: 'pw-1' });
      await sub.client.subscribeAsync('echosim/v1/devices/dev-1/utterance/1/response', { qos: 0 });
      // The cloud pipelines its PUBLISH (an answer bigger than any device may send) behind its CONNECT.
      const answer = Buffer.alloc(DEVICE_MAX_PACKET_BYTES * 2, 0x41);
      const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'echosim-cloud', username: 'echosim-cloud', password: Buffer.from('admin'), clean: true, keepalive: 30 } as Packet);
      const publish = mqttPacket.generate({ cmd: 'publish', topic: 'echosim/v1/devices/dev-1/utterance/1/response', payload: answer, qos: 0, dup: false, retain: false } as Packet);
      expect(publish.length).toBeLessThan(CLOUD_MAX_PACKET_BYTES);
      const socket = createConnection({ port: broker.port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('connect', r));
      socket.write(Buffer.concat([connect, publish]));
      await waitUntil(() => sub.messages.length === 1, 'the device got the answer');
      expect(sub.messages[0]?.payload.length).toBe(answer.length);
      expect(denied.filter((d) => d.action === 'packet')).toEqual([]);
      socket.destroy();
      await sub.end(true);
    } finally {
      await broker.close();
    }
  });
});

/**
 * The telemetry outbox: its journal (restarts, torn writes, the bound, compaction) on a real
 * filesystem, and delivery through a real MqttConnection to both brokers, including a device restart
 * between PUBLISH and PUBACK. That last case needs the PUBACK to go missing, so the device talks to
 * the broker through a small TCP relay that can hold back what the broker sends.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MosquittoUser } from '../../../cloud-link/broker/mosquitto-config.js';
import { MqttConnection } from '../../../cloud-link/device/mqtt-connection.js';
import { Outbox } from '../../../cloud-link/device/outbox.js';
import { VirtualClock } from '../../../core/clock.js';
import { BROKER_KINDS, rawConnect, startTestBroker, waitUntil, type RawClient, type TestBroker } from '../../support/mosquitto.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'echosim-outbox-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const T = 'echosim/v1/devices/dev-1/telemetry/metrics';
const texts = (box: Outbox): string[] => box.pending().map((m) => m.payload.toString());

describe('Outbox journal', () => {
  it('keeps queued messages, in order and byte for byte, across a restart', async () => {
    const box = await Outbox.open({ dir: tmp });
    const binary = Buffer.from([0, 255, 10, 13, 0x7b]);
    expect(await box.enqueue(T, 'first')).toBe(0);
    expect(await box.enqueue(T, binary)).toBe(1);
    expect(await box.enqueue(`${T}/x`, '{"n":3}')).toBe(2);
    await box.close();
    await expect(box.enqueue(T, 'late')).rejects.toMatchObject({ code: 'OUTBOX_CLOSED' });

    const again = await Outbox.open({ dir: tmp });
    expect(again.recovery).toEqual({ records: 3, pending: 3, tornBytes: 0 });
    expect(again.pending().map((m) => [m.seq, m.topic, m.payload.toString('hex')])).toEqual([
      [0, T, Buffer.from('first').toString('hex')],
      [1, T, binary.toString('hex')],
      [2, `${T}/x`, Buffer.from('{"n":3}').toString('hex')],
    ]);
    expect(await again.enqueue(T, 'fourth')).toBe(3); // sequence numbers are never reused
    await again.close();
  });

  it('drops a record torn by a power cut instead of reading garbage, and carries on', async () => {
    const box = await Outbox.open({ dir: tmp });
    await box.enqueue(T, 'one');
    await box.enqueue(T, 'two');
    const intact = statSync(box.file).size;
    await box.enqueue(T, 'three-was-being-written');
    await box.close();
    const whole = statSync(box.file).size;
    truncateSync(box.file, intact + Math.floor((whole - intact) / 2)); // half of the last record made it

    const again = await Outbox.open({ dir: tmp });
    expect(texts(again)).toEqual(['one', 'two']);
    expect(again.recovery.tornBytes).toBe(Math.floor((whole - intact) / 2));
    expect(statSync(again.file).size).toBe(intact); // cut back to the last good record
    await again.enqueue(T, 'three');
    await again.close();
    const third = await Outbox.open({ dir: tmp });
    expect(texts(third)).toEqual(['one', 'two', 'three']);
    await third.close();
  });

  it('detects a last record whose bytes were not all written (checksum), and a foreign file', async () => {
    const box = await Outbox.open({ dir: tmp });
    await box.enqueue(T, 'kept');
    const intact = statSync(box.file).size;
    await box.enqueue(T, 'AAAAAAAA');
    await box.close();
    const bytes = readFileSync(box.file);
    const at = bytes.lastIndexOf(Buffer.from('QUFBQUFB')); // inside the base64 payload of the last record
    bytes[at] = 0x42; // a sector that never reached the disk
    writeFileSync(box.file, bytes);
    const again = await Outbox.open({ dir: tmp });
    expect(texts(again)).toEqual(['kept']);
    expect(again.recovery.tornBytes).toBe(bytes.length - intact);
    await again.close();

    writeFileSync(path.join(tmp, 'other.journal'), 'not an outbox at all');
    await expect(Outbox.open({ dir: tmp, name: 'other' })).rejects.toMatchObject({ code: 'OUTBOX_INVALID' });
    appendFileSync(path.join(tmp, 'fresh.journal'), 'EOUT'); // a crash while creating it
    const fresh = await Outbox.open({ dir: tmp, name: 'fresh' });
    expect(fresh.size).toBe(0);
    await fresh.close();
  });

  it('is bounded: the oldest messages are dropped and counted, and the count survives a restart', async () => {
    const box = await Outbox.open({ dir: tmp, maxMessages: 3 });
    const dropped: number[] = [];
    box.on('dropped', (d) => dropped.push(d.message.seq));
    for (const n of [0, 1, 2, 3, 4]) await box.enqueue(T, `m${n}`);
    expect(texts(box)).toEqual(['m2', 'm3', 'm4']);
    expect(box.dropped).toBe(2);
    expect(dropped).toEqual([0, 1]);
    await box.close();
    const again = await Outbox.open({ dir: tmp, maxMessages: 3 });
    expect(texts(again)).toEqual(['m2', 'm3', 'm4']);
    expect(again.dropped).toBe(2);
    await again.close();
    const smaller = await Outbox.open({ dir: tmp, maxMessages: 1 });
    expect(texts(smaller)).toEqual(['m4']);
    expect(smaller.dropped).toBe(4);
    await smaller.close();
  });

  it('compacts: dead records are rewritten away, and counters and sequence survive it', async () => {
    const box = await Outbox.open({ dir: tmp, maxMessages: 10 });
    await Promise.all(Array.from({ length: 1000 }, (_, n) => box.enqueue(T, `message number ${n}`)));
    await box.close();
    // 1000 adds and 990 drops, without compaction, would be far over 100 KB.
    expect(statSync(box.file).size).toBeLessThan(40 * 150);
    const again = await Outbox.open({ dir: tmp, maxMessages: 10 });
    expect(texts(again)).toEqual(Array.from({ length: 10 }, (_, i) => `message number ${990 + i}`));
    expect(again.dropped).toBe(990);
    expect(await again.enqueue(T, 'next')).toBe(1000);
    await again.close();
  });

  it('refuses what it could not deliver', async () => {
    const box = await Outbox.open({ dir: tmp, maxPayloadBytes: 16 });
    await expect(box.enqueue(T, 'x'.repeat(17))).rejects.toMatchObject({ code: 'OUTBOX_INVALID' });
    await expect(box.enqueue('echosim/v1/devices/+/x', 'x')).rejects.toMatchObject({ code: 'OUTBOX_INVALID' });
    await box.close();
    await expect(Outbox.open({ dir: tmp, name: 'zero', maxMessages: 0 })).rejects.toMatchObject({ code: 'OUTBOX_INVALID' });
  });
});

/** A TCP relay between device and broker that can hold back everything the broker sends. */
class Relay {
  holding = false;
  private readonly held: Array<() => void> = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<Relay> {
    const server = createServer();
    const relay = new Relay(server);
    server.on('connection', (down) => {
      const up = createConnection({ port: targetPort, host: '127.0.0.1' });
      for (const s of [down, up]) {
        relay.sockets.add(s);
        s.on('close', () => relay.sockets.delete(s));
        s.on('error', () => undefined);
      }
      down.on('data', (d) => up.write(d));
      up.on('data', (d) => (relay.holding ? relay.held.push(() => down.write(d)) : down.write(d)));
      down.on('close', () => up.destroy());
      up.on('close', () => down.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const USERS: MosquittoUser[] = [
  { username: 'dev-1', password: 'secret-dev-1-0123456789', role: 'device' },
  { username: 'echosim-cloud', password: 'cloud-admin-secret', role: 'cloud' },
];

describe.each(BROKER_KINDS)('Outbox delivering through the %s broker', (kind) => {
  let broker: TestBroker;
  let cloud: RawClient;
  beforeAll(async () => {
    broker = await startTestBroker(kind, USERS);
  });
  beforeEach(async () => {
    cloud = await rawConnect(broker.url, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'cloud-admin-secret' });
    await cloud.client.subscribeAsync('echosim/v1/devices/+/telemetry/#', { qos: 1 });
  });
  afterEach(async () => {
    await cloud.end(true);
  });
  afterAll(async () => {
    await broker.stop();
  });

  const connection = (url: string): MqttConnection =>
    new MqttConnection({ url, deviceId: 'dev-1', secret: 'secret-dev-1-0123456789', clock: new VirtualClock(), backoff: { random: () => 0.5 } });

  it('drains what was queued offline, in order, and forgets each message once acknowledged', async () => {
    const box = await Outbox.open({ dir: tmp, maxInFlight: 3 });
    for (let n = 0; n < 20; n++) await box.enqueue(T, `m${n}`);
    const conn = connection(broker.url);
    box.attach(conn);
    conn.start();
    await box.whenEmpty();
    await waitUntil(() => cloud.payloads(T).length >= 20, 'the cloud got all 20');
    expect(cloud.payloads(T)).toEqual(Array.from({ length: 20 }, (_, n) => `m${n}`));
    await box.enqueue(T, 'live');
    await box.whenEmpty();
    await box.close();
    await conn.close();
    const again = await Outbox.open({ dir: tmp });
    expect(again.size).toBe(0); // every PUBACK was recorded
    await again.close();
  });

  it('delivers at least once across a device restart between PUBLISH and PUBACK', async () => {
    const relay = await Relay.start(broker.port);
    try {
      const box = await Outbox.open({ dir: tmp });
      const conn = connection(relay.url);
      conn.start();
      await waitUntil(() => conn.connected, 'connected through the relay');
      relay.holding = true; // from now on no PUBACK reaches the device
      box.attach(conn);
      await box.enqueue(T, 'precious');
      await waitUntil(() => cloud.payloads(T).length === 1, 'the broker routed it');
      expect(box.size).toBe(1); // sent, delivered, but not acknowledged to the device
      // Power cut: the process dies with the PUBACK still on its way.
      await conn.close({ abrupt: true });
      await box.close();

      const rebooted = await Outbox.open({ dir: tmp });
      expect(rebooted.recovery.pending).toBe(1);
      const conn2 = connection(broker.url);
      rebooted.attach(conn2);
      conn2.start();
      await rebooted.whenEmpty();
      await waitUntil(() => cloud.payloads(T).length === 2, 'sent again after the reboot');
      expect(cloud.payloads(T)).toEqual(['precious', 'precious']);
      await rebooted.close();
      await conn2.close();
    } finally {
      await relay.close();
    }
  });
});

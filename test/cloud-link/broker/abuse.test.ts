/**
 * A registered device attacking the broker with its own credentials, on both brokers: topics with an
 * empty level aimed at the cloud's persistent session, a publish announcing 250 MB, and a flood of
 * retained messages. The cloud is played by a raw client with the cloud's session (clean: false, QoS 1
 * on every device-published topic); cloud.test.ts runs the real cloud against the same attacks.
 */
import { DEVICE_MAX_PACKET_BYTES } from '../../../cloud-link/broker/packet-limits.js';
import { cloudSubscriptions } from '../../../cloud-link/protocol/topics.js';
import { BROKER_KINDS, rawConnect, startTestBroker, waitUntil, type RawClient, type TestBroker, TEST_USERS } from '../../support/mosquitto.js';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { publishWithTopicBytes, rawMqttSocket, streamOversizedPublish } from '../../support/mqtt-raw.js';

const USERS = TEST_USERS;
const ROOT_A = 'echosim/v1/devices/dev-A';
const MiB = 1024 * 1024;

describe.each(BROKER_KINDS)('%s broker under attack by a registered device', (kind) => {
  let broker: TestBroker;
  const open: RawClient[] = [];

  const device = async (extra: Parameters<typeof rawConnect>[1] = {}): Promise<RawClient> => {
    const c = await rawConnect(broker.url, { clientId: 'dev-A', username: 'dev-A', password: 'secret-A-0123456789', ...extra });
    open.push(c);
    expect(c.connack?.returnCode).toBe(0);
    return c;
  };
  /** The cloud's session: persistent, QoS 1 on everything devices publish; counts its connections lost. */
  const cloudSession = async (): Promise<{ c: RawClient; drops: () => number }> => {
    const c = await rawConnect(broker.url, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'cloud-admin-secret', clean: false });
    open.push(c);
    expect(c.connack?.returnCode).toBe(0);
    await c.client.subscribeAsync(Object.fromEntries(cloudSubscriptions().map((t) => [t, { qos: 1 as const }])));
    let drops = 0;
    c.client.on('close', () => drops++);
    return { c, drops: () => drops };
  };

  beforeAll(async () => {
    broker = await startTestBroker(kind, USERS);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.end(true)));
    broker.denials.length = 0;
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("cannot drop the cloud's persistent session with QoS 1 publishes on topics with an empty level", async () => {
    const { c, drops } = await cloudSession();
    for (const topic of [`${ROOT_A}/jobs//update`, `${ROOT_A}/utterance//start`, `${ROOT_A}/jobs//update`]) {
      const a = await device();
      let closed = false;
      a.client.once('close', () => (closed = true));
      let acked = false;
      a.client.publish(topic, '{"status":"SUCCEEDED","expectedVersion":1}', { qos: 1 }, (err) => (acked = !err));
      // The embedded broker refuses it (the topic is malformed) and closes; Mosquitto acknowledges it.
      await waitUntil(() => acked || closed, 'the broker dealt with the publish');
      expect(kind === 'embedded' ? closed : acked).toBe(true);
      await a.end(true);
    }
    const a = await device();
    await a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'sentinel', { qos: 1 });
    await waitUntil(() => c.payloads(`${ROOT_A}/telemetry/state`).length === 1, 'the cloud got the sentinel');
    expect(drops()).toBe(0);
    expect(c.client.connected).toBe(true);
    if (kind === 'embedded') {
      expect(broker.denials.map((d) => [d.action, d.reason])).toEqual([
        ['publish', 'malformed topic: empty level'],
        ['publish', 'malformed topic: empty level'],
        ['publish', 'malformed topic: empty level'],
      ]);
    }
  });

  it('refuses topics that are not valid UTF-8 or carry NUL', async () => {
    const { c } = await cloudSession();
    for (const topic of [Buffer.concat([Buffer.from(`${ROOT_A}/telemetry/`), Buffer.from([0xc3, 0x28])]), Buffer.from(`${ROOT_A}/telemetry/\u0000state`)]) {
      const raw = await rawMqttSocket(broker.port, { clientId: 'dev-A', username: 'dev-A', password: Buffer.from('secret-A-0123456789') });
      raw.socket.write(publishWithTopicBytes(topic, Buffer.from('x')));
      // Both brokers close the connection (Mosquitto checks UTF-8 and NUL itself).
      await raw.whenClosed;
    }
    const a = await device();
    await a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'sentinel', { qos: 1 });
    await waitUntil(() => c.payloads(`${ROOT_A}/telemetry/state`).length === 1, 'the cloud got the sentinel');
    expect(c.messages.map((m) => m.payload)).toEqual(['sentinel']);
    if (kind === 'embedded') expect(broker.denials.map((d) => d.reason)).toEqual(['malformed topic: NUL, control character or invalid UTF-8', 'malformed topic: NUL, control character or invalid UTF-8']);
  });

  it('cuts off a publish announcing 250 MB at its header, without the broker holding its body', async () => {
    const raw = await rawMqttSocket(broker.port, { clientId: 'dev-A', username: 'dev-A', password: Buffer.from('secret-A-0123456789') });
    expect(raw.packets[0]).toMatchObject({ cmd: 'connack', returnCode: 0 });
    const before = broker.memoryBytes();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, broker.memoryBytes())), 5);
    const result = await streamOversizedPublish(raw, `${ROOT_A}/telemetry/state`, 250 * MiB, 64 * MiB);
    clearInterval(sampler);
    peak = Math.max(peak, broker.memoryBytes());
    // The broker closed the connection long before the 64 MiB we were ready to send were read
    // (what was sent went into socket buffers), and held none of it.
    expect(result.closed).toBe(true);
    expect(peak - before).toBeLessThan(16 * MiB);
    if (kind === 'embedded') {
      expect(broker.denials).toEqual([
        expect.objectContaining({ action: 'packet', clientId: 'dev-A', username: 'dev-A', reason: `packet of ${250 * MiB + 5} bytes over the ${DEVICE_MAX_PACKET_BYTES}-byte limit for device` }),
      ]);
    }
    // A message of the largest size the protocol lets a device send still goes through.
    const { c } = await cloudSession();
    const a = await device();
    await a.client.publishAsync(`${ROOT_A}/telemetry/metrics`, Buffer.alloc(64 * 1024, 0x7b), { qos: 1 });
    await waitUntil(() => c.payloads(`${ROOT_A}/telemetry/metrics`).length === 1, 'the cloud got the 64 KiB message');
  });

  it('cannot stall deliveries to everyone, or grow the broker, by no longer reading', async () => {
    const raw = await rawMqttSocket(broker.port, { clientId: 'dev-A', username: 'dev-A', password: Buffer.from('secret-A-0123456789') });
    raw.socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${ROOT_A}/jobs/notify`, qos: 1 }] } as Packet));
    await waitUntil(() => raw.packets.some((p) => p.cmd === 'suback'), 'SUBACK');
    raw.socket.pause(); // and never reads again
    const b = await rawConnect(broker.url, { clientId: 'dev-B', username: 'dev-B', password: 'secret-B-0123456789' });
    open.push(b);
    await b.client.subscribeAsync('echosim/v1/devices/dev-B/jobs/notify', { qos: 1 });
    const { c } = await cloudSession();
    const before = broker.memoryBytes();
    // 300 answers of 64 KiB to A: far more than socket buffers hold. Deliveries to A wait for it to
    // read, each holding one of the broker's delivery slots: without a limit, B's message waits too.
    const answer = Buffer.alloc(64 * 1024, 0x61);
    const sent = Array.from({ length: 300 }, () => c.client.publishAsync(`${ROOT_A}/jobs/notify`, answer, { qos: 1 }));
    await c.client.publishAsync('echosim/v1/devices/dev-B/jobs/notify', 'sentinel', { qos: 1 });
    await waitUntil(() => b.payloads('echosim/v1/devices/dev-B/jobs/notify').includes('sentinel'), 'B got its message', 30_000);
    await Promise.all(sent);
    if (kind === 'mosquitto') {
      // It queues what A does not read, up to max_queued_messages / max_queued_bytes.
      expect(broker.memoryBytes() - before).toBeLessThan(48 * MiB);
    } else {
      // (The embedded broker shares this process with the clients, so its memory is not measurable
      // here: it cut A off, and holds nothing for it. A, not reading, cannot see its socket close.)
      await waitUntil(() => broker.denials.length > 0, 'the broker cut A off');
      expect(await broker.queuedFor('dev-A')).toBe(0);
      expect(broker.denials).toEqual([expect.objectContaining({ action: 'deliver', clientId: 'dev-A', reason: expect.stringMatching(/^not reading: \d+ deliveries waiting for it$/) })]);
    }
    raw.socket.destroy();
  });
});

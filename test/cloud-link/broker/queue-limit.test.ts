/**
 * What a broker keeps for one client is capped: the wrapper's own bookkeeping over aedes' in-memory
 * persistence, and a persistent session left offline while 1,500 QoS 1 messages are sent to it, on
 * both brokers (Mosquitto: max_queued_messages).
 */
import { limitOutgoingQueues, type QueueOverflow } from '../../../cloud-link/broker/queue-limit.js';
import { BROKER_KINDS, rawConnect, startTestBroker, waitUntil, type TestBroker, TEST_USERS } from '../../support/mosquitto.js';
import { Aedes } from 'aedes';

const publish = (bytes: number) => ({ cmd: 'publish', topic: 't', payload: Buffer.alloc(bytes), qos: 1, retain: false, dup: false, brokerId: 'b', brokerCounter: 0 });

describe('limitOutgoingQueues', () => {
  it('queues up to the limits per client, counts what is acknowledged, and reports each drop', async () => {
    // aedes' own in-memory persistence, as the embedded broker uses it.
    const aedes = await Aedes.createBroker();
    const persistence = (aedes as unknown as { persistence: unknown }).persistence as {
      outgoingEnqueueCombi(subs: Array<{ clientId: string }>, p: unknown): Promise<void>;
      outgoingEnqueue(sub: { clientId: string }, p: unknown): Promise<void>;
      outgoingUpdate(c: { id: string }, p: unknown): Promise<void>;
      outgoingClearMessageId(c: { id: string }, p: unknown): Promise<unknown>;
      outgoingStream(c: { id: string }): AsyncIterable<unknown>;
    };
    const drops: QueueOverflow[] = [];
    limitOutgoingQueues(persistence, { maxMessages: 3, maxBytes: 250 }, (o) => drops.push(o));
    const queued = async (id: string): Promise<number> => {
      let n = 0;
      for await (const _ of persistence.outgoingStream({ id })) n++;
      return n;
    };
    for (let i = 0; i < 5; i++) await persistence.outgoingEnqueueCombi([{ clientId: 'a' }, { clientId: 'b' }], { ...publish(10), brokerCounter: i + 1 });
    expect([await queued('a'), await queued('b')]).toEqual([3, 3]);
    expect(drops).toEqual([
      { clientId: 'a', queuedMessages: 3, queuedBytes: 30 },
      { clientId: 'b', queuedMessages: 3, queuedBytes: 30 },
      { clientId: 'a', queuedMessages: 3, queuedBytes: 30 },
      { clientId: 'b', queuedMessages: 3, queuedBytes: 30 },
    ]);
    // One is delivered and acknowledged: room for one more.
    const first = { ...publish(10), brokerCounter: 1, messageId: 7 };
    await persistence.outgoingUpdate({ id: 'a' }, first);
    await persistence.outgoingClearMessageId({ id: 'a' }, { messageId: 7 });
    await persistence.outgoingEnqueue({ clientId: 'a' }, { ...publish(10), brokerCounter: 9 });
    expect(await queued('a')).toBe(3);
    // Bytes count too; an unknown id clears nothing.
    await persistence.outgoingClearMessageId({ id: 'c' }, { messageId: 1 });
    await persistence.outgoingEnqueue({ clientId: 'c' }, publish(200));
    await persistence.outgoingEnqueue({ clientId: 'c' }, publish(100));
    expect(await queued('c')).toBe(1);
    // Wrapping again changes the limits, not the bookkeeping.
    limitOutgoingQueues(persistence, { maxMessages: 3, maxBytes: 1000 }, (o) => drops.push(o));
    await persistence.outgoingEnqueue({ clientId: 'c' }, publish(100));
    expect(await queued('c')).toBe(2);
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  });

  it('takes a ceiling per client id', async () => {
    const aedes = await Aedes.createBroker();
    const persistence = (aedes as unknown as { persistence: unknown }).persistence as {
      outgoingEnqueue(sub: { clientId: string }, p: unknown): Promise<void>;
      outgoingStream(c: { id: string }): AsyncIterable<unknown>;
    };
    const drops: QueueOverflow[] = [];
    limitOutgoingQueues(persistence, (id) => (id === 'big' ? { maxMessages: 5, maxBytes: 1000 } : { maxMessages: 2, maxBytes: 1000 }), (o) => drops.push(o));
    for (let i = 0; i < 6; i++) {
      for (const clientId of ['big', 'small']) await persistence.outgoingEnqueue({ clientId }, { ...publish(10), brokerCounter: i + 1 });
    }
    const queued = async (id: string): Promise<number> => {
      let n = 0;
      for await (const _ of persistence.outgoingStream({ id })) n++;
      return n;
    };
    expect([await queued('big'), await queued('small')]).toEqual([5, 2]);
    expect(drops.map((d) => d.clientId)).toEqual(['small', 'small', 'small', 'big', 'small']);
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  });
});

const USERS = TEST_USERS;
const NOTIFY = 'echosim/v1/devices/dev-A/jobs/notify';

describe.each(BROKER_KINDS)('%s broker, a session left offline', (kind) => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(kind, USERS);
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('keeps at most 1,000 queued QoS 1 messages for it, the oldest first', async () => {
    const login = { clientId: 'dev-A', username: 'dev-A', password: 'secret-A-0123456789', clean: false };
    const a1 = await rawConnect(broker.url, login);
    await a1.client.subscribeAsync(NOTIFY, { qos: 1 });
    await a1.end();
    const c = await rawConnect(broker.url, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'cloud-admin-secret' });
    for (let i = 0; i < 1500; i++) await c.client.publishAsync(NOTIFY, String(i), { qos: 1 });
    await c.end();
    // The embedded broker says what it holds; Mosquitto is asked by reconnecting.
    if (kind === 'embedded') expect(await broker.queuedFor('dev-A')).toBe(1000);
    const a2 = await rawConnect(broker.url, login);
    await waitUntil(() => a2.messages.length >= 1000, 'the queued messages arrived');
    // Whatever else was going to arrive has: a message sent now comes after all of them (Mosquitto
    // sends a resumed session's queue first; the embedded broker's count is checked above).
    const c2 = await rawConnect(broker.url, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'cloud-admin-secret' });
    await c2.client.publishAsync(NOTIFY, 'sentinel', { qos: 1 });
    await waitUntil(() => a2.payloads(NOTIFY).includes('sentinel'), 'the sentinel arrived');
    const got = a2.payloads(NOTIFY).filter((p) => p !== 'sentinel');
    expect(got.length).toBeGreaterThanOrEqual(1000);
    expect(got.length).toBeLessThanOrEqual(1000 + 20); // Mosquitto may add its in-flight window (max_inflight_messages 20)
    expect(got.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    await a2.client.unsubscribeAsync(NOTIFY);
    await Promise.all([a2.end(true), c2.end(true)]);
  });
});

describe('embedded broker: the cloud has its own, larger ceiling', () => {
  // A room-wide UpdateProfile makes every device answer at once: with the devices' 1,000 a fleet of
  // 1,000 devices overflowed the cloud's queue and the broker dropped the cloud.
  const users = [...TEST_USERS, { username: 'echosim-cloud-2', password: 'cloud-admin-secret-2', role: 'cloud' as const }];
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker('embedded', users);
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('keeps 1,500 QoS 1 messages for the cloud while a device gets 1,000', async () => {
    const topic = 'echosim/v1/devices/dev-B/jobs/notify';
    const cloud = { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'cloud-admin-secret', clean: false };
    const device = { clientId: 'dev-B', username: 'dev-B', password: 'secret-B-0123456789', clean: false };
    for (const login of [cloud, device]) {
      const c = await rawConnect(broker.url, login);
      await c.client.subscribeAsync(topic, { qos: 1 });
      await c.end();
    }
    const sender = await rawConnect(broker.url, { clientId: 'echosim-cloud-2', username: 'echosim-cloud-2', password: 'cloud-admin-secret-2' });
    for (let i = 0; i < 1500; i++) await sender.client.publishAsync(topic, String(i), { qos: 1 });
    await sender.end();
    expect(await broker.queuedFor('echosim-cloud')).toBe(1500);
    expect(await broker.queuedFor('dev-B')).toBe(1000);
  });
});

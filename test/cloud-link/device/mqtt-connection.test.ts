/**
 * The device's MQTT connection against both brokers: its state machine, refused credentials, the
 * persistent QoS 1 session, the last will, and a broker restart in the middle of a session. Reconnect
 * delays run on a VirtualClock (backoff random fixed at 0.5), so "backoff observed" is an exact
 * BACKOFF event with its delay, and the device reconnects only when the test advances the clock.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { MosquittoUser } from '../../../cloud-link/broker/mosquitto-config.js';
import { MqttConnection, type ConnectionStateChange, type MqttMessage } from '../../../cloud-link/device/mqtt-connection.js';
import { VirtualClock } from '../../../core/clock.js';
import { BROKER_KINDS, freePort, rawConnect, startTestBroker, waitUntil, type RawClient, type TestBroker } from '../../support/mosquitto.js';

const DEVICES = ['dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5', 'dev-6', 'dev-7'] as const;
const secret = (id: string): string => `secret-of-${id}-0123456789`;
const USERS: MosquittoUser[] = [
  ...DEVICES.map((id) => ({ username: id, password: secret(id), role: 'device' as const })),
  { username: 'echosim-cloud', password: 'cloud-admin-secret', role: 'cloud' },
];
const root = (id: string): string => `echosim/v1/devices/${id}`;

/** A connection plus everything it reported. */
interface Probe {
  conn: MqttConnection;
  states: ConnectionStateChange[];
  messages: MqttMessage[];
  /** Resolves once the state machine has reached `to` `count` times in all. */
  reach(to: ConnectionStateChange['to'], count?: number): Promise<ConnectionStateChange>;
}

function probe(url: string, clock: VirtualClock, deviceId: string, extra: Partial<ConstructorParameters<typeof MqttConnection>[0]> = {}): Probe {
  const conn = new MqttConnection({ url, deviceId, secret: secret(deviceId), clock, backoff: { random: () => 0.5 }, ...extra });
  const p: Probe = {
    conn,
    states: [],
    messages: [],
    reach: async (to, count = 1) => {
      await waitUntil(() => p.states.filter((s) => s.to === to).length >= count, `${deviceId} reached ${to} (${count}x)`);
      return p.states.filter((s) => s.to === to)[count - 1] as ConnectionStateChange;
    },
  };
  conn.on('state', (s) => p.states.push(s));
  conn.on('message', (m) => p.messages.push(m));
  return p;
}

describe.each(BROKER_KINDS)('MqttConnection on the %s broker', (kind) => {
  let broker: TestBroker;
  let clock: VirtualClock;
  const probes: Probe[] = [];
  const raws: RawClient[] = [];

  const device = (id: string, extra: Partial<ConstructorParameters<typeof MqttConnection>[0]> = {}): Probe => {
    const p = probe(broker.url, clock, id, extra);
    probes.push(p);
    return p;
  };
  const cloud = async (subscribe: string[] = []): Promise<RawClient> => {
    const c = await rawConnect(broker.url, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'cloud-admin-secret' });
    raws.push(c);
    expect(c.connack?.returnCode).toBe(0);
    if (subscribe.length > 0) await c.client.subscribeAsync(subscribe, { qos: 1 });
    return c;
  };

  beforeAll(async () => {
    broker = await startTestBroker(kind, USERS);
  });
  beforeEach(() => {
    clock = new VirtualClock();
  });
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((p) => p.conn.close({ abrupt: true })));
    await Promise.all(raws.splice(0).map((c) => c.end(true)));
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('connects with an explicit state per step, announces itself online and takes messages on its subscriptions', async () => {
    const c = await cloud([`${root('dev-1')}/availability`, `${root('dev-1')}/telemetry/#`]);
    const d = device('dev-1', { subscriptions: [`${root('dev-1')}/jobs/notify`] });
    expect(d.conn.state).toBe('DISCONNECTED');
    d.conn.start();
    const connected = await d.reach('CONNECTED');
    expect(d.states.map((s) => `${s.from}->${s.to}`)).toEqual(['DISCONNECTED->CONNECTING', 'CONNECTING->CONNECTED']);
    expect(connected.attempt).toBe(0);
    expect(d.conn.connected).toBe(true);
    await waitUntil(() => c.payloads(`${root('dev-1')}/availability`).includes('online'), 'the cloud saw online');

    await c.client.publishAsync(`${root('dev-1')}/jobs/notify`, '{"jobs":[]}', { qos: 1 });
    await waitUntil(() => d.messages.length === 1, 'the device got the job notification');
    expect(d.messages[0]).toMatchObject({ topic: `${root('dev-1')}/jobs/notify`, qos: 1, retain: false });
    expect(d.messages[0]?.payload.toString()).toBe('{"jobs":[]}');

    await d.conn.publish(`${root('dev-1')}/telemetry/state`, '{"state":"IDLE"}', { qos: 1 });
    await waitUntil(() => c.payloads(`${root('dev-1')}/telemetry/state`).length === 1, 'the cloud got the telemetry');
    // Its own rules are checked before anything reaches the broker.
    await expect(d.conn.publish(`${root('dev-2')}/telemetry/state`, 'x')).rejects.toMatchObject({ code: 'MQTT_NOT_AUTHORIZED' });
    await expect(d.conn.subscribe('echosim/v1/devices/+/jobs/notify')).rejects.toMatchObject({ code: 'MQTT_NOT_AUTHORIZED' });
  });

  it('reports refused credentials as MQTT_NOT_AUTHORIZED and retries with growing backoff', async () => {
    const d = device('dev-2', { secret: 'not-the-secret' });
    d.conn.start();
    const first = await d.reach('BACKOFF');
    expect(first.error?.code).toBe('MQTT_NOT_AUTHORIZED');
    expect(first.error?.hint).toMatch(/device id and secret/);
    expect(first.delayMs).toBe(500); // 0.5 * 1 s
    expect(d.conn.lastError?.code).toBe('MQTT_NOT_AUTHORIZED');

    await clock.advance(499);
    expect(d.conn.state).toBe('BACKOFF'); // not a millisecond early
    await clock.advance(1);
    const second = await d.reach('BACKOFF', 2);
    expect(second.delayMs).toBe(1000); // 0.5 * 2 s
    await clock.advance(1000);
    const third = await d.reach('BACKOFF', 3);
    expect(third.delayMs).toBe(2000);
    expect(d.states.map((s) => s.to)).toEqual(['CONNECTING', 'BACKOFF', 'CONNECTING', 'BACKOFF', 'CONNECTING', 'BACKOFF']);

    await d.conn.close();
    expect(d.conn.state).toBe('CLOSED');
    await clock.advance(10_000);
    expect(d.states.at(-1)?.to).toBe('CLOSED'); // no attempt after close
  });

  it('keeps its session: QoS 1 messages sent while it was away arrive when it reconnects', async () => {
    const first = device('dev-3', { subscriptions: [`${root('dev-3')}/shadow/update/delta`] });
    first.conn.start();
    await first.reach('CONNECTED');
    await first.conn.close();

    const c = await cloud();
    for (const n of [1, 2, 3]) await c.client.publishAsync(`${root('dev-3')}/shadow/update/delta`, `{"version":${n}}`, { qos: 1 });

    const again = device('dev-3', { subscriptions: [`${root('dev-3')}/shadow/update/delta`] });
    again.conn.start();
    const connected = await again.reach('CONNECTED');
    expect(connected.sessionPresent).toBe(true);
    await waitUntil(() => again.messages.length === 3, 'the queued messages arrived');
    expect(again.messages.map((m) => m.payload.toString())).toEqual(['{"version":1}', '{"version":2}', '{"version":3}']);
  });

  it('leaves a retained offline: the last will on a power cut, its own message on close()', async () => {
    const c = await cloud([`${root('dev-4')}/availability`]);
    const d = device('dev-4');
    d.conn.start();
    await d.reach('CONNECTED');
    await waitUntil(() => c.payloads(`${root('dev-4')}/availability`).at(-1) === 'online', 'online');
    await d.conn.close({ abrupt: true });
    await waitUntil(() => c.payloads(`${root('dev-4')}/availability`).at(-1) === 'offline', 'the will arrived');
    // A newcomer gets it as the retained state (one connection per username: this replaces `c`).
    const late = await cloud([`${root('dev-4')}/availability`]);
    await waitUntil(() => late.messages.length === 1, 'the retained availability');
    expect(late.messages[0]).toEqual({ topic: `${root('dev-4')}/availability`, payload: 'offline', retain: true });

    const again = device('dev-4');
    again.conn.start();
    await again.reach('CONNECTED');
    await waitUntil(() => late.payloads(`${root('dev-4')}/availability`).at(-1) === 'online', 'online again');
    const before = late.messages.length;
    await again.conn.close();
    await waitUntil(() => late.messages.length > before, 'the goodbye');
    expect(late.messages.slice(before).map((m) => m.payload)).toEqual(['offline']);
    await expect(again.conn.publish(`${root('dev-4')}/telemetry/state`, 'x')).rejects.toMatchObject({ code: 'MQTT_NOT_CONNECTED' });
  });

  it('comes back after a broker restart mid-session, backing off, without losing a QoS 1 message', async () => {
    let c = await cloud([`${root('dev-5')}/telemetry/#`]);
    const d = device('dev-5', { subscriptions: [`${root('dev-5')}/jobs/notify`] });
    d.conn.start();
    await d.reach('CONNECTED');
    await d.conn.publish(`${root('dev-5')}/telemetry/metrics`, 'm1');
    await waitUntil(() => c.payloads(`${root('dev-5')}/telemetry/metrics`).length === 1, 'm1');
    await c.end(true);

    await broker.restart();
    const backoff = await d.reach('BACKOFF');
    expect(backoff.delayMs).toBe(500);
    expect(backoff.error?.code).toBe('MQTT_CONNECT_FAILED');
    // Published while the broker was away: held by the connection, sent after the reconnect.
    const held = [d.conn.publish(`${root('dev-5')}/telemetry/metrics`, 'm2'), d.conn.publish(`${root('dev-5')}/telemetry/metrics`, 'm3')];

    c = await cloud([`${root('dev-5')}/telemetry/#`]);
    // Mosquitto kept the device's session on disk; the embedded broker (in memory) did not.
    await c.client.publishAsync(`${root('dev-5')}/jobs/notify`, 'queued-during-outage', { qos: 1 });
    await clock.advance(500);
    const back = await d.reach('CONNECTED', 2);
    expect(back.sessionPresent).toBe(kind === 'mosquitto');
    await Promise.all(held);
    await waitUntil(() => c.payloads(`${root('dev-5')}/telemetry/metrics`).length >= 2, 'm2 and m3');
    expect(c.payloads(`${root('dev-5')}/telemetry/metrics`)).toEqual(['m2', 'm3']);
    expect(d.states.map((s) => s.to)).toEqual(['CONNECTING', 'CONNECTED', 'BACKOFF', 'CONNECTING', 'CONNECTED']);

    // Subscriptions are re-made on every connect, so the device hears the cloud again either way.
    await c.client.publishAsync(`${root('dev-5')}/jobs/notify`, 'after-restart', { qos: 1 });
    await waitUntil(() => d.messages.some((m) => m.payload.toString() === 'after-restart'), 'after-restart');
    const got = d.messages.map((m) => m.payload.toString());
    expect(got).toEqual(kind === 'mosquitto' ? ['queued-during-outage', 'after-restart'] : ['after-restart']);
  });
});

describe('MqttConnection without a usable broker', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('refuses a bad device id or broker URL up front, and closes without ever starting', async () => {
    const clock = new VirtualClock();
    expect(() => probe('mqtt://127.0.0.1:1', clock, 'a/b')).toThrow(expect.objectContaining({ code: 'DEVICE_ID_INVALID' }));
    expect(() => probe('mqtt://127.0.0.1:1', clock, 'echosim-cloud')).toThrow(expect.objectContaining({ code: 'DEVICE_ID_INVALID' }));
    for (const url of ['gopher://127.0.0.1:1', '127.0.0.1:1883', 'mqtt://']) {
      expect(() => probe(url, clock, 'dev-1')).toThrow(expect.objectContaining({ code: 'MQTT_CONNECT_FAILED' }));
    }
    const idle = probe('mqtt://127.0.0.1:1', clock, 'dev-1');
    await idle.conn.close();
    expect(idle.states.map((s) => `${s.from}->${s.to}`)).toEqual(['DISCONNECTED->CLOSED']);
    await expect(idle.conn.publish(`${root('dev-1')}/telemetry/state`, 'x')).rejects.toMatchObject({ code: 'MQTT_NOT_CONNECTED' });
  });

  it('backs off with MQTT_CONNECT_FAILED when nothing listens', async () => {
    const clock = new VirtualClock();
    const d = probe(`mqtt://127.0.0.1:${await freePort()}`, clock, 'dev-1');
    d.conn.start();
    const b = await d.reach('BACKOFF');
    expect(b.error?.code).toBe('MQTT_CONNECT_FAILED');
    expect(b.error?.hint).toMatch(/ECONNREFUSED/);
    await expect(d.conn.publish(`${root('dev-1')}/utterance/1/audio`, Buffer.alloc(4), { qos: 0 })).rejects.toMatchObject({ code: 'MQTT_NOT_CONNECTED' });
    await d.conn.close();
    expect(d.states.map((s) => s.to)).toEqual(['CONNECTING', 'BACKOFF', 'CLOSED']);
  });

  it('gives up on a broker that never answers CONNECT after connectTimeoutMs on its clock', async () => {
    server = createServer((s) => sockets.push(s)); // accepts, then says nothing
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const clock = new VirtualClock();
    const d = probe(`mqtt://127.0.0.1:${port}`, clock, 'dev-1', { connectTimeoutMs: 5000 });
    d.conn.start();
    await waitUntil(() => sockets.length === 1, 'the TCP connection');
    await clock.advance(4999);
    expect(d.conn.state).toBe('CONNECTING');
    await clock.advance(1);
    const b = await d.reach('BACKOFF');
    expect(b.error?.code).toBe('MQTT_CONNECT_FAILED');
    expect(b.error?.message).toMatch(/within 5000 ms/);
    await d.conn.close();
  });
});

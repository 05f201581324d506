/**
 * Clients in the broker's process connected without a socket (EmbeddedBroker.connectInMemory, the
 * fleet's devices through Cloud.inProcessTransport): the same logins, ACL and drops as over TCP. The
 * ACL's refusals are seen by the broker (a raw client, which does not check its own topics as
 * MqttConnection does), and no TCP socket is opened for them.
 */
import type { IClientOptions, IConnackPacket, MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../../../cloud-link/broker/embedded-broker.js';
import type { BrokerDenial } from '../../../cloud-link/broker/broker-types.js';
import { MqttConnection, type ConnectionStateChange } from '../../../cloud-link/device/mqtt-connection.js';
import { createMqttClient, type MqttStreamTransport } from '../../../cloud-link/mqtt/stream-transport.js';
import { subscriptionFilter, topicFor } from '../../../cloud-link/protocol/topics.js';
import { VirtualClock } from '../../../core/clock.js';
import { subscribeCodes, waitUntil } from '../../support/mosquitto.js';

const authenticate = async (username: string, password: string) => {
  if (password === `pw-of-${username}`) return username === 'echosim-cloud' ? ('cloud' as const) : ('device' as const);
  return undefined;
};

interface InMemoryClient {
  client: MqttClient;
  connack: IConnackPacket | undefined;
  error: (Error & { code?: unknown }) | undefined;
  closed: boolean;
  messages: Array<{ topic: string; payload: string }>;
}

/** An mqtt.js client over the broker's in-memory connection, resolved at its CONNACK, refusal or close. */
async function connectInMemory(broker: EmbeddedBroker, options: IClientOptions): Promise<InMemoryClient> {
  const transport: MqttStreamTransport = { open: () => broker.connectInMemory() };
  const client = createMqttClient(broker.url, { protocolVersion: 4, reconnectPeriod: 0, ...options }, transport);
  const c: InMemoryClient = { client, connack: undefined, error: undefined, closed: false, messages: [] };
  client.on('message', (topic, payload) => c.messages.push({ topic, payload: payload.toString() }));
  client.on('close', () => (c.closed = true));
  await new Promise<void>((resolve) => {
    client.once('connect', (packet) => {
      c.connack = packet;
      resolve();
    });
    client.on('error', (err) => {
      c.error ??= err;
      resolve();
    });
    client.once('close', () => resolve());
  });
  return c;
}

const login = (id: string): IClientOptions => ({ clientId: id, username: id, password: `pw-of-${id}` });
const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('in-memory connections to the embedded broker', () => {
  let broker: EmbeddedBroker;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
    await broker.close();
  });
  const open = async (options: IClientOptions): Promise<InMemoryClient> => {
    const c = await connectInMemory(broker, options);
    clients.push(c.client);
    return c;
  };

  it("hold a device to its own topics: another device's topic is refused by the broker, without a socket", async () => {
    broker = await EmbeddedBroker.start({ port: 0, authenticate });
    const denied: BrokerDenial[] = [];
    broker.on('denied', (d) => denied.push(d));
    const sockets = tcpSockets();
    const cloud = await open(login('echosim-cloud'));
    expect(await subscribeCodes(cloud.client, [subscriptionFilter('telemetry/state')])).toEqual([1]);
    const dev1 = await open(login('dev-1'));
    expect(dev1.connack?.returnCode).toBe(0);
    expect(tcpSockets()).toBe(sockets);

    // its own topic: delivered; another device's: the subscription is refused, the publish closes it
    await dev1.client.publishAsync(topicFor('telemetry/state', 'dev-1'), '{"own":true}', { qos: 1 });
    await waitUntil(() => cloud.messages.length === 1, 'the cloud got dev-1 own telemetry');
    expect(await subscribeCodes(dev1.client, [topicFor('telemetry/state', 'dev-2')])).toEqual([128]);
    dev1.client.publish(topicFor('telemetry/state', 'dev-2'), '{"forged":true}', { qos: 1 });
    await waitUntil(() => dev1.closed, 'the broker closed dev-1 connection');
    expect(denied.map((d) => [d.action, d.username, d.topic])).toEqual([
      ['subscribe', 'dev-1', topicFor('telemetry/state', 'dev-2')],
      ['publish', 'dev-1', topicFor('telemetry/state', 'dev-2')],
    ]);
    // the forged message reached no one; dev-2's own, sent after it, did
    const dev2 = await open(login('dev-2'));
    await dev2.client.publishAsync(topicFor('telemetry/state', 'dev-2'), '{"own":true}', { qos: 1 });
    await waitUntil(() => cloud.messages.length === 2, 'the cloud got dev-2 own telemetry');
    expect(cloud.messages).toEqual([
      { topic: topicFor('telemetry/state', 'dev-1'), payload: '{"own":true}' },
      { topic: topicFor('telemetry/state', 'dev-2'), payload: '{"own":true}' },
    ]);
  });

  it('refuse wrong credentials and a client id that is not the username with the CONNACK code TCP gets', async () => {
    broker = await EmbeddedBroker.start({ port: 0, authenticate });
    const bad = await open({ ...login('dev-1'), password: 'nope' });
    expect(bad.error?.code).toBe(5);
    const mismatch = await open({ ...login('dev-1'), clientId: 'dev-2' });
    expect(mismatch.error?.code).toBe(2);
    const anonymous = await open({ clientId: 'dev-1' });
    expect(anonymous.error?.code).toBe(5);
  });

  it("carry a device's MqttConnection: dropped when the broker closes, refused (ECONNREFUSED) while it is down", async () => {
    broker = await EmbeddedBroker.start({ port: 0, authenticate });
    const clock = new VirtualClock();
    const states: ConnectionStateChange[] = [];
    const conn = new MqttConnection({
      url: broker.url, deviceId: 'dev-1', secret: 'pw-of-dev-1', clock, backoff: { random: () => 0.5 },
      streamTransport: { open: () => broker.connectInMemory() },
    });
    conn.on('state', (s) => states.push(s));
    const sockets = tcpSockets();
    conn.start();
    await waitUntil(() => conn.connected, 'dev-1 connected in memory');
    expect(tcpSockets()).toBe(sockets);
    expect(broker.connectedClients).toBe(1);

    await broker.close();
    await waitUntil(() => conn.state === 'BACKOFF', 'dev-1 saw the broker go');
    await clock.advance(states.at(-1)?.delayMs ?? 0);
    await waitUntil(() => states.filter((s) => s.to === 'BACKOFF').length === 2, 'the next attempt was refused');
    const refused = states.at(-1);
    expect(refused?.error?.code).toBe('MQTT_CONNECT_FAILED');
    expect(refused?.error?.details).toEqual({ code: 'ECONNREFUSED' });
    await conn.close();
  });

  it('refuse to carry TLS: an in-process transport is plain MQTT, so asking for both is a configuration error', () => {
    const transport = { open: (): never => { throw new Error('never opened'); } };
    const base = { deviceId: 'dev-1', secret: 'pw-of-dev-1', clock: new VirtualClock(), streamTransport: transport };
    expect(() => new MqttConnection({ ...base, url: 'mqtts://127.0.0.1:8883' })).toThrow(expect.objectContaining({ code: 'TLS_CONFIG_INVALID' }));
    expect(() => new MqttConnection({ ...base, url: 'mqtt://127.0.0.1:1883', tls: { servername: 'cloud.local' } })).toThrow(expect.objectContaining({ code: 'TLS_CONFIG_INVALID' }));
    expect(() => new MqttConnection({ ...base, url: 'mqtt://127.0.0.1:1883' })).not.toThrow();
  });
});

/**
 * MQTT 5 clients on the embedded broker (aedes speaks 3.1.1; mqtt5-adapter.ts translates): login,
 * both directions at QoS 0 and 1, refusals as v5 reason codes, wills, sessions, topic aliases,
 * subscription options, both packet size limits and the client's Receive Maximum; and the whole
 * cloud over MQTT 5 with a device running the existing (3.1.1) link code.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { CLOUD_MAX_PACKET_BYTES, DEVICE_MAX_PACKET_BYTES } from '../../../cloud-link/broker/packet-limits.js';
import { ARN_PREFIX } from '../../../cloud-link/cloud/a4b/arn.js';
import { PROFILE } from '../cloud/a4b/helpers.js';
import { startTestCloud } from '../cloud/cloud-fixture.js';
import { linkedDevice, removeDir } from '../device/link/linked-device.js';
import { rawConnect, startTestBroker, waitUntil, type TestBroker, TEST_USERS } from '../../support/mosquitto.js';
import { rawMqttSocket } from '../../support/mqtt-raw.js';

const USERS = TEST_USERS;
const ROOT_A = 'echosim/v1/devices/dev-A';
const ROOT_B = 'echosim/v1/devices/dev-B';

interface V5Client {
  client: MqttClient;
  connack: Packet & { reasonCode?: number; sessionPresent?: boolean; properties?: Record<string, unknown> };
  error: (Error & { code?: number }) | undefined;
  messages: Array<{ topic: string; payload: string; retain: boolean }>;
  disconnects: Array<{ reasonCode?: number }>;
  end(): Promise<void>;
}

let broker: TestBroker;
const open: V5Client[] = [];

async function v5(username: string, extra: IClientOptions = {}): Promise<V5Client> {
  const password = USERS.find((u) => u.username === username)?.password ?? 'wrong';
  const client = connect(broker.url, { protocolVersion: 5, clientId: username, username, password, reconnectPeriod: 0, ...extra });
  const c: V5Client = {
    client,
    connack: { cmd: 'connack' } as V5Client['connack'],
    error: undefined,
    messages: [],
    disconnects: [],
    end: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
  client.on('message', (topic, payload, packet) => c.messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  client.on('disconnect', (p) => c.disconnects.push(p));
  await new Promise<void>((resolve) => {
    client.once('connect', (p) => {
      c.connack = p as V5Client['connack'];
      resolve();
    });
    client.on('error', (err) => {
      c.error ??= err as V5Client['error'];
      resolve();
    });
    client.once('close', () => resolve());
  });
  open.push(c);
  return c;
}

const payloads = (c: { messages: Array<{ topic: string; payload: string }> }, topic: string): string[] => c.messages.filter((m) => m.topic === topic).map((m) => m.payload);

beforeAll(async () => {
  broker = await startTestBroker('embedded', USERS);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.end()));
  broker.denials.length = 0;
});
afterAll(async () => {
  await broker.stop();
});

describe('MQTT 5 on the embedded broker', () => {
  it('logs in with the v5 reason codes and announces what the broker honours', async () => {
    const a = await v5('dev-A');
    expect(a.connack.reasonCode).toBe(0);
    expect(a.connack.properties).toEqual({
      maximumPacketSize: DEVICE_MAX_PACKET_BYTES,
      topicAliasMaximum: 32,
      receiveMaximum: 1000,
      retainAvailable: true,
      sharedSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
      wildcardSubscriptionAvailable: true,
    });
    const cloud = await v5('echosim-cloud');
    expect(cloud.connack.properties?.maximumPacketSize).toBe(CLOUD_MAX_PACKET_BYTES);
    const bad = await v5('dev-B', { password: 'nope' });
    expect(bad.error?.code).toBe(0x87); // not authorized
    const thief = await v5('dev-B', { clientId: 'dev-A' });
    expect(thief.error?.code).toBe(0x85); // client identifier not valid
    const auth = await v5('dev-B', { properties: { authenticationMethod: 'SCRAM-SHA-1' } });
    expect(auth.error?.code).toBe(0x8c); // bad authentication method
  });

  it('carries QoS 0 and 1 both ways, between v5 clients and with 3.1.1 ones', async () => {
    const a = await v5('dev-A');
    const cloud = await v5('echosim-cloud');
    const legacy = await rawConnect(broker.url, { clientId: 'dev-B', username: 'dev-B', password: 'secret-B-0123456789' });
    await a.client.subscribeAsync(`${ROOT_A}/jobs/notify`, { qos: 1 });
    await legacy.client.subscribeAsync(`${ROOT_B}/jobs/notify`, { qos: 1 });
    await cloud.client.subscribeAsync('echosim/v1/devices/+/telemetry/state', { qos: 1 });
    await a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'a-q1', { qos: 1 });
    await a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'a-q0', { qos: 0 });
    await legacy.client.publishAsync(`${ROOT_B}/telemetry/state`, 'b-q1', { qos: 1 });
    await cloud.client.publishAsync(`${ROOT_A}/jobs/notify`, 'to-a-q1', { qos: 1 });
    await cloud.client.publishAsync(`${ROOT_A}/jobs/notify`, 'to-a-q0', { qos: 0 });
    await cloud.client.publishAsync(`${ROOT_B}/jobs/notify`, 'to-b', { qos: 1 });
    await waitUntil(() => cloud.messages.length >= 3 && a.messages.length >= 2 && legacy.messages.length >= 1, 'every message arrived');
    expect(payloads(cloud, `${ROOT_A}/telemetry/state`)).toEqual(['a-q1', 'a-q0']);
    expect(payloads(cloud, `${ROOT_B}/telemetry/state`)).toEqual(['b-q1']);
    expect(payloads(a, `${ROOT_A}/jobs/notify`)).toEqual(['to-a-q1', 'to-a-q0']);
    expect(legacy.payloads(`${ROOT_B}/jobs/notify`)).toEqual(['to-b']);
    await legacy.end(true);
  });

  it('answers refusals with reason codes and keeps the connection where MQTT 5 allows', async () => {
    const a = await v5('dev-A');
    const codes = await new Promise<number[]>((resolve) => {
      a.client.subscribe([`${ROOT_A}/jobs/notify`, `${ROOT_B}/#`, `${ROOT_A}//x`, '$share/g/echosim/v1/devices/dev-A/#'], { qos: 1 }, (_err, _granted, packet) =>
        resolve((packet?.granted ?? []) as number[]),
      );
    });
    expect(codes).toEqual([1, 0x87, 0x8f, 0x9e]);
    await expect(a.client.publishAsync(`${ROOT_B}/telemetry/state`, 'forged', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
    await expect(a.client.publishAsync(`${ROOT_A}/jobs//update`, 'x', { qos: 1 })).rejects.toMatchObject({ code: 0x90 });
    await expect(a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'kept?', { qos: 1, retain: true })).rejects.toMatchObject({ code: 0x87 });
    await expect(a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'fine', { qos: 1 })).resolves.toBeDefined();
    expect(a.client.connected).toBe(true);
    expect(broker.denials.map((d) => [d.action, d.reason])).toEqual([
      ['subscribe', 'outside the ACL'],
      ['subscribe', 'malformed topic filter: empty level'],
      ['subscribe', 'outside the ACL'],
      ['publish', 'outside the ACL'],
      ['publish', 'malformed topic: empty level'],
      ['publish', "retained message outside the protocol's retained topics"],
    ]);
    // QoS 0 has no acknowledgement to carry a refusal: DISCONNECT says why.
    a.client.publish(`${ROOT_B}/telemetry/state`, 'forged', { qos: 0 });
    await waitUntil(() => a.disconnects.length === 1, 'the broker disconnected the client');
    expect(a.disconnects[0]?.reasonCode).toBe(0x87);
  });

  it('publishes the last will when the connection drops or the client asks for it, and not on a normal DISCONNECT', async () => {
    const cloud = await v5('echosim-cloud');
    await cloud.client.subscribeAsync(`${ROOT_A}/availability`, { qos: 1 });
    const will = { topic: `${ROOT_A}/availability`, payload: Buffer.from('offline'), qos: 1 as const, retain: true };
    const dropped = await v5('dev-A', { will });
    dropped.client.stream.destroy();
    await waitUntil(() => payloads(cloud, `${ROOT_A}/availability`).length === 1, 'the will after a dropped connection');
    const asked = await v5('dev-A', { will });
    await new Promise<void>((resolve) => asked.client.end(false, { reasonCode: 0x04 }, () => resolve()));
    await waitUntil(() => payloads(cloud, `${ROOT_A}/availability`).length === 2, 'the will after DISCONNECT 0x04');
    const clean = await v5('dev-A', { will });
    await new Promise<void>((resolve) => clean.client.end(false, {}, () => resolve()));
    await cloud.client.publishAsync(`${ROOT_A}/availability`, 'sentinel', { qos: 1 });
    await waitUntil(() => payloads(cloud, `${ROOT_A}/availability`).includes('sentinel'), 'the sentinel');
    expect(payloads(cloud, `${ROOT_A}/availability`)).toEqual(['offline', 'offline', 'sentinel']);
    await cloud.client.publishAsync(`${ROOT_A}/availability`, '', { qos: 1, retain: true });
    // A will outside the device's topics is refused at CONNECT.
    const planted = await v5('dev-B', { will: { ...will } });
    expect(planted.error?.code).toBe(0x87);
  });

  it('keeps a session with Clean Start 0 and says what expiry it applies', async () => {
    const first = await v5('dev-A', { clean: false, properties: { sessionExpiryInterval: 3600 } });
    expect(first.connack.properties?.sessionExpiryInterval).toBe(0xffffffff);
    await first.client.subscribeAsync(`${ROOT_A}/jobs/notify`, { qos: 1 });
    await first.end();
    const cloud = await v5('echosim-cloud');
    await cloud.client.publishAsync(`${ROOT_A}/jobs/notify`, 'queued', { qos: 1 });
    const again = await v5('dev-A', { clean: false, properties: { sessionExpiryInterval: 0xffffffff } });
    expect(again.connack.sessionPresent).toBe(true);
    expect(again.connack.properties?.sessionExpiryInterval).toBeUndefined();
    await waitUntil(() => again.messages.length === 1, 'the queued message');
    expect(payloads(again, `${ROOT_A}/jobs/notify`)).toEqual(['queued']);
    await again.end();
    const fresh = await v5('dev-A', { clean: true, properties: { sessionExpiryInterval: 60 } });
    expect(fresh.connack.sessionPresent).toBe(false);
    expect(fresh.connack.properties?.sessionExpiryInterval).toBe(0);
  });

  it('resolves topic aliases and disconnects on an invalid one', async () => {
    const cloud = await v5('echosim-cloud');
    await cloud.client.subscribeAsync(`${ROOT_A}/telemetry/wake`, { qos: 1 });
    const a = await v5('dev-A');
    await a.client.publishAsync(`${ROOT_A}/telemetry/wake`, 'set', { qos: 1, properties: { topicAlias: 5 } });
    await a.client.publishAsync('', 'by-alias', { qos: 1, properties: { topicAlias: 5 } });
    await waitUntil(() => cloud.messages.length === 2, 'both messages');
    expect(payloads(cloud, `${ROOT_A}/telemetry/wake`)).toEqual(['set', 'by-alias']);
    // mqtt.js refuses to send an alias over the announced maximum itself: send it raw.
    const raw = await rawMqttSocket(broker.port, { protocolVersion: 5, clientId: 'dev-B', username: 'dev-B', password: Buffer.from('secret-B-0123456789') });
    raw.socket.write(mqttPacket.generate({ cmd: 'publish', topic: `${ROOT_B}/telemetry/wake`, payload: 'x', qos: 0, dup: false, retain: false, properties: { topicAlias: 33 } } as Packet, { protocolVersion: 5 }));
    await raw.whenClosed;
    expect(raw.packets.map((p) => [p.cmd, (p as { reasonCode?: number }).reasonCode])).toEqual([
      ['connack', 0],
      ['disconnect', 0x94],
    ]);
  });

  it('honours No Local, Retain As Published and Retain Handling', async () => {
    const cloud = await v5('echosim-cloud');
    await cloud.client.publishAsync(`${ROOT_A}/availability`, 'online', { qos: 1, retain: true });
    const a = await v5('dev-A');
    await a.client.subscribeAsync({ [`${ROOT_A}/telemetry/#`]: { qos: 1, nl: true } });
    await a.client.subscribeAsync({ [`${ROOT_A}/availability`]: { qos: 1, rap: true, rh: 2 } });
    const b = await v5('dev-B');
    await b.client.subscribeAsync({ [`${ROOT_B}/availability`]: { qos: 1 } });
    await a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'mine', { qos: 1 });
    await cloud.client.publishAsync(`${ROOT_A}/telemetry/state`, 'from-cloud', { qos: 1 });
    await cloud.client.publishAsync(`${ROOT_A}/availability`, 'live-retained', { qos: 1, retain: true });
    await waitUntil(() => a.messages.length >= 2, 'A got the cloud messages');
    // No Local: not its own; Retain Handling 2: not the stored "online"; Retain As Published: flagged.
    expect(a.messages).toEqual([
      { topic: `${ROOT_A}/telemetry/state`, payload: 'from-cloud', retain: false },
      { topic: `${ROOT_A}/availability`, payload: 'live-retained', retain: true },
    ]);
    // Retain Handling 0 (the default) replays; a 3.1.1-style subscription sees live messages unflagged.
    await cloud.client.publishAsync(`${ROOT_B}/availability`, 'b-online', { qos: 1, retain: true });
    const b2 = await v5('echosim-cloud'); // takes over the first cloud connection, with a fresh subscription
    await b2.client.subscribeAsync({ [`${ROOT_B}/availability`]: { qos: 1 } });
    await waitUntil(() => b2.messages.length === 1 && b.messages.length === 1, 'replay and live message');
    expect(b2.messages[0]).toMatchObject({ payload: 'b-online', retain: true });
    expect(b.messages[0]).toMatchObject({ payload: 'b-online', retain: false });
    for (const root of [ROOT_A, ROOT_B]) await b2.client.publishAsync(`${root}/availability`, '', { qos: 1, retain: true });
  });

  it("tells a client over its packet limit why, and respects the client's own Maximum Packet Size", async () => {
    const a = await v5('dev-A');
    a.client.publish(`${ROOT_A}/telemetry/metrics`, Buffer.alloc(DEVICE_MAX_PACKET_BYTES), { qos: 0 });
    await waitUntil(() => a.disconnects.length === 1, 'DISCONNECT packet too large');
    expect(a.disconnects[0]?.reasonCode).toBe(0x95);
    expect(broker.denials.map((d) => d.action)).toEqual(['packet']);

    const small = await v5('dev-B', { properties: { maximumPacketSize: 1024 } });
    await small.client.subscribeAsync(`${ROOT_B}/jobs/notify`, { qos: 1 });
    const cloud = await v5('echosim-cloud');
    await cloud.client.publishAsync(`${ROOT_B}/jobs/notify`, Buffer.alloc(5000, 0x61), { qos: 1 });
    await cloud.client.publishAsync(`${ROOT_B}/jobs/notify`, 'small', { qos: 1 });
    await waitUntil(() => small.messages.length === 1, 'the small message');
    expect(payloads(small, `${ROOT_B}/jobs/notify`)).toEqual(['small']);
  });

  it("sends no more unacknowledged QoS 1 messages than the client's Receive Maximum", async () => {
    const raw = await rawMqttSocket(broker.port, {
      protocolVersion: 5,
      clientId: 'dev-A',
      username: 'dev-A',
      password: Buffer.from('secret-A-0123456789'),
      properties: { receiveMaximum: 2 },
    });
    raw.socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${ROOT_A}/jobs/notify`, qos: 1 }] } as Packet, { protocolVersion: 5 }));
    await waitUntil(() => raw.packets.some((p) => p.cmd === 'suback'), 'SUBACK');
    const cloud = await v5('echosim-cloud');
    for (let i = 0; i < 5; i++) cloud.client.publish(`${ROOT_A}/jobs/notify`, String(i), { qos: 1 });
    const publishes = (): Array<Packet & { messageId?: number; payload?: Buffer }> => raw.packets.filter((p) => p.cmd === 'publish') as never;
    await waitUntil(() => publishes().length === 2, 'two in flight');
    // Nothing more arrives until one is acknowledged: a ping's answer comes after anything already sent.
    raw.socket.write(mqttPacket.generate({ cmd: 'pingreq' } as Packet, { protocolVersion: 5 }));
    await waitUntil(() => raw.packets.some((p) => p.cmd === 'pingresp'), 'PINGRESP');
    expect(publishes().length).toBe(2);
    raw.socket.write(mqttPacket.generate({ cmd: 'puback', messageId: publishes()[0]?.messageId ?? 0 } as Packet, { protocolVersion: 5 }));
    await waitUntil(() => publishes().length === 3, 'the third after one PUBACK');
    for (const p of publishes().slice(1)) raw.socket.write(mqttPacket.generate({ cmd: 'puback', messageId: p.messageId ?? 0 } as Packet, { protocolVersion: 5 }));
    await waitUntil(() => publishes().length === 5, 'all five');
    expect(publishes().map((p) => p.payload?.toString())).toEqual(['0', '1', '2', '3', '4']);
    raw.socket.destroy();
  });
});

describe('the cloud over MQTT 5 on the embedded broker', () => {
  it('flashes a room profile to a device running the existing link code', async () => {
    const t = await startTestCloud({ mqttProtocolVersion: 5 });
    const secret = await t.register('v5-dev-1');
    const d = await linkedDevice({ url: t.cloud.brokerUrl, deviceId: 'v5-dev-1', secret });
    try {
      await d.until(() => d.link.connected, 'the device connected');
      const { ProfileArn } = await t.call('CreateProfile', PROFILE);
      const { RoomArn } = await t.call('CreateRoom', { RoomName: 'v5 room', ProfileArn });
      await t.call('AssociateDeviceWithRoom', { DeviceArn: `${ARN_PREFIX}device/v5-dev-1`, RoomArn });
      const version = (t.cloud.service.desiredStateFor('v5-dev-1') as { profileVersion: number }).profileVersion;
      await d.until(() => t.events.some((e) => e.name === 'profile-applied' && e.payload.deviceId === 'v5-dev-1' && e.payload.version === version), 'the device applied the profile');
      expect(d.link.appliedProfile?.version).toBe(version);
      await t.waitFor('presence', (p) => p.deviceId === 'v5-dev-1' && p.status === 'ONLINE', 'the device is online');
    } finally {
      await d.stop();
      removeDir(d.dataDir);
      await t.stop();
    }
  });
});

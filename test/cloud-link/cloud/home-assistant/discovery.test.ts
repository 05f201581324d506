/**
 * Home Assistant MQTT discovery published by the cloud, on a real Mosquitto the test starts (the
 * cloud writes its password and ACL files) and on the embedded broker: a client logged in as Home
 * Assistant's own broker user, subscribed to homeassistant/#, sees one valid device-based discovery
 * document per registered device, again after Home Assistant's birth message, a new one on
 * registration and an empty retained document after deregistration. A device cannot publish there;
 * Home Assistant's volume and do-not-disturb commands become SendDeviceCommand jobs, bad ones none.
 */
import { readFileSync, statSync } from 'node:fs';
import { connect, type MqttClient } from 'mqtt';
import { z } from 'zod';
import { HOME_ASSISTANT_USERNAME } from '../../../../cloud-link/protocol/topics.js';
import { startTestCloud, type TestCloud } from '../cloud-fixture.js';
import { BROKER_KINDS, rawConnect, waitUntil } from '../../../support/mosquitto.js';

/**
 * The rules of Home Assistant's MQTT device discovery this document must meet (its MQTT integration
 * docs and abbreviations list, docs/home-assistant.md#discovery): `dev` with identifiers and a name,
 * `o` (origin) with a name, `cmps` whose entries each have a platform `p` and a `unique_id`; topics
 * are topic names (no wildcards); an event entity lists its event types (`evt_typ`); a number has
 * `cmd_t`, `min`, `max`, `step`; a switch `cmd_t` with `pl_on`/`pl_off`; availability entries name
 * their topic (`t`). Unknown keys are refused so a misspelt abbreviation fails here rather than
 * being ignored by Home Assistant.
 */
const topicName = z.string().min(1).regex(/^[^#+]+$/);
const template = z.string().regex(/^\{\{.*\}\}$/);
const common = { unique_id: z.string().regex(/^[A-Za-z0-9_-]+$/), name: z.string().min(1), icon: z.string().regex(/^mdi:/).optional(), val_tpl: template.optional(), stat_t: topicName.optional() };
const component = z.discriminatedUnion('p', [
  z.strictObject({ p: z.literal('binary_sensor'), ...common, val_tpl: template }),
  z.strictObject({ p: z.literal('sensor'), ...common, val_tpl: template, json_attr_t: topicName.optional(), json_attr_tpl: template.optional() }),
  z.strictObject({ p: z.literal('event'), ...common, stat_t: topicName, evt_typ: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ p: z.literal('number'), ...common, val_tpl: template, cmd_t: topicName, min: z.number(), max: z.number(), step: z.number().positive(), mode: z.enum(['auto', 'box', 'slider']) }),
  z.strictObject({ p: z.literal('switch'), ...common, val_tpl: template, cmd_t: topicName, pl_on: z.string(), pl_off: z.string() }),
]);
const discoverySchema = z.strictObject({
  dev: z.strictObject({ ids: z.array(z.string().min(1)).min(1), name: z.string().min(1), mf: z.string(), mdl: z.string(), sn: z.string(), sw: z.string().optional() }),
  o: z.strictObject({ name: z.string().min(1), sw: z.string() }),
  avty: z.array(z.strictObject({ t: topicName, val_tpl: template, pl_avail: z.literal('online'), pl_not_avail: z.literal('offline') })).min(1),
  stat_t: topicName,
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  cmps: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), component),
});

interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
}

describe.each(BROKER_KINDS)('Home Assistant discovery (%s broker)', (brokerKind) => {
  let t: TestCloud;
  let ha: MqttClient;
  let password: string;
  const seen: Seen[] = [];

  // One username is one session on both brokers (its client id is the username), so a second Home
  // Assistant login would take the first one's place: the checks below that log in afresh close the
  // long-lived one first and open it again after.
  const haLogin = async (): Promise<MqttClient> => {
    const client = connect(t.cloud.brokerUrl, { username: HOME_ASSISTANT_USERNAME, password, clientId: HOME_ASSISTANT_USERNAME, protocolVersion: 4, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return client;
  };

  beforeAll(async () => {
    t = await startTestCloud({ brokerKind, homeAssistant: true });
    await t.register('kitchen-1');
    await t.register('office-2', { DeviceName: 'Office' });
    const file = t.cloud.homeAssistantPasswordFile ?? '';
    expect(statSync(file).mode & 0o777).toBe(0o600);
    password = readFileSync(file, 'utf8').trim();
    ha = await openHa();
  });

  const openHa = async (): Promise<MqttClient> => {
    const client = await haLogin();
    client.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
    await client.subscribeAsync('homeassistant/#', { qos: 1 });
    return client;
  };

  /** What a Home Assistant logging in now is given for these filters, once `sentinel`'s retained document has come. */
  const retainedFor = async (filters: string[], sentinel: string): Promise<Seen[]> => {
    await ha.endAsync();
    const late = await haLogin();
    const got: Seen[] = [];
    late.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }));
    await late.subscribeAsync([...filters, sentinel], { qos: 1 });
    await waitUntil(() => got.some((g) => g.topic === sentinel), 'the retained sentinel document');
    await late.endAsync();
    ha = await openHa();
    return got;
  };
  afterAll(async () => {
    await ha?.endAsync();
    await t?.stop();
  });

  const configsFor = (id: string): Seen[] => seen.filter((s) => s.topic === `homeassistant/device/echosim_${id}/config`);
  const jobsOf = (id: string): Array<Record<string, unknown>> => t.cloud.service.jobs.list(id).map((j) => ({ operation: j.operation, parameters: j.parameters }));

  test('a retained, valid discovery document for every registered device', async () => {
    await waitUntil(() => configsFor('kitchen-1').length > 0 && configsFor('office-2').length > 0, 'discovery documents');
    for (const id of ['kitchen-1', 'office-2']) {
      const [doc] = configsFor(id);
      expect(doc!.retain).toBe(true);
      const parsed = discoverySchema.parse(JSON.parse(doc!.payload));
      expect(parsed.dev).toMatchObject({ ids: [`echosim_${id}`], mdl: 'echo-dot-3', sn: id });
      expect(parsed.avty[0]!.t).toBe(`echosim/v1/devices/${id}/availability`);
      // The microphone switch is hardware: read-only, a binary sensor, nothing to command.
      expect(parsed.cmps.microphone_off).toMatchObject({ p: 'binary_sensor' });
      expect(parsed.cmps.volume).toMatchObject({ p: 'number', min: 0, max: 10, cmd_t: `echosim/v1/ha/${id}/set/volume` });
      expect(parsed.cmps.do_not_disturb).toMatchObject({ p: 'switch', cmd_t: `echosim/v1/ha/${id}/set/do_not_disturb` });
      expect(Object.values(parsed.cmps).map((c) => c.p).sort()).toEqual(['binary_sensor', 'event', 'number', 'sensor', 'sensor', 'switch']);
      const uids = Object.values(parsed.cmps).map((c) => c.unique_id);
      expect(new Set(uids).size).toBe(uids.length);
    }
    expect(JSON.parse(configsFor('office-2')[0]!.payload).dev.name).toBe('Office');
  });

  test("Home Assistant's birth message makes the cloud publish every document again", async () => {
    await waitUntil(() => configsFor('kitchen-1').length > 0 && configsFor('office-2').length > 0, 'first documents');
    const before = { kitchen: configsFor('kitchen-1').length, office: configsFor('office-2').length };
    await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await waitUntil(() => configsFor('kitchen-1').length > before.kitchen && configsFor('office-2').length > before.office, 'documents after the birth message');
    discoverySchema.parse(JSON.parse(configsFor('kitchen-1').at(-1)!.payload));
  });

  test('a device registered later appears; deregistration removes it with an empty retained document', async () => {
    await t.register('hall-3');
    await waitUntil(() => configsFor('hall-3').some((s) => s.payload.length > 0), 'the new device\'s document');
    discoverySchema.parse(JSON.parse(configsFor('hall-3')[0]!.payload));
    await t.call('DeleteDevice', { DeviceArn: 'arn:aws:a4b:local:000000000000:device/hall-3' });
    await waitUntil(() => configsFor('hall-3').some((s) => s.payload === ''), 'the empty document');
    // A Home Assistant starting now finds nothing retained for it, and still finds the others.
    const got = await retainedFor(['homeassistant/device/echosim_hall-3/config'], 'homeassistant/device/echosim_kitchen-1/config');
    expect(got.filter((g) => g.topic.endsWith('echosim_hall-3/config'))).toEqual([]);
  });

  test('a device cannot publish under homeassistant/ (only the cloud can)', async () => {
    const secret = await t.register('rogue-4');
    let raw = await rawConnect(t.cloud.brokerUrl, { clientId: 'rogue-4', username: 'rogue-4', password: secret });
    for (let i = 0; i < 50 && !raw.connack; i++) {
      await raw.end(true);
      await new Promise((r) => setTimeout(r, 50));
      raw = await rawConnect(t.cloud.brokerUrl, { clientId: 'rogue-4', username: 'rogue-4', password: secret });
    }
    expect(raw.connack).toBeTruthy();
    const fake = JSON.stringify({ dev: { ids: ['evil'], name: 'Evil' }, o: { name: 'evil' }, cmps: {} });
    // QoS 0: the embedded broker cuts the connection at the first one, so no PUBACK would ever come.
    // A clean end flushes both before its DISCONNECT, which the broker handles after them.
    raw.client.publish('homeassistant/device/echosim_evil/config', fake, { qos: 0, retain: true });
    raw.client.publish('homeassistant/status', 'online', { qos: 0 });
    await raw.end(false);
    expect(seen.filter((s) => s.topic.includes('evil'))).toEqual([]);
    // Whatever the broker kept is delivered on subscribing, before the kitchen's document asked for in the same packet.
    const got = await retainedFor(['homeassistant/device/echosim_evil/config'], 'homeassistant/device/echosim_kitchen-1/config');
    expect(got.filter((g) => g.topic.includes('evil'))).toEqual([]);
  });

  test("Home Assistant's volume and do-not-disturb commands become SendDeviceCommand jobs; bad ones change nothing", async () => {
    for (const bad of ['11', 'loud', '-1', '5.5', 'x'.repeat(100)]) await ha.publishAsync('echosim/v1/ha/kitchen-1/set/volume', bad, { qos: 1 });
    await ha.publishAsync('echosim/v1/ha/kitchen-1/set/volume', '7', { qos: 1 });
    await waitUntil(() => jobsOf('kitchen-1').length > 0, 'the volume job');
    await ha.publishAsync('echosim/v1/ha/kitchen-1/set/do_not_disturb', 'maybe', { qos: 1 });
    await ha.publishAsync('echosim/v1/ha/kitchen-1/set/do_not_disturb', 'ON', { qos: 1 });
    await waitUntil(() => jobsOf('kitchen-1').length > 1, 'the do-not-disturb job');
    expect(jobsOf('kitchen-1')).toEqual([
      { operation: 'local-command', parameters: { Action: 'SET_VOLUME', Volume: 7 } },
      { operation: 'local-command', parameters: { Action: 'SET_DO_NOT_DISTURB', Enabled: true } },
    ]);
  });
});

test('without homeAssistant the cloud makes no Home Assistant login and refuses one', async () => {
  const t = await startTestCloud({});
  try {
    expect(t.cloud.homeAssistantPasswordFile).toBeUndefined();
    const raw = await rawConnect(t.cloud.brokerUrl, { clientId: 'ha', username: HOME_ASSISTANT_USERNAME, password: 'a'.repeat(43) });
    expect(raw.connack).toBeFalsy();
    await raw.end(true);
  } finally {
    await t.stop();
  }
});

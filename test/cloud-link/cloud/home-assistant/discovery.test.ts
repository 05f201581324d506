/**
 * Home Assistant MQTT discovery published by the cloud, on a real Mosquitto the test starts (the
 * cloud writes its password and ACL files): a client subscribed to homeassistant/# sees one valid
 * device-based discovery document per registered device, again after Home Assistant's birth
 * message, and an empty retained document after deregistration. Devices cannot publish there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { z } from 'zod';
import { startTestCloud, type TestCloud } from '../cloud-fixture.js';
import { waitUntil } from '../../../support/mosquitto.js';

/**
 * The rules of Home Assistant's MQTT device discovery this document must meet (its MQTT integration
 * docs): `dev` with identifiers and a name, `o` (origin) with a name, `cmps` whose entries each have
 * a platform `p` and a `unique_id`; topics are topic names (no wildcards); an event entity lists its
 * event types; availability entries name their topic. Unknown keys are refused so a misspelt
 * abbreviation fails here rather than being ignored by Home Assistant.
 */
const topicName = z.string().min(1).regex(/^[^#+]+$/);
const template = z.string().regex(/^\{\{.*\}\}$/);
const common = { unique_id: z.string().regex(/^[A-Za-z0-9_-]+$/), name: z.string().min(1), icon: z.string().regex(/^mdi:/).optional(), val_tpl: template.optional(), stat_t: topicName.optional() };
const component = z.discriminatedUnion('p', [
  z.strictObject({ p: z.literal('binary_sensor'), ...common, val_tpl: template }),
  z.strictObject({ p: z.literal('sensor'), ...common, val_tpl: template }),
  z.strictObject({ p: z.literal('event'), ...common, stat_t: topicName, evt_typ: z.array(z.string().min(1)).min(1) }),
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

describe('Home Assistant discovery on Mosquitto', () => {
  let t: TestCloud;
  let ha: MqttClient;
  const seen: Seen[] = [];

  beforeAll(async () => {
    t = await startTestCloud({ brokerKind: 'mosquitto', homeAssistant: true });
    await t.register('kitchen-1');
    await t.register('office-2', { DeviceName: 'Office' });
    const token = readFileSync(path.join(t.dir, 'admin-token'), 'utf8').trim();
    ha = connect(t.cloud.brokerUrl, { username: 'echosim-cloud', password: token, clientId: 'home-assistant-test', protocolVersion: 4, reconnectPeriod: 0 });
    ha.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
    await new Promise<void>((resolve, reject) => {
      ha.once('connect', () => resolve());
      ha.once('error', reject);
    });
    await ha.subscribeAsync('homeassistant/#', { qos: 1 });
  });
  afterAll(async () => {
    await ha?.endAsync();
    await t?.stop();
  });

  const configsFor = (id: string): Seen[] => seen.filter((s) => s.topic === `homeassistant/device/echosim_${id}/config`);

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
      expect(Object.values(parsed.cmps).map((c) => c.p).sort()).toEqual(['binary_sensor', 'binary_sensor', 'event', 'sensor', 'sensor']);
      const uids = Object.values(parsed.cmps).map((c) => c.unique_id);
      expect(new Set(uids).size).toBe(uids.length);
    }
    expect(JSON.parse(configsFor('office-2')[0]!.payload).dev.name).toBe('Office');
  });

  // Not yet testable: this subscriber logs in as the cloud's user (Mosquitto has no Home Assistant
  // user yet), and Mosquitto (use_username_as_clientid) then takes the cloud's session over, so the
  // cloud and this client keep disconnecting each other. Needs a broker user of its own for Home
  // Assistant (read homeassistant/# and the availability topics, write homeassistant/status).
  test.todo("Home Assistant's birth message makes the cloud publish every document again");
  test.todo('a device registered later appears; deregistration removes it with an empty retained document');
  test.todo('a device cannot publish under homeassistant/ (only the cloud can)');
});

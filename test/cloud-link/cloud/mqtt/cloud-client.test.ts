/**
 * The cloud's own MQTT client across a broker outage: reconnects scheduled within its 250 ms base,
 * publishes made while the broker was down held and all delivered after the reconnect (in order, none
 * lost), and a publish still waiting when the client closes refused with MQTT_NOT_CONNECTED.
 */
import { EmbeddedBroker } from '../../../../cloud-link/broker/embedded-broker.js';
import { CloudClient } from '../../../../cloud-link/cloud/mqtt/cloud-client.js';
import { createLogger } from '../../../../core/log.js';
import { rawConnect, waitUntil, type RawClient } from '../../../support/mosquitto.js';

const PASSWORD = 'cloud-admin-token-0123456789';
const DEVICE = 'cc-dev-1';
const authenticate = async (username: string, password: string) =>
  username === 'echosim-cloud' && password === PASSWORD ? ('cloud' as const) : username === DEVICE && password === 'device-secret-0123456789' ? ('device' as const) : undefined;

let broker: EmbeddedBroker | undefined;
let cloud: CloudClient | undefined;
let device: RawClient | undefined;
afterEach(async () => {
  await cloud?.close();
  await device?.end(true);
  await broker?.close();
});

test('holds what is published during an outage and delivers all of it after a fast reconnect', async () => {
  broker = await EmbeddedBroker.start({ port: 0, authenticate });
  const { port } = broker;
  cloud = await CloudClient.connect({ url: broker.url, password: PASSWORD, log: createLogger('test', 'silent') });
  const waits: number[] = [];
  const ups: boolean[] = [];
  cloud.on('backoff', (b) => waits.push(b.delayMs));
  cloud.on('connected', (c) => ups.push(c.sessionPresent));
  device = await rawConnect(broker.url, { clientId: DEVICE, username: DEVICE, password: 'device-secret-0123456789', clean: false });
  await device.client.subscribeAsync(`echosim/v1/devices/${DEVICE}/jobs/notify`, { qos: 1 });

  const persistence = broker.persistence;
  await broker.close();
  await waitUntil(() => !cloud?.connected && waits.length > 0, 'the cloud saw the outage');
  const sent = Array.from({ length: 20 }, (_, i) => cloud?.publishTo('jobs/notify', DEVICE, JSON.stringify({ n: i })));
  await new Promise((r) => setTimeout(r, 600)); // a few refused attempts
  broker = await EmbeddedBroker.start({ port, authenticate, persistence });
  await Promise.all(sent);
  expect(ups).toEqual([true]); // back on its persistent session
  expect(waits.length).toBeGreaterThan(1);
  for (const w of waits) expect(w).toBeLessThan(250);

  await device.end(true);
  device = await rawConnect(broker.url, { clientId: DEVICE, username: DEVICE, password: 'device-secret-0123456789', clean: false });
  const topic = `echosim/v1/devices/${DEVICE}/jobs/notify`;
  await waitUntil(() => (device?.payloads(topic).length ?? 0) >= 20, 'the device got all 20');
  expect(device.payloads(topic).map((p) => (JSON.parse(p) as { n: number }).n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

test('a publish still waiting for the broker is refused when the client closes', async () => {
  broker = await EmbeddedBroker.start({ port: 0, authenticate });
  cloud = await CloudClient.connect({ url: broker.url, password: PASSWORD, log: createLogger('test', 'silent') });
  await broker.close();
  broker = undefined;
  await waitUntil(() => !cloud?.connected, 'the cloud saw the outage');
  const pending = cloud.publishTo('jobs/notify', DEVICE, '{}');
  await cloud.close();
  await expect(pending).rejects.toMatchObject({ code: 'MQTT_NOT_CONNECTED' });
});

test('closes at once when the broker dropped it with a publish unacknowledged (no wait for an ack that cannot come)', async () => {
  broker = await EmbeddedBroker.start({ port: 0, authenticate });
  cloud = await CloudClient.connect({ url: broker.url, password: PASSWORD, log: createLogger('test', 'silent') });
  // In flight as the broker goes: written, never acknowledged.
  void cloud.publishTo('jobs/notify', DEVICE, '{}').catch(() => undefined);
  const closing = broker.close();
  broker = undefined;
  await closing;
  await waitUntil(() => !cloud?.connected, 'the cloud saw the broker go');
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([cloud.close().then(() => 'closed'), new Promise((r) => (timer = setTimeout(() => r('still waiting after 10 s'), 10_000)))]);
  clearTimeout(timer);
  cloud = undefined;
  expect(closed).toBe('closed');
});

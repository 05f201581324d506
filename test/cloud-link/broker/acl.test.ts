/**
 * Who may connect and which topics each user may use, on both brokers: the embedded aedes broker and
 * a real Mosquitto configured by mosquitto-config.ts. A device is confined to
 * echosim/v1/devices/{its id}/; the cloud reaches everything under echosim/v1/.
 *
 * "Nothing arrives" is checked with a sentinel: after the forbidden attempt, the cloud publishes a
 * message the same subscriber does receive. Brokers deliver one publisher's messages to a subscriber
 * in order, so once the sentinel is there, a leaked message would already have arrived.
 */
import { mayPublish, maySubscribe, type Principal } from '../../../cloud-link/broker/acl.js';
import { BROKER_KINDS, rawConnect, startTestBroker, subscribeCodes, waitUntil, type RawClient, type TestBroker, TEST_USERS } from '../../support/mosquitto.js';

const A: Principal = { role: 'device', username: 'A' };
const cloud: Principal = { role: 'cloud', username: 'echosim-cloud' };

describe('acl rules', () => {
  it('confines a device to its own subtree, wildcards included', () => {
    expect(mayPublish(A, 'echosim/v1/devices/A/telemetry/state')).toBe(true);
    expect(mayPublish(A, 'echosim/v1/devices/A')).toBe(true);
    expect(mayPublish(A, 'echosim/v1/devices/B/telemetry/state')).toBe(false);
    expect(mayPublish(A, 'echosim/v1/devices/AB/x')).toBe(false);
    expect(mayPublish(A, 'echosim/v1/devices')).toBe(false);
    expect(mayPublish(A, 'echosim/v1/devices/A/+')).toBe(false); // not a topic name
    expect(mayPublish(A, '$SYS/broker/x')).toBe(false);
    expect(maySubscribe(A, 'echosim/v1/devices/A/#')).toBe(true);
    expect(maySubscribe(A, 'echosim/v1/devices/A/jobs/+/update/accepted')).toBe(true);
    expect(maySubscribe(A, 'echosim/v1/devices/+/#')).toBe(false);
    expect(maySubscribe(A, 'echosim/v1/devices/#')).toBe(false);
    expect(maySubscribe(A, '#')).toBe(false);
    expect(maySubscribe(A, '+/v1/devices/A/#')).toBe(false);
    expect(maySubscribe(A, 'echosim/v1/devices/A/#/x')).toBe(false); // malformed
  });

  it('gives the cloud everything under echosim/v1 and homeassistant/ (discovery), and nothing else', () => {
    expect(maySubscribe(cloud, 'echosim/v1/#')).toBe(true);
    expect(maySubscribe(cloud, 'echosim/v1/devices/+/telemetry/#')).toBe(true);
    expect(mayPublish(cloud, 'echosim/v1/devices/A/shadow/update/delta')).toBe(true);
    expect(maySubscribe(cloud, '#')).toBe(false);
    expect(maySubscribe(cloud, 'echosim/+/#')).toBe(false);
    expect(mayPublish(cloud, 'homeassistant/device/echosim_A/config')).toBe(true);
    expect(mayPublish(cloud, 'zigbee2mqtt/bridge/request')).toBe(false);
  });

  it('refuses a device whose id could escape its level', () => {
    for (const username of ['A/B', '+', '#', 'echosim-cloud', '']) {
      expect(mayPublish({ role: 'device', username }, `echosim/v1/devices/${username}/x`)).toBe(false);
    }
  });
});

const USERS = TEST_USERS;
const ROOT_A = 'echosim/v1/devices/dev-A';
const ROOT_B = 'echosim/v1/devices/dev-B';

describe.each(BROKER_KINDS)('%s broker enforces the rules', (kind) => {
  let broker: TestBroker;
  const open: RawClient[] = [];

  const device = async (id: 'dev-A' | 'dev-B', extra: Parameters<typeof rawConnect>[1] = {}): Promise<RawClient> => {
    const c = await rawConnect(broker.url, { clientId: id, username: id, password: `secret-${id.slice(-1)}-0123456789`, ...extra });
    open.push(c);
    return c;
  };
  const cloudClient = async (): Promise<RawClient> => {
    const c = await rawConnect(broker.url, { clientId: 'echosim-cloud', username: 'echosim-cloud', password: 'cloud-admin-secret' });
    open.push(c);
    expect(c.connack?.returnCode).toBe(0);
    return c;
  };

  beforeAll(async () => {
    broker = await startTestBroker(kind, USERS);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.end(true)));
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('accepts good credentials and refuses bad, unknown and anonymous ones with "not authorized"', async () => {
    const good = await device('dev-A');
    expect(good.error).toBeUndefined();
    expect(good.connack?.returnCode).toBe(0);
    for (const options of [
      { clientId: 'dev-A', username: 'dev-A', password: 'wrong' },
      { clientId: 'dev-C', username: 'dev-C', password: 'secret-C-0123456789' },
      { clientId: 'dev-A' },
      { clientId: 'dev-A', username: 'dev-A' },
    ]) {
      const c = await rawConnect(broker.url, options);
      open.push(c);
      expect(c.connack).toBeUndefined();
      expect(c.error?.code).toBe(5);
    }
  });

  it('lets a device use its own topics and the cloud reach every device', async () => {
    const a = await device('dev-A');
    const b = await device('dev-B');
    const c = await cloudClient();
    expect(await a.client.subscribeAsync(`${ROOT_A}/#`, { qos: 1 })).toEqual([{ topic: `${ROOT_A}/#`, qos: 1 }]);
    await b.client.subscribeAsync(`${ROOT_B}/#`, { qos: 1 });
    expect(await c.client.subscribeAsync('echosim/v1/#', { qos: 1 })).toEqual([{ topic: 'echosim/v1/#', qos: 1 }]);

    await c.client.publishAsync(`${ROOT_A}/jobs/notify`, 'to-A', { qos: 1 });
    await c.client.publishAsync(`${ROOT_B}/jobs/notify`, 'to-B', { qos: 1 });
    await a.client.publishAsync(`${ROOT_A}/telemetry/state`, 'from-A', { qos: 1 });
    await b.client.publishAsync(`${ROOT_B}/telemetry/state`, 'from-B', { qos: 1 });
    await waitUntil(() => a.messages.length >= 2 && b.messages.length >= 2 && c.messages.length >= 4, 'all messages arrived');
    expect(a.payloads(`${ROOT_A}/jobs/notify`)).toEqual(['to-A']);
    expect(b.payloads(`${ROOT_B}/jobs/notify`)).toEqual(['to-B']);
    expect(c.payloads(`${ROOT_A}/telemetry/state`)).toEqual(['from-A']);
    expect(c.payloads(`${ROOT_B}/telemetry/state`)).toEqual(['from-B']);
    // Devices hear only their own subtree (their own publishes included).
    expect(a.messages.every((m) => m.topic.startsWith(`${ROOT_A}/`))).toBe(true);
    expect(b.messages.every((m) => m.topic.startsWith(`${ROOT_B}/`))).toBe(true);
  });

  it("does not deliver device A's topics to device B, whatever B subscribes to", async () => {
    const a = await device('dev-A');
    const b = await device('dev-B');
    const c = await cloudClient();
    await a.client.subscribeAsync(`${ROOT_A}/#`, { qos: 1 });
    await b.client.subscribeAsync(`${ROOT_B}/sentinel`, { qos: 1 });
    const codes = await subscribeCodes(b.client, [`${ROOT_A}/#`, 'echosim/v1/devices/+/shadow/#', '#', 'echosim/v1/#', `${ROOT_B}/other/#`]);
    // The embedded broker refuses each (0x80); Mosquitto 2.0 grants and then filters every delivery.
    const refused = kind === 'embedded' ? 128 : 1;
    expect(codes).toEqual([refused, refused, refused, refused, 1]);

    await c.client.publishAsync(`${ROOT_A}/shadow/get/accepted`, 'A-secret-state', { qos: 1 });
    await a.client.publishAsync(`${ROOT_A}/telemetry/wake`, 'A-telemetry', { qos: 1 });
    await c.client.publishAsync(`${ROOT_B}/sentinel`, 'sentinel', { qos: 1 });
    await waitUntil(() => b.payloads(`${ROOT_B}/sentinel`).length === 1, 'B got its sentinel');
    await waitUntil(() => a.messages.length >= 2, 'A got its own messages');
    expect(b.messages.map((m) => m.payload)).toEqual(['sentinel']);
    expect(a.payloads(`${ROOT_A}/shadow/get/accepted`)).toEqual(['A-secret-state']);
    expect(b.connack?.returnCode).toBe(0);
  });

  it("does not let device B publish on device A's topics", async () => {
    const a = await device('dev-A');
    const b = await device('dev-B');
    const c = await cloudClient();
    await a.client.subscribeAsync(`${ROOT_A}/#`, { qos: 1 });
    await c.client.subscribeAsync('echosim/v1/#', { qos: 1 });
    let closed = false;
    b.client.once('close', () => (closed = true));
    let acked = false;
    b.client.publish(`${ROOT_A}/shadow/update/delta`, 'forged', { qos: 1 }, (err) => (acked = !err));
    // Mosquitto acknowledges and drops it; the embedded broker closes the connection.
    await waitUntil(() => acked || closed, 'the broker dealt with the forged publish');
    expect(kind === 'embedded' ? closed : acked).toBe(true);

    await c.client.publishAsync(`${ROOT_A}/sentinel`, 'sentinel', { qos: 1 });
    await waitUntil(() => a.payloads(`${ROOT_A}/sentinel`).length === 1 && c.payloads(`${ROOT_A}/sentinel`).length === 1, 'the sentinel arrived');
    expect(a.messages.map((m) => m.payload)).toEqual(['sentinel']);
    expect(c.messages.map((m) => m.payload)).toEqual(['sentinel']);
  });

  it("does not let device B plant a last will on device A's availability", async () => {
    const a = await device('dev-A');
    await a.client.subscribeAsync(`${ROOT_A}/availability`, { qos: 1 });
    const b = await device('dev-B', { will: { topic: `${ROOT_A}/availability`, payload: Buffer.from('offline'), qos: 1, retain: false } });
    if (kind === 'embedded') {
      expect(b.error?.code).toBe(5); // refused at CONNECT
    } else {
      expect(b.connack?.returnCode).toBe(0); // accepted, but the will is checked when it fires
      b.client.stream.destroy(); // no DISCONNECT: the broker would publish the will now
      await new Promise((r) => setTimeout(r, 300));
    }
    const c = await cloudClient();
    await c.client.publishAsync(`${ROOT_A}/availability`, 'sentinel', { qos: 1 });
    await waitUntil(() => a.messages.length >= 1, 'A got the sentinel');
    expect(a.messages.map((m) => m.payload)).toEqual(['sentinel']);
  });

  it("does not let device B take over device A's session with A's client id", async () => {
    const a1 = await device('dev-A', { clean: false });
    await a1.client.subscribeAsync(`${ROOT_A}/jobs/notify`, { qos: 1 });
    await a1.end();
    const c = await cloudClient();
    await c.client.publishAsync(`${ROOT_A}/jobs/notify`, 'queued-for-A', { qos: 1 });

    const thief = await device('dev-B', { clientId: 'dev-A', clean: false });
    if (kind === 'embedded') {
      expect(thief.error?.code).toBe(2); // identifier rejected: the client id must be the username
    } else {
      expect(thief.connack?.returnCode).toBe(0); // Mosquitto makes it "dev-B" (use_username_as_clientid)
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(thief.messages).toEqual([]);
    await thief.end(true);

    const a2 = await device('dev-A', { clean: false });
    expect(a2.connack?.sessionPresent).toBe(true);
    await waitUntil(() => a2.messages.length >= 1, 'A got its queued message');
    expect(a2.payloads(`${ROOT_A}/jobs/notify`)).toEqual(['queued-for-A']);
    await a2.client.unsubscribeAsync(`${ROOT_A}/jobs/notify`);
  });
});

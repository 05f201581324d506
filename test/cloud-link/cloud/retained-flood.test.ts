/**
 * A device that publishes thousands of retained messages on its own topics (2,000 of 50 KB kept 87 MB
 * in the broker before): afterwards the broker holds at most the protocol's retained topic, the
 * device's availability. The embedded broker refuses them itself; with Mosquitto the cloud sees them
 * (retain-as-published, MQTT 5) and clears them.
 */
import { BROKER_KINDS, retainedTopics } from '../../support/mosquitto.js';
import { rawDevice, startTestCloud, type TestCloud } from './cloud-fixture.js';

const FLOOD = 2000;

describe.each(BROKER_KINDS)('a retained flood from a device (%s broker)', (brokerKind) => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud({ brokerKind });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('leaves the broker holding only its availability', async () => {
    const secret = await t.register('flood-1');
    const d = await rawDevice(t.cloud.brokerUrl, 'flood-1', secret);
    await d.publish(d.topics.availability, { status: 'online', at: 1 }, { retain: true });
    const body = Buffer.alloc(1024, 0x20);
    const kinds = [
      (i: number) => d.topics.utteranceEnd(i),
      (i: number) => d.topics.jobUpdate(`job-${i}`),
      () => d.topics.telemetryMetrics,
      (i: number) => `${d.topics.filter.slice(0, -2)}/junk/${i}`,
    ];
    // Pipelined: the embedded broker closes the connection at the first one, Mosquitto takes them all.
    const closed = new Promise((r) => d.raw.client.once('close', r));
    const sent: Array<Promise<unknown>> = [];
    for (let i = 0; i < FLOOD; i++) sent.push(d.raw.client.publishAsync((kinds[i % kinds.length] as (i: number) => string)(i), body, { qos: i % 2 === 0 ? 0 : 1, retain: true }).catch(() => undefined));
    await Promise.race([Promise.all(sent), closed]);
    if (brokerKind === 'embedded') expect(d.raw.client.connected).toBe(false);

    // Counted by the device itself, as a fresh clean session (a second cloud login would take over the cloud's).
    const login = { clientId: 'flood-1', username: 'flood-1', password: secret, clean: true };
    const count = (): Promise<string[]> => retainedTopics(t.cloud.brokerUrl, login, d.topics.filter, d.topics.telemetryState);
    // The cloud clears what Mosquitto stored as the messages reach it: give it time to get through
    // them (a limit against hanging, not a performance assertion).
    let held = await count();
    for (let i = 0; i < 150 && held.length > 1; i++) {
      await new Promise((r) => setTimeout(r, 200));
      held = await count();
    }
    expect(held).toEqual([d.topics.availability]);
    await d.raw.end(true);
  });
});

/**
 * The real cloud against a device publishing on topics that are not the protocol's (empty levels,
 * leading zeros, oversized ids): the embedded broker refuses them; Mosquitto delivers them to the
 * cloud's wildcard subscriptions, whose handlers drop them without answering. Either way the device's
 * next proper request is answered.
 */
import { BROKER_KINDS } from '../../support/mosquitto.js';
import { rawDevice, startTestCloud, type TestCloud } from './cloud-fixture.js';

describe.each(BROKER_KINDS)('topics outside the protocol (%s broker)', (brokerKind) => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud({ brokerKind });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('are dropped without an answer, and the cloud keeps answering', async () => {
    const secret = await t.register('odd-1');
    const root = 'echosim/v1/devices/odd-1';
    const update = JSON.stringify({ status: 'SUCCEEDED', expectedVersion: 1 });
    for (const topic of [`${root}/jobs//update`, `${root}/utterance//start`, `${root}/utterance/01/start`, `${root}/jobs/${'j'.repeat(65)}/update`, `${root}/shadow/get/`]) {
      const d = await rawDevice(t.cloud.brokerUrl, 'odd-1', secret);
      d.raw.client.publish(topic, update, { qos: 1 });
      // Embedded: the connection is closed (malformed topic); Mosquitto: acknowledged and delivered.
      await new Promise((r) => setTimeout(r, 100));
      await d.raw.end(true);
    }
    const d = await rawDevice(t.cloud.brokerUrl, 'odd-1', secret);
    await d.publish(d.topics.jobUpdate('no-such-job'), { status: 'SUCCEEDED', expectedVersion: 1 });
    const rejected = await d.next(d.topics.jobUpdateRejected('no-such-job'), 0);
    expect(rejected).toMatchObject({ code: 'ResourceNotFound', jobId: 'no-such-job' });
    // Nothing else came back: no answer on any of the malformed topics.
    expect(d.raw.messages.map((m) => m.topic).filter((topic) => !topic.endsWith('/jobs/notify'))).toEqual([d.topics.jobUpdateRejected('no-such-job')]);
    await d.raw.end(true);
  });
});

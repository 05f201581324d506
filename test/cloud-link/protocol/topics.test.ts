import { isSchemaName } from '../../../cloud-link/protocol/message-schemas.js';
import {
  CLOUD_USERNAME,
  TOPIC_SPECS,
  cloudSubscriptions,
  deviceFilter,
  deviceSubscriptions,
  deviceTopics,
  isValidDeviceId,
  parseTopic,
  subscriptionFilter,
  topicFor,
  type TopicKind,
} from '../../../cloud-link/protocol/topics.js';

const ROOT = 'echosim/v1/devices';

describe('device ids', () => {
  test('serial-number alphabet, 1-64 characters, and never the cloud username', () => {
    expect(isValidDeviceId('G090LF1234567')).toBe(true);
    expect(isValidDeviceId('a_b-C9')).toBe(true);
    expect(isValidDeviceId('x'.repeat(64))).toBe(true);
    for (const bad of ['', 'x'.repeat(65), 'a/b', 'a+b', '#', '$SYS', 'é', 'a b', CLOUD_USERNAME, 42, undefined]) {
      expect(isValidDeviceId(bad)).toBe(false);
    }
  });

  test('building a topic for an invalid id throws DEVICE_ID_INVALID with a hint', () => {
    expect(() => topicFor('shadow/update', 'a/b')).toThrow(expect.objectContaining({ code: 'DEVICE_ID_INVALID', hint: expect.stringContaining('1-64') }));
    expect(() => deviceFilter('+')).toThrow(expect.objectContaining({ code: 'DEVICE_ID_INVALID' }));
  });
});

describe('topic builders', () => {
  test('every topic of a device, spelled out', () => {
    const t = deviceTopics('dev-1');
    expect(t.filter).toBe(`${ROOT}/dev-1/#`);
    expect(t.shadowUpdate).toBe(`${ROOT}/dev-1/shadow/update`);
    expect(t.shadowUpdateAccepted).toBe(`${ROOT}/dev-1/shadow/update/accepted`);
    expect(t.shadowUpdateRejected).toBe(`${ROOT}/dev-1/shadow/update/rejected`);
    expect(t.shadowUpdateDelta).toBe(`${ROOT}/dev-1/shadow/update/delta`);
    expect(t.shadowUpdateDocuments).toBe(`${ROOT}/dev-1/shadow/update/documents`);
    expect(t.shadowGet).toBe(`${ROOT}/dev-1/shadow/get`);
    expect(t.shadowGetAccepted).toBe(`${ROOT}/dev-1/shadow/get/accepted`);
    expect(t.shadowGetRejected).toBe(`${ROOT}/dev-1/shadow/get/rejected`);
    expect(t.jobsNotify).toBe(`${ROOT}/dev-1/jobs/notify`);
    expect(t.jobUpdate('job-7')).toBe(`${ROOT}/dev-1/jobs/job-7/update`);
    expect(t.jobUpdateAccepted('job-7')).toBe(`${ROOT}/dev-1/jobs/job-7/update/accepted`);
    expect(t.jobUpdateRejected('job-7')).toBe(`${ROOT}/dev-1/jobs/job-7/update/rejected`);
    expect(t.telemetryState).toBe(`${ROOT}/dev-1/telemetry/state`);
    expect(t.telemetryWake).toBe(`${ROOT}/dev-1/telemetry/wake`);
    expect(t.telemetryFalseWake).toBe(`${ROOT}/dev-1/telemetry/false-wake`);
    expect(t.telemetryMetrics).toBe(`${ROOT}/dev-1/telemetry/metrics`);
    expect(t.availability).toBe(`${ROOT}/dev-1/availability`);
    expect(t.utteranceStart(3)).toBe(`${ROOT}/dev-1/utterance/3/start`);
    expect(t.utteranceAudio(3)).toBe(`${ROOT}/dev-1/utterance/3/audio`);
    expect(t.utteranceEnd(3)).toBe(`${ROOT}/dev-1/utterance/3/end`);
    expect(t.utteranceVerdict(3)).toBe(`${ROOT}/dev-1/utterance/3/verdict`);
    expect(t.utteranceResponse(3)).toBe(`${ROOT}/dev-1/utterance/3/response`);
  });

  test('parameters are checked: a job id cannot smuggle in a level, an utterance id is a non-negative integer', () => {
    expect(() => topicFor('jobs/update', 'dev', { jobId: 'a/b' })).toThrow(expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID' }));
    expect(() => topicFor('jobs/update', 'dev')).toThrow(expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID' }));
    expect(() => topicFor('utterance/audio', 'dev', { utteranceId: -1 })).toThrow(expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID' }));
    expect(() => topicFor('utterance/audio', 'dev', { utteranceId: 1.5 })).toThrow(expect.objectContaining({ code: 'PROTOCOL_MESSAGE_INVALID' }));
  });
});

describe('parseTopic', () => {
  test('every topic kind round-trips through its builder', () => {
    for (const spec of TOPIC_SPECS) {
      const params = { jobId: 'j_1', utteranceId: 12 };
      const topic = topicFor(spec.kind, 'Dev_9', params);
      const parsed = parseTopic(topic);
      expect(parsed?.kind).toBe(spec.kind);
      expect(parsed?.deviceId).toBe('Dev_9');
      expect(parsed?.jobId).toBe(spec.pattern.includes('{jobId}') ? 'j_1' : undefined);
      expect(parsed?.utteranceId).toBe(spec.pattern.includes('{n}') ? 12 : undefined);
    }
  });

  test('jobs/notify and a job called "notify" stay apart by their level count', () => {
    expect(parseTopic(`${ROOT}/d/jobs/notify`)).toEqual({ deviceId: 'd', kind: 'jobs/notify' });
    expect(parseTopic(`${ROOT}/d/jobs/notify/update`)).toEqual({ deviceId: 'd', kind: 'jobs/update', jobId: 'notify' });
  });

  test('anything that is not exactly a protocol topic is undefined', () => {
    for (const bad of [
      'echosim/v2/devices/d/shadow/update',
      'other/v1/devices/d/shadow/update',
      `${ROOT}/d`,
      `${ROOT}/d/`,
      `${ROOT}/d/shadow`,
      `${ROOT}/d/shadow/update/extra`,
      `${ROOT}/d/shadow/+`,
      `${ROOT}/+/shadow/update`,
      `${ROOT}/${CLOUD_USERNAME}/shadow/update`,
      `${ROOT}/d/utterance/01/audio`,
      `${ROOT}/d/utterance/-1/audio`,
      `${ROOT}/d/utterance/x/audio`,
      `${ROOT}/d/utterance/99999999999999999/audio`,
      `${ROOT}/d/jobs/a.b/update`,
      `${ROOT}/d/telemetry/unknown`,
      `/${ROOT}/d/availability`,
      // empty levels, which a `+` subscription matches (the cloud's handlers must drop them)
      `${ROOT}/d/jobs//update`,
      `${ROOT}/d/utterance//start`,
      `${ROOT}//jobs/notify`,
      `${ROOT}/d/shadow/get/`,
    ]) {
      expect(parseTopic(bad)).toBeUndefined();
    }
  });
});

describe('subscriptions and directions', () => {
  test('the cloud subscribes to every device-published kind across devices, with ids as wildcards', () => {
    const subs = cloudSubscriptions();
    expect(subs).toContain(`${ROOT}/+/shadow/update`);
    expect(subs).toContain(`${ROOT}/+/jobs/+/update`);
    expect(subs).toContain(`${ROOT}/+/utterance/+/audio`);
    expect(subs).toContain(`${ROOT}/+/availability`);
    expect(subs).not.toContain(`${ROOT}/+/shadow/update/accepted`);
    expect(subs).toHaveLength(TOPIC_SPECS.filter((s) => s.publisher === 'device').length);
  });

  test('a device subscribes to what the cloud publishes on its own subtree, documents excepted', () => {
    const subs = deviceSubscriptions('d1');
    expect(subs).toContain(`${ROOT}/d1/shadow/update/delta`);
    expect(subs).toContain(`${ROOT}/d1/shadow/get/accepted`);
    expect(subs).toContain(`${ROOT}/d1/jobs/+/update/accepted`);
    expect(subs).toContain(`${ROOT}/d1/utterance/+/verdict`);
    expect(subs).not.toContain(`${ROOT}/d1/shadow/update/documents`);
    expect(subs.every((s) => s.startsWith(`${ROOT}/d1/`))).toBe(true);
    expect(subscriptionFilter('telemetry/wake', 'd1')).toBe(`${ROOT}/d1/telemetry/wake`);
  });

  test('the table: every JSON topic names a schema that exists; audio is the only binary, QoS 0 topic; only availability is retained', () => {
    for (const spec of TOPIC_SPECS) {
      if (spec.payload === 'json') expect(spec.schema !== undefined && isSchemaName(spec.schema)).toBe(true);
      else expect(spec.schema).toBeUndefined();
    }
    expect(TOPIC_SPECS.filter((s) => s.qos === 0).map((s) => s.kind)).toEqual<TopicKind[]>(['utterance/audio']);
    expect(TOPIC_SPECS.filter((s) => s.payload === 'binary').map((s) => s.kind)).toEqual<TopicKind[]>(['utterance/audio']);
    expect(TOPIC_SPECS.filter((s) => s.retain).map((s) => s.kind)).toEqual<TopicKind[]>(['availability']);
    // Secrets only ever go from the cloud to the device.
    expect(TOPIC_SPECS.filter((s) => s.secrets).map((s) => [s.kind, s.publisher])).toEqual([['shadow/get/accepted', 'cloud']]);
    expect(new Set(TOPIC_SPECS.map((s) => s.kind)).size).toBe(TOPIC_SPECS.length);
  });
});

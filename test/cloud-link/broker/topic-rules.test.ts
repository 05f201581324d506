/**
 * The shape every topic must have before the embedded broker asks the ACL (topic-rules.ts), and the
 * order of the checks (broker-rules.ts): shape, then ACL, then the retain rule.
 */
import { publishRefusal, subscribeRefusal } from '../../../cloud-link/broker/broker-rules.js';
import { MAX_RETAINED_PAYLOAD_BYTES, MAX_TOPIC_BYTES, MAX_TOPIC_LEVELS, retainProblem, topicFilterProblem, topicNameProblem } from '../../../cloud-link/broker/topic-rules.js';
import { cloudSubscriptions, deviceSubscriptions, deviceTopics } from '../../../cloud-link/protocol/topics.js';

const ROOT = 'echosim/v1/devices/dev-1';
const device = { role: 'device' as const, username: 'dev-1' };
const cloud = { role: 'cloud' as const, username: 'echosim-cloud' };

describe('topic names', () => {
  it('accept every protocol topic, at its longest', () => {
    const t = deviceTopics('d'.repeat(64));
    for (const topic of [t.availability, t.shadowGetAccepted, t.jobUpdateAccepted('j'.repeat(64)), t.utteranceAudio(999_999_999_999_999)]) {
      expect([topic, topicNameProblem(topic)]).toEqual([topic, undefined]);
    }
  });

  it.each([
    ['', 'empty topic'],
    [`${ROOT}/jobs//update`, 'empty level'],
    [`${ROOT}/`, 'empty level'],
    [`/${ROOT}`, 'empty level'],
    [`${ROOT}/jobs/+/update`, 'wildcard in a topic name'],
    [`${ROOT}/#`, 'wildcard in a topic name'],
    [`${ROOT}/a+b`, 'wildcard in a topic name'],
    [`${ROOT}/nul\u0000x`, 'NUL, control character or invalid UTF-8'],
    [`${ROOT}/tab\tx`, 'NUL, control character or invalid UTF-8'],
    [`${ROOT}/c1\u0085x`, 'NUL, control character or invalid UTF-8'],
    [`${ROOT}/bad\ufffdutf8`, 'NUL, control character or invalid UTF-8'],
    [`${ROOT}/lone\ud800`, 'NUL, control character or invalid UTF-8'],
    [`${ROOT}/${'x'.repeat(MAX_TOPIC_BYTES)}`, `longer than ${MAX_TOPIC_BYTES} bytes`],
    [`${ROOT}/${'é'.repeat(120)}`, `longer than ${MAX_TOPIC_BYTES} bytes`], // 240 characters, 264 bytes
    [`${ROOT}${'/x'.repeat(MAX_TOPIC_LEVELS)}`, `more than ${MAX_TOPIC_LEVELS} levels`],
  ])('refuse %j: %s', (topic, problem) => {
    expect(topicNameProblem(topic)).toBe(problem);
  });

  it('accept non-ASCII UTF-8 and surrogate pairs', () => {
    expect(topicNameProblem(`${ROOT}/küche/😀`)).toBeUndefined();
  });
});

describe('topic filters', () => {
  it('accept every filter the protocol subscribes to', () => {
    for (const filter of [...cloudSubscriptions(), ...deviceSubscriptions('dev-1'), `${ROOT}/#`, 'echosim/v1/#']) {
      expect([filter, topicFilterProblem(filter)]).toEqual([filter, undefined]);
    }
  });

  it.each([
    [`${ROOT}/jobs//update`, 'empty level'],
    [`${ROOT}/#/x`, '# not alone in the last level'],
    [`${ROOT}/a#`, '# not alone in the last level'],
    [`${ROOT}/a+`, '+ not alone in its level'],
    [`${ROOT}/\u0000`, 'NUL, control character or invalid UTF-8'],
    [`${ROOT}${'/+'.repeat(MAX_TOPIC_LEVELS)}`, `more than ${MAX_TOPIC_LEVELS} levels`],
  ])('refuse %j: %s', (filter, problem) => {
    expect(topicFilterProblem(filter)).toBe(problem);
  });
});

describe('retained messages', () => {
  it('are allowed only on availability, small, or empty (a clear)', () => {
    expect(retainProblem(`${ROOT}/availability`, 120)).toBeUndefined();
    expect(retainProblem(`${ROOT}/availability`, 0)).toBeUndefined();
    expect(retainProblem(`${ROOT}/availability`, MAX_RETAINED_PAYLOAD_BYTES + 1)).toMatch(/over/);
    for (const topic of [`${ROOT}/telemetry/state`, `${ROOT}/utterance/1/audio`, `${ROOT}/junk/1`, 'echosim/v1/other']) {
      expect(retainProblem(topic, 10)).toMatch(/outside the protocol's retained topics/);
    }
  });
});

describe('broker rules', () => {
  it('check the shape first, then the ACL, then the retain flag', () => {
    expect(publishRefusal(device, { topic: `${ROOT}/telemetry/state`, retain: false, payloadBytes: 10 })).toBeUndefined();
    expect(publishRefusal(device, { topic: 'echosim/v1/devices/dev-2/jobs//update', retain: true, payloadBytes: 10 })?.kind).toBe('topic-invalid');
    expect(publishRefusal(device, { topic: 'echosim/v1/devices/dev-2/telemetry/state', retain: true, payloadBytes: 10 })?.kind).toBe('not-authorized');
    expect(publishRefusal(device, { topic: `${ROOT}/telemetry/state`, retain: true, payloadBytes: 10 })?.kind).toBe('retain-refused');
    expect(publishRefusal(undefined, { topic: `${ROOT}/telemetry/state`, retain: false, payloadBytes: 10 })).toEqual({ kind: 'not-authorized', reason: 'not authenticated' });
    // The cloud is held to the same retain rule, and may clear an availability.
    expect(publishRefusal(cloud, { topic: `${ROOT}/jobs/notify`, retain: true, payloadBytes: 10 })?.kind).toBe('retain-refused');
    expect(publishRefusal(cloud, { topic: `${ROOT}/availability`, retain: true, payloadBytes: 0 })).toBeUndefined();
    expect(subscribeRefusal(device, `${ROOT}//x`)?.kind).toBe('topic-invalid');
    expect(subscribeRefusal(device, 'echosim/v1/devices/+/x')?.kind).toBe('not-authorized');
    expect(subscribeRefusal(device, `${ROOT}/#`)).toBeUndefined();
  });
});

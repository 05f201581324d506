import { DEVICES_ROOT, topicFor } from '../../cloud-link/protocol/topics.js';
import { DEVICE_INPUTS, DEVICE_STATES } from '../../cloud-link/protocol/device-states.js';
import type { Rng } from './fuzz-rng.js';
import { ADVERSARIAL_NUMBERS, fuzzAudio, fuzzEnd, fuzzStart, garbage, jsonWith, mutateNumber } from './fuzz-utterance.js';

/**
 * Fuzzed MQTT messages from one device, on every topic it may publish to (its own subtree): the
 * protocol's device topics with valid payloads, valid-shaped ones with one value swapped for an
 * adversarial one, garbage JSON and binary of every size up to `maxBytes`, at QoS 0 and 1, and
 * topics in its subtree the protocol does not know (unknown suffixes, malformed job and utterance
 * ids, optionally empty levels).
 */

export interface FuzzMessageOptions {
  /** Largest payload, bytes. */
  maxBytes: number;
  /** Also publish to topics with an empty level (`jobs//update`). */
  emptyLevels: boolean;
}

export interface FuzzMessage {
  /** What it is, for reports: `utterance/audio`, `shadow/update`, `unknown-topic`, ... */
  kind: string;
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

const UTTERANCE_IDS = [0, 1, 2, 3, 4, 5, 6, 7];
const JOB_IDS = ['job-1', 'job-2', 'reboot-0001', 'x'.repeat(64)];

function utteranceId(rng: Rng): number {
  return rng.chance(0.95) ? rng.pick(UTTERANCE_IDS) : rng.pick([2 ** 31, 999_999_999_999_999]);
}

function shadowUpdate(rng: Rng): string {
  const reported: Record<string, unknown> = {
    profileVersion: rng.int(100), applied: true, volume: rng.int(11),
    roomProfile: { MaxVolumeLimit: rng.int(12), Timezone: 'Europe/Berlin' },
  };
  return rng.weighted<() => string>([
    [3, () => JSON.stringify({ state: { reported } })],
    [3, () => mutateNumber(rng, { state: { reported }, version: 1 }, [['version'], ['state', 'reported', 'profileVersion'], ['state', 'reported', 'volume']])],
    [1, () => JSON.stringify({ state: { reported: nested(rng.pick([8, 9, 64, 2000])) } })],
    [1, () => JSON.stringify({ state: { reported: { big: 'x'.repeat(rng.pick([8000, 9000, 60_000])) } } })],
    [1, () => JSON.stringify({ state: { desired: { roomProfile: { MaxVolumeLimit: 1 } } } })], // desired is the cloud's
    [1, () => JSON.stringify({ state: { reported: { networkProfile: { CurrentPassword: 'hunter2' } } } })],
    [1, () => jsonWith({ state: { reported }, clientToken: 't' }, ['clientToken'], JSON.stringify('t'.repeat(rng.pick([64, 65, 5000]))))],
  ])();
}

/** `{ a: { a: ... } }`, `depth` levels. */
function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function jobUpdate(rng: Rng): string {
  const valid = { status: rng.pick(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED']), expectedVersion: 1 + rng.int(3), clientToken: 'c1' };
  return rng.weighted<() => string>([
    [3, () => JSON.stringify(valid)],
    [3, () => mutateNumber(rng, valid, [['expectedVersion']])],
    [1, () => JSON.stringify({ ...valid, status: rng.pick(['QUEUED', 'CANCELED', 'TIMED_OUT', 'BOGUS']) })],
    [1, () => JSON.stringify({ ...valid, statusDetails: { reason: 'x'.repeat(rng.pick([10, 300, 5000])) } })],
  ])();
}

function telemetry(rng: Rng, kind: 'state' | 'wake' | 'false-wake' | 'metrics'): string {
  const base = { seq: rng.int(1000), at: 1_767_600_000_000 + rng.int(1_000_000) };
  const templates = {
    state: { ...base, from: rng.pick(DEVICE_STATES), to: rng.pick(DEVICE_STATES), input: rng.pick(DEVICE_INPUTS) },
    wake: { ...base, utteranceId: rng.int(10), keyword: 'alexa', score: 0.9, beginIndex: 8000, endIndex: 15000, confirmed: true },
    'false-wake': { ...base, utteranceId: rng.int(10), reason: 'not confirmed' },
    metrics: { ...base, periodMs: 60_000, uptimeMs: 1000, wakes: 1, falseWakes: 0, utterances: 1, reconnects: 0, outboxDepth: 0 },
  };
  const template = templates[kind] as Record<string, unknown>;
  const numbers = Object.keys(template).filter((k) => typeof template[k] === 'number').map((k) => [k]);
  return rng.chance(0.5) ? JSON.stringify(template) : mutateNumber(rng, template, numbers);
}

/** A topic in the device's subtree that the protocol does not have. */
function unknownTopic(rng: Rng, deviceId: string, o: FuzzMessageOptions): string {
  const root = `${DEVICES_ROOT}/${deviceId}`;
  const levels = [
    'shadow', 'shadow/update/accepted', 'shadow/delete', 'jobs/notify', 'jobs/$next/update', `jobs/${'j'.repeat(65)}/update`,
    'utterance/01/start', 'utterance/-1/audio', 'utterance/1e3/end', 'utterance/9999999999999999/start', 'utterance/x/audio',
    'utterance/1/verdict', 'utterance/1/rejected', 'telemetry', 'telemetry/other', 'a/b/c/d/e/f/g', 'x'.repeat(200),
    ...(o.emptyLevels ? ['jobs//update', 'utterance//start', 'shadow//update', 'telemetry/'] : []),
  ];
  return `${root}/${rng.pick(levels)}`;
}

/** One fuzzed message from `deviceId`. */
export function fuzzMessage(rng: Rng, deviceId: string, o: FuzzMessageOptions): FuzzMessage {
  const qos = (): 0 | 1 => (rng.chance(0.5) ? 1 : 0);
  const json = (kind: string, topic: string, text: string): FuzzMessage => ({
    kind, topic, payload: rng.chance(0.05) ? garbage(rng, o.maxBytes) : Buffer.from(text), qos: qos(), retain: false,
  });
  return rng.weighted<() => FuzzMessage>([
    [10, () => {
      const id = utteranceId(rng);
      return { kind: 'utterance/start', topic: topicFor('utterance/start', deviceId, { utteranceId: id }), payload: fuzzStart(rng, id, o.maxBytes), qos: qos(), retain: false };
    }],
    [30, () => {
      const id = utteranceId(rng);
      return { kind: 'utterance/audio', topic: topicFor('utterance/audio', deviceId, { utteranceId: id }), payload: fuzzAudio(rng, o.maxBytes), qos: rng.chance(0.8) ? 0 : 1, retain: false };
    }],
    [10, () => {
      const id = utteranceId(rng);
      return { kind: 'utterance/end', topic: topicFor('utterance/end', deviceId, { utteranceId: id }), payload: fuzzEnd(rng, id, o.maxBytes), qos: qos(), retain: false };
    }],
    [10, () => json('shadow/update', topicFor('shadow/update', deviceId), shadowUpdate(rng))],
    [4, () => json('shadow/get', topicFor('shadow/get', deviceId), rng.pick(['', '{}', '{"clientToken":"a"}', '{"clientToken":1}', '[]']))],
    [8, () => json('jobs/update', topicFor('jobs/update', deviceId, { jobId: rng.pick(JOB_IDS) }), jobUpdate(rng))],
    [12, () => {
      const kind = rng.pick(['state', 'wake', 'false-wake', 'metrics'] as const);
      return json(`telemetry/${kind}`, topicFor(`telemetry/${kind}`, deviceId), telemetry(rng, kind));
    }],
    [3, () => ({
      kind: 'availability', topic: topicFor('availability', deviceId), retain: true, qos: 1,
      payload: Buffer.from(rng.chance(0.7) ? JSON.stringify({ status: 'online', at: Date.now(), reason: 'connected' }) : jsonWith({ status: 'online', at: 0 }, ['at'], rng.pick(ADVERSARIAL_NUMBERS))),
    })],
    [6, () => ({ kind: 'unknown-topic', topic: unknownTopic(rng, deviceId, o), payload: garbage(rng, Math.min(o.maxBytes, 4096)), qos: qos(), retain: false })],
    [3, () => ({ kind: 'size-extreme', topic: topicFor(rng.pick(['shadow/update', 'telemetry/metrics', 'shadow/get'] as const), deviceId), payload: rng.bytes(o.maxBytes - rng.int(16)), qos: qos(), retain: false })],
  ])();
}

import { EchosimError } from '../../core/errors.js';

/**
 * The topic tree of the device-cloud protocol. Every device owns one subtree,
 * `echosim/v1/devices/{deviceId}/...`; the table below says, as data, which side publishes each
 * topic, at which QoS, whether it is retained, and which schema its payload follows. ACLs, the
 * generated README in cloud-link/schemas and both ends of the link are derived from it, so a topic
 * exists in exactly one place.
 *
 * `v1` is bumped only with a breaking protocol change; a v2 tree can then live next to v1 on the same
 * broker while a fleet migrates.
 */

export const PROTOCOL_VERSION = 'v1';
export const TOPIC_ROOT = `echosim/${PROTOCOL_VERSION}`;
export const DEVICES_ROOT = `${TOPIC_ROOT}/devices`;
/** The MQTT username the cloud connects with; never a device id (see isValidDeviceId). */
export const CLOUD_USERNAME = 'echosim-cloud';
/** The MQTT username Home Assistant connects with (cloud/home-assistant/); never a device id either. */
export const HOME_ASSISTANT_USERNAME = 'echosim-home-assistant';
/** Usernames no device may have. */
export const RESERVED_USERNAMES: readonly string[] = [CLOUD_USERNAME, HOME_ASSISTANT_USERNAME];

const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** AWS IoT Jobs' job id alphabet and length. */
const JOB_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Utterance ids are the device's stream counter: a non-negative safe integer, decimal, no sign or leading zeros. */
const UTTERANCE_ID_RE = /^(0|[1-9][0-9]{0,14})$/;

/**
 * A device id is its serial number and also its MQTT clientId and username: one literal topic level
 * (no `/`, `+`, `#`, `$`). The cloud's own username is reserved so a device can never authenticate
 * as, or be confused with, the cloud (or Home Assistant's login).
 */
export function isValidDeviceId(id: unknown): id is string {
  return typeof id === 'string' && DEVICE_ID_RE.test(id) && !RESERVED_USERNAMES.includes(id);
}

export function isValidJobId(id: unknown): id is string {
  return typeof id === 'string' && JOB_ID_RE.test(id);
}

export function isValidUtteranceId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

export type TopicKind =
  | 'shadow/update'
  | 'shadow/update/accepted'
  | 'shadow/update/rejected'
  | 'shadow/update/delta'
  | 'shadow/update/documents'
  | 'shadow/get'
  | 'shadow/get/accepted'
  | 'shadow/get/rejected'
  | 'jobs/notify'
  | 'jobs/update'
  | 'jobs/update/accepted'
  | 'jobs/update/rejected'
  | 'telemetry/state'
  | 'telemetry/wake'
  | 'telemetry/false-wake'
  | 'telemetry/metrics'
  | 'availability'
  | 'utterance/start'
  | 'utterance/audio'
  | 'utterance/end'
  | 'utterance/verdict'
  | 'utterance/response'
  | 'utterance/rejected';

export type Side = 'device' | 'cloud';

export interface TopicSpec {
  readonly kind: TopicKind;
  /** Below `echosim/v1/devices/{deviceId}/`; `{jobId}` and `{n}` (utterance id) are single levels. */
  readonly pattern: string;
  readonly publisher: Side;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** JSON (UTF-8) validated by `schema`, or the binary audio chunk format of audio-chunk.ts. */
  readonly payload: 'json' | 'binary';
  /** The schema name: cloud-link/schemas/<schema>.schema.json. */
  readonly schema?: string;
  /**
   * May carry the device's network secrets (CurrentPassword, NextPassword). Only ever published on
   * the device's own subtree, which only that device and the cloud can read.
   */
  readonly secrets: boolean;
  readonly description: string;
}

/** Every topic of a device, in the order the generated README lists them. */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { kind: 'shadow/update', pattern: 'shadow/update', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'shadow-update-request', secrets: false,
    description: 'The device reports state (`state.reported` only; desired is the cloud\'s). Null deletes a key.' },
  { kind: 'shadow/update/accepted', pattern: 'shadow/update/accepted', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'shadow-update-accepted', secrets: false,
    description: 'An update was applied: the state it carried (network secrets redacted), its metadata, the new version, the clientToken.' },
  { kind: 'shadow/update/rejected', pattern: 'shadow/update/rejected', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'shadow-rejected', secrets: false,
    description: 'An update was refused: 400 invalid JSON or schema, 409 version conflict, 413 state over 8 KB, 429 too many in flight.' },
  { kind: 'shadow/update/delta', pattern: 'shadow/update/delta', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'shadow-update-delta', secrets: false,
    description: 'Desired leaves that differ from reported, after an update that touched desired. Secrets are never in it: fetch the full document with shadow/get.' },
  { kind: 'shadow/update/documents', pattern: 'shadow/update/documents', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'shadow-update-documents', secrets: false,
    description: 'The whole document before and after each accepted update (network secrets redacted), for observers.' },
  { kind: 'shadow/get', pattern: 'shadow/get', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'shadow-get-request', secrets: false,
    description: 'The device asks for its whole shadow: `{ "publicKey": ..., "clientToken": ... }`, its X25519 public key required (400 without one).' },
  { kind: 'shadow/get/accepted', pattern: 'shadow/get/accepted', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'shadow-get-accepted', secrets: true,
    description: 'The whole shadow with its delta. The only message that carries the network passwords, sealed (`secrets`) to the key of the request.' },
  { kind: 'shadow/get/rejected', pattern: 'shadow/get/rejected', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'shadow-rejected', secrets: false,
    description: 'shadow/get failed (404 when the device has no shadow yet).' },
  { kind: 'jobs/notify', pattern: 'jobs/notify', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'jobs-notify', secrets: false,
    description: 'The device\'s pending jobs (QUEUED or IN_PROGRESS), sent whenever that list changes and when the device comes online.' },
  { kind: 'jobs/update', pattern: 'jobs/{jobId}/update', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'job-update-request', secrets: false,
    description: 'The device moves a job on (IN_PROGRESS, SUCCEEDED, FAILED, REJECTED) with the job\'s expectedVersion.' },
  { kind: 'jobs/update/accepted', pattern: 'jobs/{jobId}/update/accepted', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'job-update-accepted', secrets: false,
    description: 'The status change was recorded; carries the job\'s new expectedVersion.' },
  { kind: 'jobs/update/rejected', pattern: 'jobs/{jobId}/update/rejected', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'job-update-rejected', secrets: false,
    description: 'The status change was refused (invalid transition, version mismatch, unknown job, ...).' },
  { kind: 'telemetry/state', pattern: 'telemetry/state', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'telemetry-state', secrets: false,
    description: 'A device state change (IDLE, LISTENING, THINKING, ...).' },
  { kind: 'telemetry/wake', pattern: 'telemetry/wake', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'telemetry-wake', secrets: false,
    description: 'A wake word the device acted on, its score and whether the cloud confirmed it.' },
  { kind: 'telemetry/false-wake', pattern: 'telemetry/false-wake', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'telemetry-false-wake', secrets: false,
    description: 'A wake the cloud did not confirm; the device stopped capture and went back to IDLE.' },
  { kind: 'telemetry/metrics', pattern: 'telemetry/metrics', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'telemetry-metrics', secrets: false,
    description: 'Periodic counters and gauges.' },
  { kind: 'availability', pattern: 'availability', publisher: 'device', qos: 1, retain: true, payload: 'json', schema: 'availability', secrets: false,
    description: 'Retained `online` after connecting; the MQTT last will publishes `offline` when the connection dies.' },
  { kind: 'utterance/start', pattern: 'utterance/{n}/start', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'utterance-start', secrets: false,
    description: 'A capture stream begins (AVS Recognize: initiator, wakeWordIndices, pre-roll), 16 kHz L16.' },
  { kind: 'utterance/audio', pattern: 'utterance/{n}/audio', publisher: 'device', qos: 0, retain: false, payload: 'binary', secrets: false,
    description: 'Audio chunks: a 12-byte header (version, header length, sequence number, sample offset) then PCM s16le.' },
  { kind: 'utterance/end', pattern: 'utterance/{n}/end', publisher: 'device', qos: 1, retain: false, payload: 'json', schema: 'utterance-end', secrets: false,
    description: 'The stream closed: why, and how many samples and chunks were sent (to detect lost QoS 0 chunks).' },
  { kind: 'utterance/verdict', pattern: 'utterance/{n}/verdict', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'utterance-verdict', secrets: false,
    description: 'Cloud wake-word verification. `confirmed: false` means stop capture at once (a false wake).' },
  { kind: 'utterance/response', pattern: 'utterance/{n}/response', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'utterance-response', secrets: false,
    description: 'The answer to an utterance: L16 audio to play (base64), or nothing.' },
  { kind: 'utterance/rejected', pattern: 'utterance/{n}/rejected', publisher: 'cloud', qos: 1, retain: false, payload: 'json', schema: 'utterance-rejected', secrets: false,
    description: 'The cloud refused a start, chunk or end (400 protocol breach or out of bounds, 413 too large, 429 a cap); `dropped` when it closed the utterance.' },
];

const SPEC_BY_KIND = new Map<TopicKind, TopicSpec>(TOPIC_SPECS.map((s) => [s.kind, s]));

export function topicSpec(kind: TopicKind): TopicSpec {
  const spec = SPEC_BY_KIND.get(kind);
  if (!spec) throw new EchosimError('PROTOCOL_MESSAGE_INVALID', `unknown topic kind ${JSON.stringify(kind)}`);
  return spec;
}

export interface TopicParams {
  jobId?: string;
  utteranceId?: number;
}

export interface ParsedTopic {
  deviceId: string;
  kind: TopicKind;
  jobId?: string;
  utteranceId?: number;
}

function checkDeviceId(deviceId: string): void {
  if (!isValidDeviceId(deviceId)) {
    throw new EchosimError('DEVICE_ID_INVALID', `invalid device id ${JSON.stringify(deviceId)}`, {
      hint: `A device id is 1-64 characters of A-Z, a-z, 0-9, _ and - (its serial number), and not "${CLOUD_USERNAME}".`,
    });
  }
}

/** The topic of `kind` for one device; parameterised kinds need their `jobId` / `utteranceId`. */
export function topicFor(kind: TopicKind, deviceId: string, params: TopicParams = {}): string {
  checkDeviceId(deviceId);
  const levels = topicSpec(kind).pattern.split('/').map((level) => {
    if (level === '{jobId}') {
      if (!isValidJobId(params.jobId)) {
        throw new EchosimError('PROTOCOL_MESSAGE_INVALID', `topic ${kind} needs a valid jobId, got ${JSON.stringify(params.jobId)}`, {
          hint: 'A job id is 1-64 characters of A-Z, a-z, 0-9, _ and -.',
        });
      }
      return params.jobId;
    }
    if (level === '{n}') {
      if (!isValidUtteranceId(params.utteranceId)) {
        throw new EchosimError('PROTOCOL_MESSAGE_INVALID', `topic ${kind} needs a valid utteranceId, got ${String(params.utteranceId)}`, {
          hint: 'An utterance id is the non-negative integer id of the capture stream.',
        });
      }
      return String(params.utteranceId);
    }
    return level;
  });
  return `${DEVICES_ROOT}/${deviceId}/${levels.join('/')}`;
}

/**
 * A subscription filter for `kind`: one device's, or every device's (`deviceId` '+', what the cloud
 * subscribes to). Job and utterance ids are always wildcards.
 */
export function subscriptionFilter(kind: TopicKind, deviceId = '+'): string {
  if (deviceId !== '+') checkDeviceId(deviceId);
  const rest = topicSpec(kind).pattern.replace(/\{jobId\}|\{n\}/g, '+');
  return `${DEVICES_ROOT}/${deviceId}/${rest}`;
}

/** `echosim/v1/devices/{id}/#`: everything a device may use. */
export function deviceFilter(deviceId: string): string {
  checkDeviceId(deviceId);
  return `${DEVICES_ROOT}/${deviceId}/#`;
}

/** What a device subscribes to: every topic the cloud publishes on its subtree. */
export function deviceSubscriptions(deviceId: string): string[] {
  return TOPIC_SPECS.filter((s) => s.publisher === 'cloud' && s.kind !== 'shadow/update/documents').map((s) => subscriptionFilter(s.kind, deviceId));
}

/** What the cloud subscribes to: every topic devices publish, for all devices. */
export function cloudSubscriptions(): string[] {
  return TOPIC_SPECS.filter((s) => s.publisher === 'device').map((s) => subscriptionFilter(s.kind));
}

const PATTERNS = TOPIC_SPECS.map((spec) => ({ spec, levels: spec.pattern.split('/') }));

/**
 * Reads a topic name back into its device, kind and ids. Undefined for anything that is not exactly
 * one of the protocol's topics (another root, an invalid device or job id, an unknown suffix, a
 * wildcard), so callers can drop it without further checks.
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const prefix = `${DEVICES_ROOT}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const levels = topic.slice(prefix.length).split('/');
  const deviceId = levels[0];
  if (!isValidDeviceId(deviceId)) return undefined;
  const rest = levels.slice(1);
  for (const { spec, levels: pattern } of PATTERNS) {
    if (pattern.length !== rest.length) continue;
    const parsed: ParsedTopic = { deviceId, kind: spec.kind };
    let matches = true;
    for (let i = 0; i < pattern.length && matches; i++) {
      const want = pattern[i] as string;
      const got = rest[i] as string;
      if (want === '{jobId}') {
        if (isValidJobId(got)) parsed.jobId = got;
        else matches = false;
      } else if (want === '{n}') {
        if (UTTERANCE_ID_RE.test(got) && Number.isSafeInteger(Number(got))) parsed.utteranceId = Number(got);
        else matches = false;
      } else if (want !== got) {
        matches = false;
      }
    }
    if (matches) return parsed;
  }
  return undefined;
}

/** Convenience: every topic of one device, built once. */
export interface DeviceTopics {
  readonly deviceId: string;
  readonly filter: string;
  readonly shadowUpdate: string;
  readonly shadowUpdateAccepted: string;
  readonly shadowUpdateRejected: string;
  readonly shadowUpdateDelta: string;
  readonly shadowUpdateDocuments: string;
  readonly shadowGet: string;
  readonly shadowGetAccepted: string;
  readonly shadowGetRejected: string;
  readonly jobsNotify: string;
  readonly telemetryState: string;
  readonly telemetryWake: string;
  readonly telemetryFalseWake: string;
  readonly telemetryMetrics: string;
  readonly availability: string;
  jobUpdate(jobId: string): string;
  jobUpdateAccepted(jobId: string): string;
  jobUpdateRejected(jobId: string): string;
  utteranceStart(n: number): string;
  utteranceAudio(n: number): string;
  utteranceEnd(n: number): string;
  utteranceVerdict(n: number): string;
  utteranceResponse(n: number): string;
  utteranceRejected(n: number): string;
}

export function deviceTopics(deviceId: string): DeviceTopics {
  const t = (kind: TopicKind, params?: TopicParams): string => topicFor(kind, deviceId, params);
  return {
    deviceId,
    filter: deviceFilter(deviceId),
    shadowUpdate: t('shadow/update'),
    shadowUpdateAccepted: t('shadow/update/accepted'),
    shadowUpdateRejected: t('shadow/update/rejected'),
    shadowUpdateDelta: t('shadow/update/delta'),
    shadowUpdateDocuments: t('shadow/update/documents'),
    shadowGet: t('shadow/get'),
    shadowGetAccepted: t('shadow/get/accepted'),
    shadowGetRejected: t('shadow/get/rejected'),
    jobsNotify: t('jobs/notify'),
    telemetryState: t('telemetry/state'),
    telemetryWake: t('telemetry/wake'),
    telemetryFalseWake: t('telemetry/false-wake'),
    telemetryMetrics: t('telemetry/metrics'),
    availability: t('availability'),
    jobUpdate: (jobId) => t('jobs/update', { jobId }),
    jobUpdateAccepted: (jobId) => t('jobs/update/accepted', { jobId }),
    jobUpdateRejected: (jobId) => t('jobs/update/rejected', { jobId }),
    utteranceStart: (n) => t('utterance/start', { utteranceId: n }),
    utteranceAudio: (n) => t('utterance/audio', { utteranceId: n }),
    utteranceEnd: (n) => t('utterance/end', { utteranceId: n }),
    utteranceVerdict: (n) => t('utterance/verdict', { utteranceId: n }),
    utteranceResponse: (n) => t('utterance/response', { utteranceId: n }),
    utteranceRejected: (n) => t('utterance/rejected', { utteranceId: n }),
  };
}

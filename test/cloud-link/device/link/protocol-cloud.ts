/**
 * A cloud for the device link's tests, played by a raw MQTT client logged in as `echosim-cloud`
 * and built only from the protocol's own functions (updateDeviceShadow, getDeviceShadow,
 * applyJobUpdate, the message schemas), so the tests check the device against the wire contract and
 * not against the real cloud's implementation. It keeps one shadow document and a job list per
 * device in memory, answers shadow/get and shadow/update like AWS IoT, moves jobs on, and records
 * every message a device sends (checking it against its topic's schema: `invalid` lists failures).
 *
 * Faults can be injected: `updateFaults` / `getFaults` answer the next requests with the given
 * error codes instead of processing them.
 */
import { connect, type MqttClient } from 'mqtt';
import { decodeAudioChunk } from '../../../../cloud-link/protocol/audio-chunk.js';
import { getDeviceShadow, replaceDesiredRequest, updateDeviceShadow } from '../../../../cloud-link/protocol/device-shadow.js';
import { applyJobUpdate, isTerminalJobStatus, JobUpdateRequestSchema, type Job } from '../../../../cloud-link/protocol/jobs.js';
import { isSchemaName, MESSAGE_SCHEMAS } from '../../../../cloud-link/protocol/message-schemas.js';
import { parsePayload } from '../../../../cloud-link/protocol/parse.js';
import { shadowRejection, type ShadowDocument } from '../../../../cloud-link/protocol/shadow-engine.js';
import { DeviceShadowUpdateRequestSchema, ShadowGetRequestSchema, type DesiredState, type ShadowErrorCode } from '../../../../cloud-link/protocol/shadow.js';
import { cloudSubscriptions, parseTopic, topicFor, topicSpec, type TopicKind, type TopicParams } from '../../../../cloud-link/protocol/topics.js';
import { waitUntil } from '../../../support/mosquitto.js';

export const CLOUD_PASSWORD = 'cloud-admin-secret';

export interface Received {
  topic: string;
  kind: TopicKind;
  deviceId: string;
  jobId?: string;
  utteranceId?: number;
  payload: Buffer;
  /** The JSON body (undefined for binary audio). */
  json?: unknown;
}

export class ProtocolCloud {
  readonly docs = new Map<string, ShadowDocument>();
  readonly jobs = new Map<string, Job[]>();
  readonly received: Received[] = [];
  readonly invalid: Array<{ topic: string; message: string }> = [];
  updateFaults: ShadowErrorCode[] = [];
  getFaults: ShadowErrorCode[] = [];
  /** Job updates with these statuses are swallowed: neither applied nor answered (a lost message). */
  readonly lostJobStatuses = new Set<string>();
  /** Called for every device message after it was recorded (e.g. to answer an utterance). */
  onMessage: ((m: Received) => void) | undefined;
  now: () => number = () => Date.now();
  private chain: Promise<void> = Promise.resolve();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.chain = this.chain.then(() => this.handle(topic, payload)).catch((err: unknown) => console.error('test cloud:', err));
    });
  }

  static async connect(url: string, password = CLOUD_PASSWORD): Promise<ProtocolCloud> {
    const client = connect(url, {
      protocolVersion: 4,
      clientId: 'echosim-cloud',
      username: 'echosim-cloud',
      password,
      clean: true,
      reconnectPeriod: 100,
      connectTimeout: 10_000,
    });
    client.on('error', () => undefined); // reconnects on its own; tests look at outcomes
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(cloudSubscriptions(), { qos: 1 });
    return new ProtocolCloud(client);
  }

  /** Makes the device's desired state exactly `desired` and publishes the delta, as the real cloud does. */
  async setDesired(deviceId: string, desired: DesiredState): Promise<void> {
    const doc = this.docs.get(deviceId);
    const request = replaceDesiredRequest(doc, desired, `desired-${desired.profileVersion ?? 0}`);
    if (!request) return;
    const result = updateDeviceShadow(doc, request, { now: this.now() });
    if (!result.ok) throw new Error(`desired state refused by the shadow: ${result.rejected.message}`);
    this.docs.set(deviceId, result.doc);
    if (result.delta) await this.publish('shadow/update/delta', deviceId, result.delta);
  }

  reported(deviceId: string): Record<string, unknown> | undefined {
    return this.docs.get(deviceId)?.state.reported as Record<string, unknown> | undefined;
  }

  /** Queues a job (QUEUED, version 1) and notifies the device. */
  async queueJob(deviceId: string, job: Pick<Job, 'jobId' | 'operation' | 'parameters'> & { queuedAt?: number }): Promise<Job> {
    const at = job.queuedAt ?? this.now();
    const full = { ...job, status: 'QUEUED', queuedAt: at, updatedAt: at, expectedVersion: 1 } as Job;
    this.jobs.set(deviceId, [...(this.jobs.get(deviceId) ?? []), full]);
    await this.notify(deviceId);
    return full;
  }

  job(deviceId: string, jobId: string): Job | undefined {
    return this.jobs.get(deviceId)?.find((j) => j.jobId === jobId);
  }

  async notify(deviceId: string): Promise<void> {
    const pending = (this.jobs.get(deviceId) ?? []).filter((j) => !isTerminalJobStatus(j.status));
    await this.publish('jobs/notify', deviceId, { jobs: pending, at: this.now() });
  }

  /** JSON bodies the device sent on `kind`, in order. */
  bodies<T = Record<string, unknown>>(kind: TopicKind, deviceId?: string): T[] {
    return this.received.filter((m) => m.kind === kind && (deviceId === undefined || m.deviceId === deviceId) && m.json !== undefined).map((m) => m.json as T);
  }

  async publish(kind: TopicKind, deviceId: string, body: unknown, params: TopicParams = {}): Promise<void> {
    await this.client.publishAsync(topicFor(kind, deviceId, params), typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  }

  until(condition: () => boolean, what: string): Promise<void> {
    return waitUntil(condition, what);
  }

  async close(): Promise<void> {
    await this.chain;
    await this.client.endAsync(true);
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    if (!t) return;
    const m: Received = { topic, kind: t.kind, deviceId: t.deviceId, payload, ...(t.jobId ? { jobId: t.jobId } : {}), ...(t.utteranceId === undefined ? {} : { utteranceId: t.utteranceId }) };
    const spec = topicSpec(t.kind);
    if (spec.payload === 'binary') {
      try {
        decodeAudioChunk(payload);
      } catch (err) {
        this.invalid.push({ topic, message: (err as Error).message });
      }
    } else if (spec.schema && isSchemaName(spec.schema)) {
      const parsed = parsePayload(MESSAGE_SCHEMAS[spec.schema], payload, { allowEmpty: t.kind === 'shadow/get' });
      if (parsed.ok) m.json = parsed.value;
      else this.invalid.push({ topic, message: parsed.message });
    }
    this.received.push(m);
    switch (t.kind) {
      case 'shadow/get':
        await this.onGet(t.deviceId, payload);
        break;
      case 'shadow/update':
        await this.onUpdate(t.deviceId, payload);
        break;
      case 'jobs/update':
        if (t.jobId) await this.onJobUpdate(t.deviceId, t.jobId, payload);
        break;
      case 'availability': {
        const status = (m.json as { status?: string } | undefined)?.status;
        if (status === 'online' && (this.jobs.get(t.deviceId)?.length ?? 0) > 0) await this.notify(t.deviceId);
        break;
      }
      default:
        break;
    }
    this.onMessage?.(m);
  }

  private async onGet(deviceId: string, payload: Buffer): Promise<void> {
    const parsed = parsePayload(ShadowGetRequestSchema, payload, { allowEmpty: true });
    if (!parsed.ok) return this.publish('shadow/get/rejected', deviceId, shadowRejection(parsed.code, parsed.message, this.now()));
    const { clientToken: token, publicKey } = parsed.value;
    const fault = this.getFaults.shift();
    if (fault !== undefined) return this.publish('shadow/get/rejected', deviceId, shadowRejection(fault, 'injected fault', this.now(), token));
    const recipient = { deviceId, publicKey };
    const got = getDeviceShadow(this.docs.get(deviceId), { now: this.now(), recipient, ...(token === undefined ? {} : { clientToken: token }) });
    if (got.ok) await this.publish('shadow/get/accepted', deviceId, got.accepted);
    else await this.publish('shadow/get/rejected', deviceId, got.rejected);
  }

  private async onUpdate(deviceId: string, payload: Buffer): Promise<void> {
    const parsed = parsePayload(DeviceShadowUpdateRequestSchema, payload);
    if (!parsed.ok) return this.publish('shadow/update/rejected', deviceId, shadowRejection(parsed.code, parsed.message, this.now()));
    const fault = this.updateFaults.shift();
    if (fault !== undefined) return this.publish('shadow/update/rejected', deviceId, shadowRejection(fault, 'injected fault', this.now(), parsed.value.clientToken));
    const result = updateDeviceShadow(this.docs.get(deviceId), parsed.value, { now: this.now() });
    if (!result.ok) return this.publish('shadow/update/rejected', deviceId, result.rejected);
    this.docs.set(deviceId, result.doc);
    await this.publish('shadow/update/accepted', deviceId, result.accepted);
  }

  private async onJobUpdate(deviceId: string, jobId: string, payload: Buffer): Promise<void> {
    const parsed = parsePayload(JobUpdateRequestSchema, payload);
    const now = this.now();
    if (parsed.ok && this.lostJobStatuses.has(parsed.value.status)) return;
    if (!parsed.ok) return this.publish('jobs/update/rejected', deviceId, { code: 'InvalidJson', message: parsed.message, jobId, at: now }, { jobId });
    const list = this.jobs.get(deviceId) ?? [];
    const i = list.findIndex((j) => j.jobId === jobId);
    const job = list[i];
    const token = parsed.value.clientToken === undefined ? {} : { clientToken: parsed.value.clientToken };
    if (!job) return this.publish('jobs/update/rejected', deviceId, { code: 'ResourceNotFound', message: `no job ${jobId}`, jobId, at: now, ...token }, { jobId });
    const result = applyJobUpdate(job, parsed.value, now);
    if (!result.ok) return this.publish('jobs/update/rejected', deviceId, result.rejected, { jobId });
    list[i] = result.job;
    await this.publish('jobs/update/accepted', deviceId, result.accepted, { jobId });
    if (isTerminalJobStatus(result.job.status)) await this.notify(deviceId);
  }
}

import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import { applyJobUpdate, isTerminalJobStatus, JobSchema, JobUpdateRequestSchema, type Job, type JobErrorCode, type JobUpdateRejected } from '../../protocol/jobs.js';
import { parsePayload } from '../../protocol/parse.js';
import type { TopicKind } from '../../protocol/topics.js';
import type { A4bService } from '../a4b/service.js';
import { toWireJob, type CloudJob } from '../db/job-store.js';
import type { CloudClient } from './cloud-client.js';
import type { CloudEventBus } from './cloud-events.js';

/**
 * Jobs over MQTT (docs/device-shadow.md#jobs, the AWS IoT Jobs pattern): the cloud tells a device its pending jobs
 * on jobs/notify (when one is queued, when one finishes, and whenever the device comes online), the
 * device moves each one on with jobs/{id}/update naming the version it expects, and the cloud answers
 * accepted or rejected with the job's current state so the device can carry on.
 */
export class JobGateway {
  constructor(
    private readonly service: A4bService,
    private readonly client: CloudClient,
    private readonly clock: Clock,
    private readonly bus: CloudEventBus,
    private readonly log: Logger,
  ) {}

  /** Publishes the device's QUEUED and IN_PROGRESS jobs, oldest first (expired ones time out first). */
  async notify(deviceId: string): Promise<void> {
    let jobs: Job[];
    try {
      jobs = this.service.jobs
        .list(deviceId, ['QUEUED', 'IN_PROGRESS'])
        .slice(0, 100)
        .flatMap((j) => this.wire(j));
    } catch (err) {
      this.log.warn({ deviceId, err: (err as Error).message }, 'pending jobs not read');
      return;
    }
    await this.publish('jobs/notify', deviceId, { jobs, at: this.clock.wallNow() });
  }

  /** jobs/{jobId}/update from the device. */
  async onUpdate(deviceId: string, jobId: string, payload: Buffer): Promise<void> {
    const now = this.clock.wallNow();
    const parsed = parsePayload(JobUpdateRequestSchema, payload);
    if (!parsed.ok) return this.reject(deviceId, jobId, { code: parsed.code === 413 ? 'InvalidRequest' : 'InvalidJson', message: parsed.message, jobId, at: now });
    const update = parsed.value;
    const token = update.clientToken === undefined ? {} : { clientToken: update.clientToken };
    const stored = this.service.jobs.get(deviceId, jobId);
    const job = stored ? this.wire(stored)[0] : undefined;
    if (!stored || !job) return this.reject(deviceId, jobId, { code: 'ResourceNotFound', message: `job ${jobId} does not exist for ${deviceId}`, jobId, at: now, ...token });
    const result = applyJobUpdate(job, update, now);
    if (!result.ok) return this.reject(deviceId, jobId, result.rejected);
    let saved: CloudJob;
    try {
      saved = this.service.jobs.update(deviceId, jobId, update.status, update.statusDetails, stored.version);
    } catch (err) {
      // a concurrent change (the cloud cancelled it, it timed out): tell the device where it stands
      const now2 = this.service.jobs.get(deviceId, jobId);
      const code: JobErrorCode = now2 && isTerminalJobStatus(now2.status) ? 'TerminalStateReached' : 'VersionMismatch';
      return this.reject(deviceId, jobId, {
        code,
        message: (err as Error).message,
        jobId,
        ...(now2 ? { executionState: { status: now2.status, expectedVersion: now2.version } } : {}),
        at: now,
        ...token,
      });
    }
    this.log.info({ deviceId, jobId, operation: saved.operation, status: saved.status }, 'job updated by device');
    this.bus.emit('job-updated', { deviceId, jobId, operation: saved.operation, status: saved.status });
    await this.publish('jobs/update/accepted', deviceId, { ...result.accepted, expectedVersion: saved.version }, jobId);
    if (isTerminalJobStatus(saved.status)) await this.notify(deviceId);
  }

  /** The protocol's view of a stored job; a job that does not fit it is logged and left out. */
  private wire(job: CloudJob): Job[] {
    const checked = JobSchema.safeParse(toWireJob(job));
    if (checked.success) return [checked.data];
    this.log.error({ deviceId: job.deviceId, jobId: job.jobId, issue: checked.error.issues[0]?.message }, 'stored job does not fit the protocol');
    return [];
  }

  private async reject(deviceId: string, jobId: string, rejected: JobUpdateRejected): Promise<void> {
    this.log.info({ deviceId, jobId, code: rejected.code, reason: rejected.message }, 'job update rejected');
    await this.publish('jobs/update/rejected', deviceId, rejected, jobId);
  }

  private async publish(kind: TopicKind, deviceId: string, body: unknown, jobId?: string): Promise<void> {
    try {
      await this.client.publishTo(kind, deviceId, JSON.stringify(body), jobId === undefined ? {} : { jobId });
    } catch (err) {
      this.log.warn({ deviceId, kind, err: (err as Error).message }, 'job message not published');
    }
  }
}

import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { PersistentState } from '../../../core/persistent-state.js';
import { isTerminalJobStatus, JobsNotifySchema, type DeviceJobStatus, type Job, type JobOperation, type JobStatus, type JobUpdateRejected } from '../../protocol/jobs.js';
import { parsePayload } from '../../protocol/parse.js';
import type { DeviceTopics } from '../../protocol/topics.js';
import { Backoff, type BackoffOptions } from '../../mqtt/backoff.js';
import type { JobExecutor } from './job-executor.js';
import { JobRequests, type JobAnswer, type JobUpdateBody } from './job-requests.js';
import { putJobRecord, type JobRecord, type JobsState } from './link-state.js';
import type { LinkTransport, MalformedMessage } from './transport.js';

/**
 * The device's end of jobs (AWS IoT Jobs, cloud-link/protocol/jobs.ts). On jobs/notify, and on every
 * CONNECTED, it walks the pending jobs oldest first, one at a time:
 *
 *   QUEUED ─► jobs/{id}/update IN_PROGRESS (expectedVersion) ─► accepted: run it ─► SUCCEEDED | FAILED
 *   with statusDetails and the expectedVersion the accepted answer gave.
 *
 * Every step is recorded on flash first (link-state.ts: starting, executing, done, reported), so:
 * - a job is never run twice: after a restart a `done` job is only reported, a `reported` one skipped;
 * - a reboot job is recorded `executing` before the device goes down, and reported SUCCEEDED by the
 *   link that comes up after the reboot (even before the cloud lists it again);
 * - a job cut short by a crash is finished sensibly: a reset (idempotent) runs again, an announcement
 *   (that must not play twice, or late) is reported FAILED `interrupted`.
 *
 * A refused update is resolved from the executionState the cloud sends back: a job already IN_PROGRESS
 * (our own earlier request, accepted but unanswered) is run with its version; a stale version is
 * retried with the current one; a job the cloud ended (CANCELED, TIMED_OUT, ...) or forgot is dropped;
 * throttling backs off on the Clock. An update nobody answers within `requestTimeoutMs` stops the pass
 * (jobs stay in order); the next notify, reconnect or a backoff retry resumes it.
 */

export interface JobEvent {
  jobId: string;
  operation: JobOperation;
  status: JobStatus;
  statusDetails?: Record<string, string>;
}

export interface JobRunnerEvents {
  /** A status change the cloud accepted (or a job the cloud ended itself). */
  job: [JobEvent];
  /** A reboot job is about to take the device down. */
  reboot: [{ jobId: string }];
  malformed: [MalformedMessage];
}

export interface JobRunnerOptions {
  transport: LinkTransport;
  topics: DeviceTopics;
  state: PersistentState<JobsState>;
  executor: JobExecutor;
  clock: Clock;
  log: Logger;
  /** Takes the device down and up again; the job is reported by whichever link runs afterwards. */
  reboot: () => Promise<void>;
  /** Default 10 s. */
  requestTimeoutMs?: number;
  backoff?: BackoffOptions;
}

type Progress = 'next' | 'stop';
const ATTEMPTS = 5;

export class JobRunner extends EventEmitter<JobRunnerEvents> {
  private latest: Job[] = [];
  private running = false;
  private again = false;
  private closed = false;
  private rebooting = false;
  private readonly requests: JobRequests;
  private readonly timers = new Set<{ handle: TimerHandle; fire: () => void }>();
  private readonly backoff: Backoff;

  constructor(private readonly options: JobRunnerOptions) {
    super();
    this.requests = new JobRequests(options.transport, options.topics, options.clock, options.log, options.requestTimeoutMs ?? 10_000);
    this.backoff = new Backoff({ baseMs: 1000, capMs: 60_000, ...options.backoff });
  }

  /** Copies of the job records on flash. */
  get records(): JobRecord[] {
    return structuredClone(this.options.state.value.jobs);
  }

  onConnected(): void {
    this.kick();
  }

  onDisconnected(): void {
    this.requests.abandon();
  }

  onNotify(payload: Buffer): void {
    const parsed = parsePayload(JobsNotifySchema, payload);
    if (!parsed.ok) return this.malformed('jobs/notify', parsed);
    this.latest = parsed.value.jobs;
    this.kick();
  }

  onUpdateAnswer(kind: 'accepted' | 'rejected', jobId: string, payload: Buffer): void {
    const parsed = this.requests.answer(kind, jobId, payload);
    if (!parsed.ok) this.malformed(kind === 'accepted' ? 'jobs/update/accepted' : 'jobs/update/rejected', parsed);
  }

  close(): void {
    this.closed = true;
    this.requests.close();
    for (const t of [...this.timers]) t.fire();
    this.options.executor.close();
  }

  private kick(): void {
    if (this.closed || this.rebooting) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          if ((await this.pass()) === 'stop' && !this.closed && this.options.transport.connected) {
            // Unanswered: try again later even if the cloud sends nothing new.
            void this.sleep(this.backoff.next()).then(() => this.kick());
          }
        } while (this.again && !this.closed && !this.rebooting);
      } catch (err) {
        this.options.log.error({ err: String(err) }, 'job pass failed');
      } finally {
        this.running = false;
      }
    })();
  }

  private async pass(): Promise<Progress> {
    if (!this.options.transport.connected) return 'next';
    const listed = new Set(this.latest.map((j) => j.jobId));
    for (const job of [...this.latest]) {
      if (this.closed || this.rebooting) return 'next';
      if ((await this.handle(job)) === 'stop') return 'stop';
    }
    // Finished here but not (or no longer) listed, e.g. the reboot job right after the reboot.
    for (const rec of this.records) {
      if (this.closed || this.rebooting) return 'next';
      if (listed.has(rec.jobId)) continue;
      const unreported = rec.phase === 'done' || (rec.phase === 'executing' && (rec.operation === 'reboot' || rec.operation === 'announce'));
      if (unreported && (await this.finishRecorded(rec)) === 'stop') return 'stop';
    }
    return 'next';
  }

  private async handle(job: Job): Promise<Progress> {
    const rec = this.record(job.jobId);
    if (rec?.phase === 'reported') return 'next';
    if (rec?.phase === 'done') return this.sendTerminal(rec);
    if (rec?.phase === 'executing' && (rec.operation === 'reboot' || rec.operation === 'announce')) return this.finishRecorded(rec);

    let version = job.expectedVersion;
    if (job.status === 'QUEUED') {
      if (!rec) await this.save({ jobId: job.jobId, operation: job.operation, phase: 'starting', expectedVersion: version, updatedAt: this.now() });
      const started = await this.start(job);
      if (typeof started !== 'number') return started;
      version = started;
    }
    const executing: JobRecord = { jobId: job.jobId, operation: job.operation, phase: 'executing', expectedVersion: version, updatedAt: this.now() };
    await this.save(executing);
    this.emit('job', { jobId: job.jobId, operation: job.operation, status: 'IN_PROGRESS' });

    if (job.operation === 'reboot') return this.reboot(executing);
    this.options.log.info({ jobId: job.jobId, operation: job.operation }, 'running job');
    const outcome = await this.options.executor.run(job);
    if (this.closed) return 'next'; // left `executing`: the next boot finishes it
    const done: JobRecord = { ...executing, phase: 'done', status: outcome.status, updatedAt: this.now(), ...(outcome.statusDetails ? { statusDetails: outcome.statusDetails } : {}) };
    await this.save(done);
    return this.sendTerminal(done);
  }

  /** QUEUED -> IN_PROGRESS. Returns the job's new version, or how the pass should go on. */
  private async start(job: Job): Promise<number | Progress> {
    let version = job.expectedVersion;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const a = await this.update(job.jobId, { status: 'IN_PROGRESS', expectedVersion: version });
      if (a.kind === 'no-answer') return 'stop';
      if (a.kind === 'accepted') return a.value.expectedVersion;
      const r = a.value;
      const es = r.executionState;
      // already started (an earlier attempt's answer was lost): carry on from where the cloud is
      if ((r.code === 'VersionMismatch' || r.code === 'InvalidStateTransition') && es?.status === 'IN_PROGRESS') return es.expectedVersion;
      const next = await this.afterRejection(job.jobId, job.operation, r, 'the cloud refused to start the job; giving up on it');
      if (next === 'next') return 'next';
      if (next !== 'retry') version = next.retryWith;
    }
    return 'stop';
  }

  /** A job recorded as executing or done, whose outcome is known without running anything. */
  private async finishRecorded(rec: JobRecord): Promise<Progress> {
    if (rec.phase === 'executing') {
      const outcome: { status: DeviceJobStatus; statusDetails: Record<string, string> } =
        rec.operation === 'reboot'
          ? { status: 'SUCCEEDED', statusDetails: { rebooted: 'true' } }
          : { status: 'FAILED', statusDetails: { reason: 'interrupted' } };
      rec = { ...rec, phase: 'done', ...outcome, updatedAt: this.now() };
      await this.save(rec);
    }
    return this.sendTerminal(rec);
  }

  private async reboot(executing: JobRecord): Promise<Progress> {
    this.rebooting = true;
    this.options.log.info({ jobId: executing.jobId }, 'rebooting for a job');
    this.emit('reboot', { jobId: executing.jobId });
    try {
      await this.options.reboot();
    } catch (err) {
      this.rebooting = false;
      const failed: JobRecord = { ...executing, phase: 'done', status: 'FAILED', statusDetails: { reason: 'reboot failed', message: String(err).slice(0, 1024) }, updatedAt: this.now() };
      await this.save(failed);
      return this.sendTerminal(failed);
    }
    if (this.closed) return 'next'; // the device went down: the link after the reboot reports it
    // The hook rebooted the device in place and this link lives on: it reports the job itself.
    this.rebooting = false;
    return this.finishRecorded(executing);
  }

  private async sendTerminal(rec: JobRecord): Promise<Progress> {
    const status = rec.status as DeviceJobStatus;
    let version = rec.expectedVersion;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const a = await this.update(rec.jobId, { status, expectedVersion: version, ...(rec.statusDetails ? { statusDetails: rec.statusDetails } : {}) });
      if (a.kind === 'no-answer') return 'stop';
      if (a.kind === 'accepted') {
        this.backoff.reset();
        await this.save({ ...rec, phase: 'reported', expectedVersion: a.value.expectedVersion, updatedAt: this.now() });
        this.emit('job', { jobId: rec.jobId, operation: rec.operation, status, ...(rec.statusDetails ? { statusDetails: rec.statusDetails } : {}) });
        return 'next';
      }
      const next = await this.afterRejection(rec.jobId, rec.operation, a.value, 'the cloud refused the job result; giving up on it');
      if (next === 'next') return 'next';
      if (next !== 'retry') version = next.retryWith;
    }
    return 'stop';
  }

  /**
   * After the cloud refused an update: the job is over for this device ('next': it ended in the cloud,
   * is unknown, or the refusal is final), or try again ('retry' after a backoff, or with the version
   * the cloud says is current).
   */
  private async afterRejection(jobId: string, operation: JobOperation, r: JobUpdateRejected, givingUp: string): Promise<'next' | 'retry' | { retryWith: number }> {
    const es = r.executionState;
    if (r.code === 'TerminalStateReached' || r.code === 'ResourceNotFound' || (es && isTerminalJobStatus(es.status))) {
      await this.drop(jobId, operation, es?.status, r.message);
      return 'next';
    }
    if (r.code === 'VersionMismatch' && es) return { retryWith: es.expectedVersion };
    if (r.code === 'RequestThrottled' || r.code === 'InternalError') {
      await this.sleep(this.backoff.next());
      return 'retry';
    }
    this.options.log.error({ jobId, code: r.code, reason: r.message }, givingUp);
    await this.drop(jobId, operation, undefined, r.message);
    return 'next';
  }

  /** The job is over as far as this device is concerned (ended by the cloud, unknown, or refused). */
  private async drop(jobId: string, operation: JobOperation, cloudStatus: JobStatus | undefined, reason: string): Promise<void> {
    const rec = this.record(jobId);
    await this.save({ jobId, operation, phase: 'reported', expectedVersion: rec?.expectedVersion ?? 1, updatedAt: this.now(), ...(rec?.status ? { status: rec.status } : {}) });
    this.options.log.info({ jobId, cloudStatus, reason }, 'job closed by the cloud');
    if (cloudStatus) this.emit('job', { jobId, operation, status: cloudStatus });
  }

  private update(jobId: string, body: JobUpdateBody): Promise<JobAnswer> {
    return this.closed ? Promise.resolve({ kind: 'no-answer' }) : this.requests.update(jobId, body);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        handle: this.options.clock.setTimeout(() => entry.fire(), ms),
        fire: () => {
          this.options.clock.clearTimeout(entry.handle);
          this.timers.delete(entry);
          resolve();
        },
      };
      this.timers.add(entry);
    });
  }

  private record(jobId: string): JobRecord | undefined {
    const rec = this.options.state.value.jobs.find((j) => j.jobId === jobId);
    return rec ? structuredClone(rec) : undefined;
  }

  private save(rec: JobRecord): Promise<void> {
    return this.options.state.update((draft) => putJobRecord(draft, rec));
  }

  private now(): number {
    return Math.round(this.options.clock.wallNow());
  }

  private malformed(kind: string, result: { code: 400 | 413; message: string }): void {
    this.options.log.warn({ kind, code: result.code, reason: result.message }, 'dropped a malformed message');
    this.emit('malformed', { kind, code: result.code, message: result.message });
  }
}

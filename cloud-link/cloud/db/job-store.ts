import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { JOB_STATUSES, type JobOperation, type JobStatus } from '../../protocol/jobs.js';
import { A4bError } from '../a4b/errors.js';

// One-off commands to a device (docs/device-shadow.md#jobs, AWS IoT Jobs): reset by feature, delete recordings,
// reboot, announce, a local command. Their operations and statuses are the contract's (cloud-link/protocol/jobs.ts).

/** Where a job may go from each status; terminal statuses go nowhere. IN_PROGRESS -> IN_PROGRESS reports progress. */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  QUEUED: ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED'],
  IN_PROGRESS: ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED'],
  SUCCEEDED: [],
  FAILED: [],
  REJECTED: [],
  TIMED_OUT: [],
  CANCELED: [],
};

export function isTerminalJobStatus(status: JobStatus): boolean {
  return JOB_TRANSITIONS[status].length === 0;
}

export interface CloudJob {
  jobId: string;
  deviceId: string;
  operation: JobOperation;
  /** Per operation: reset `{ Features }`, announce `{ Text | Ssml, TtlSeconds }`, delete-recordings `{ DeviceUsageType }`. */
  parameters: Record<string, unknown>;
  status: JobStatus;
  /** Free-form progress or failure details: at most 10 entries, string values (as on the wire). */
  statusDetails?: Record<string, string>;
  /** Grows by one on every update; an update may name the version it expects. */
  version: number;
  /** What created it (e.g. an announcement ARN). */
  source?: string;
  /** Wall-clock ms. */
  queuedAt: number;
  updatedAt: number;
  /** A QUEUED job not started by then becomes TIMED_OUT (announcements have a time to live). */
  expiresAt?: number;
}

export interface NewJob {
  operation: JobOperation;
  parameters: Record<string, unknown>;
  source?: string;
  expiresAt?: number;
}

interface JobRow {
  id: string;
  device_id: string;
  operation: JobOperation;
  parameters: string;
  status: JobStatus;
  status_details: string | null;
  version: number;
  source: string | null;
  queued_at: number;
  updated_at: number;
  expires_at: number | null;
}

const DETAIL_KEY = /^[A-Za-z0-9:_-]{1,128}$/;
const MAX_DETAILS = 10;
const MAX_DETAIL_LENGTH = 1024;

/** statusDetails as the protocol carries them (cloud-link/protocol/jobs.ts): a small string map. */
function checkDetails(details: unknown): Record<string, string> {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new A4bError('ValidationException', 'job status details must be a JSON object');
  }
  const entries = Object.entries(details as Record<string, unknown>);
  if (entries.length > MAX_DETAILS) throw new A4bError('ValidationException', `job status details hold at most ${MAX_DETAILS} entries`);
  for (const [key, value] of entries) {
    if (!DETAIL_KEY.test(key)) throw new A4bError('ValidationException', `job status detail key "${key.slice(0, 40)}" must match ${DETAIL_KEY.source}`);
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_DETAIL_LENGTH) {
      throw new A4bError('ValidationException', `job status detail ${key} must be a string of 1-${MAX_DETAIL_LENGTH} characters`);
    }
  }
  return details as Record<string, string>;
}

/**
 * A job as the protocol's Job message carries it to the device (jobs/notify): no device id, source
 * or expiry, and `expectedVersion` = the version an update from the device must name.
 */
export function toWireJob(job: CloudJob): Record<string, unknown> {
  return {
    jobId: job.jobId,
    operation: job.operation,
    parameters: job.parameters,
    status: job.status,
    ...(job.statusDetails ? { statusDetails: job.statusDetails } : {}),
    queuedAt: job.queuedAt,
    updatedAt: job.updatedAt,
    expectedVersion: job.version,
  };
}

function toJob(row: JobRow): CloudJob {
  return {
    jobId: row.id,
    deviceId: row.device_id,
    operation: row.operation,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    status: row.status,
    ...(row.status_details === null ? {} : { statusDetails: JSON.parse(row.status_details) as Record<string, string> }),
    version: row.version,
    ...(row.source === null ? {} : { source: row.source }),
    queuedAt: row.queued_at,
    updatedAt: row.updated_at,
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
  };
}

/** The jobs table: creation by the API, progress reported by devices over MQTT. */
export class JobStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** Queues a job for a device (the caller checks the device may receive it). */
  create(deviceId: string, job: NewJob): CloudJob {
    const at = this.now();
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO jobs (id, device_id, operation, parameters, status, version, source, queued_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, 'QUEUED', 1, ?, ?, ?, ?)`,
      )
      .run(id, deviceId, job.operation, JSON.stringify(job.parameters), job.source ?? null, at, at, job.expiresAt ?? null);
    return this.require(deviceId, id);
  }

  get(deviceId: string, jobId: string): CloudJob | undefined {
    this.expire(deviceId);
    const row = this.db.prepare('SELECT * FROM jobs WHERE device_id = ? AND id = ?').get(deviceId, jobId) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  /**
   * A device's jobs in the order they were queued, optionally only those with the given status(es).
   * Queued jobs past their expiry are marked TIMED_OUT first, so a stale announcement is never sent.
   */
  list(deviceId: string, status?: JobStatus | readonly JobStatus[]): CloudJob[] {
    this.expire(deviceId);
    const wanted = status === undefined ? undefined : typeof status === 'string' ? [status] : [...status];
    if (wanted && wanted.length === 0) return [];
    const where = wanted ? ` AND status IN (${wanted.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE device_id = ?${where} ORDER BY queued_at, rowid`)
      .all(deviceId, ...(wanted ?? [])) as JobRow[];
    return rows.map(toJob);
  }

  /**
   * Moves a job to `status` (with optional details, e.g. `{ reason }`). Fails with NotFoundException
   * for an unknown job, ValidationException for a move the job lifecycle does not allow (a finished
   * job stays finished), ConcurrentModificationException when `expectedVersion` is stale.
   */
  update(deviceId: string, jobId: string, status: JobStatus, details?: Record<string, string>, expectedVersion?: number): CloudJob {
    if (!(JOB_STATUSES as readonly string[]).includes(status)) {
      throw new A4bError('ValidationException', `job status must be one of ${JOB_STATUSES.join(', ')}`);
    }
    const detailsJson = details === undefined ? null : JSON.stringify(checkDetails(details));
    const tx = this.db.transaction((): CloudJob => {
      const job = this.get(deviceId, jobId);
      if (!job) throw new A4bError('NotFoundException', `job ${jobId} of device ${deviceId} does not exist`);
      if (expectedVersion !== undefined && expectedVersion !== job.version) {
        throw new A4bError('ConcurrentModificationException', `job ${jobId} is at version ${job.version}, not ${expectedVersion}`);
      }
      if (!JOB_TRANSITIONS[job.status].includes(status)) {
        throw new A4bError('ValidationException', `job ${jobId} is ${job.status} and cannot become ${status}`);
      }
      this.db
        .prepare(
          `UPDATE jobs SET status = ?, status_details = coalesce(?, status_details), version = version + 1, updated_at = ?
           WHERE id = ?`,
        )
        .run(status, detailsJson, this.now(), jobId);
      return this.require(deviceId, jobId);
    });
    return tx.immediate();
  }

  /** Cancels every unfinished job of a device (it was deregistered). Returns how many. */
  cancelUnfinished(deviceId: string, reason: string): number {
    return this.db
      .prepare(
        `UPDATE jobs SET status = 'CANCELED', status_details = ?, version = version + 1, updated_at = ?
         WHERE device_id = ? AND status IN ('QUEUED', 'IN_PROGRESS')`,
      )
      .run(JSON.stringify({ reason }), this.now(), deviceId).changes;
  }

  private expire(deviceId: string): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = 'TIMED_OUT', status_details = '{"reason":"expired before delivery"}', version = version + 1, updated_at = ?
         WHERE device_id = ? AND status = 'QUEUED' AND expires_at IS NOT NULL AND expires_at <= ?`,
      )
      .run(this.now(), deviceId, this.now());
  }

  private require(deviceId: string, jobId: string): CloudJob {
    const row = this.db.prepare('SELECT * FROM jobs WHERE device_id = ? AND id = ?').get(deviceId, jobId) as JobRow | undefined;
    if (!row) throw new A4bError('NotFoundException', `job ${jobId} of device ${deviceId} does not exist`);
    return toJob(row);
  }
}

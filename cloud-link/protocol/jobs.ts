import { z } from 'zod';
import { LocalCommandSchema } from './local-command.js';
import { CLOUD_SYNC_FEATURES, LOCAL_RESET_FEATURES } from './reset-features.js';

/**
 * One-off commands to a device as jobs (AWS IoT Jobs, docs/device-shadow.md#jobs): the cloud queues a job, lists a
 * device's pending jobs on jobs/notify, and the device moves each one on with jobs/{jobId}/update,
 * naming the `expectedVersion` it saw so two updates cannot silently overwrite each other.
 *
 *   QUEUED ──► IN_PROGRESS ──► SUCCEEDED | FAILED | REJECTED      (the device)
 *      └──────────────────────► SUCCEEDED | FAILED | REJECTED      (the device, without a progress step)
 *   QUEUED | IN_PROGRESS ─────► TIMED_OUT | CANCELED               (the cloud)
 *
 * IN_PROGRESS may be repeated to update statusDetails. Terminal states never change again.
 */

export const JOB_OPERATIONS = ['reset', 'delete-recordings', 'reboot', 'announce', 'local-command'] as const;
export type JobOperation = (typeof JOB_OPERATIONS)[number];

export const JOB_STATUSES = ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED'];
/** What a device may set; TIMED_OUT and CANCELED are the cloud's. */
export const DEVICE_JOB_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'] as const;
export type DeviceJobStatus = (typeof DEVICE_JOB_STATUSES)[number];
const CLOUD_JOB_STATUSES: readonly JobStatus[] = ['TIMED_OUT', 'CANCELED'];

export function isTerminalJobStatus(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** May `by` move a job from `from` to `to`? */
export function canTransition(from: JobStatus, to: JobStatus, by: 'device' | 'cloud' = 'device'): boolean {
  if (isTerminalJobStatus(from) || to === 'QUEUED') return false;
  if (by === 'cloud') return CLOUD_JOB_STATUSES.includes(to);
  return (DEVICE_JOB_STATUSES as readonly JobStatus[]).includes(to);
}

/** StartDeviceSync's feature names (docs/alexa-for-business.md#startdevicesync). */
export const SYNC_FEATURES = [...LOCAL_RESET_FEATURES, 'ALL', ...CLOUD_SYNC_FEATURES] as const;

export const ResetParametersSchema = z.strictObject({ Features: z.array(z.enum(SYNC_FEATURES)).min(1).max(SYNC_FEATURES.length) });
export const DeleteRecordingsParametersSchema = z.strictObject({ DeviceUsageType: z.literal('VOICE') });
export const RebootParametersSchema = z.strictObject({});
export const AnnounceParametersSchema = z
  .strictObject({
    Text: z.string().min(1).max(4096).optional(),
    Ssml: z.string().min(1).max(4096).optional(),
    Locale: z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/).optional(),
    /** A4B SendAnnouncement TimeToLiveInSeconds: an announcement older than this is not played. */
    TtlSeconds: z.int().min(1).max(3600),
  })
  .refine((p) => (p.Text === undefined) !== (p.Ssml === undefined), 'an announcement has exactly one of Text or Ssml')
  .meta({ oneOf: [{ required: ['Text'] }, { required: ['Ssml'] }] });

const StatusDetailsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9:_-]{1,128}$/), z.string().min(1).max(1024))
  .refine((d) => Object.keys(d).length <= 10, 'at most 10 statusDetails entries')
  .meta({ description: 'Free-form progress or failure details, e.g. { "cleared": "LISTS,VOLUME" } (at most 10).' });

const JobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const EpochMs = z.int().min(0).meta({ description: 'Epoch milliseconds.' });
const JobVersion = z.int().min(1).meta({ description: 'Increments with every status change; updates must name the current one.' });

function jobVariant<Op extends JobOperation, P extends z.ZodType>(operation: Op, parameters: P) {
  return z.strictObject({
    jobId: JobIdSchema,
    operation: z.literal(operation),
    parameters,
    status: z.enum(JOB_STATUSES),
    statusDetails: StatusDetailsSchema.optional(),
    queuedAt: EpochMs,
    updatedAt: EpochMs,
    expectedVersion: JobVersion,
  });
}

export const JobSchema = z
  .discriminatedUnion('operation', [
    jobVariant('reset', ResetParametersSchema),
    jobVariant('delete-recordings', DeleteRecordingsParametersSchema),
    jobVariant('reboot', RebootParametersSchema),
    jobVariant('announce', AnnounceParametersSchema),
    jobVariant('local-command', LocalCommandSchema),
  ])
  .meta({ title: 'Job' });
export type Job = z.infer<typeof JobSchema>;

export const JobsNotifySchema = z
  .strictObject({
    jobs: z
      .array(JobSchema)
      .max(100)
      .refine((jobs) => jobs.every((j) => !isTerminalJobStatus(j.status)), 'jobs/notify lists only QUEUED and IN_PROGRESS jobs'),
    at: EpochMs,
  })
  .meta({ title: 'JobsNotify', description: 'The device\'s pending jobs, oldest first, with their parameters.' });

export const JobUpdateRequestSchema = z
  .strictObject({
    status: z.enum(DEVICE_JOB_STATUSES),
    statusDetails: StatusDetailsSchema.optional(),
    expectedVersion: JobVersion,
    clientToken: z.string().min(1).max(64).optional(),
  })
  .meta({ title: 'JobUpdateRequest' });
export type JobUpdateRequest = z.infer<typeof JobUpdateRequestSchema>;

export const JobUpdateAcceptedSchema = z
  .strictObject({
    jobId: JobIdSchema,
    status: z.enum(JOB_STATUSES),
    statusDetails: StatusDetailsSchema.optional(),
    expectedVersion: JobVersion,
    at: EpochMs,
    clientToken: z.string().min(1).max(64).optional(),
  })
  .meta({ title: 'JobUpdateAccepted' });
export type JobUpdateAccepted = z.infer<typeof JobUpdateAcceptedSchema>;

/** AWS IoT Jobs' error codes. */
export const JOB_ERROR_CODES = [
  'InvalidTopic',
  'InvalidJson',
  'InvalidRequest',
  'InvalidStateTransition',
  'ResourceNotFound',
  'VersionMismatch',
  'InternalError',
  'RequestThrottled',
  'TerminalStateReached',
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];

export const JobUpdateRejectedSchema = z
  .strictObject({
    code: z.enum(JOB_ERROR_CODES),
    message: z.string(),
    jobId: JobIdSchema.optional(),
    /** The job's current state, so the device can retry with the right expectedVersion. */
    executionState: z.strictObject({ status: z.enum(JOB_STATUSES), expectedVersion: JobVersion }).optional(),
    at: EpochMs,
    clientToken: z.string().min(1).max(64).optional(),
  })
  .meta({ title: 'JobUpdateRejected' });
export type JobUpdateRejected = z.infer<typeof JobUpdateRejectedSchema>;

/**
 * Applies a device's status update to a job (pure; the cloud persists the result): the version must
 * match, terminal jobs stay as they are, and only the transitions above are allowed.
 */
export function applyJobUpdate(
  job: Job,
  update: JobUpdateRequest,
  now: number,
): { ok: true; job: Job; accepted: JobUpdateAccepted } | { ok: false; rejected: JobUpdateRejected } {
  const token = update.clientToken === undefined ? {} : { clientToken: update.clientToken };
  const reject = (code: JobErrorCode, message: string) => ({
    ok: false as const,
    rejected: { code, message, jobId: job.jobId, executionState: { status: job.status, expectedVersion: job.expectedVersion }, at: now, ...token },
  });
  if (isTerminalJobStatus(job.status)) return reject('TerminalStateReached', `job ${job.jobId} is already ${job.status}`);
  if (update.expectedVersion !== job.expectedVersion) {
    return reject('VersionMismatch', `job ${job.jobId} is at version ${job.expectedVersion}, the update expected ${update.expectedVersion}`);
  }
  if (!canTransition(job.status, update.status, 'device')) {
    return reject('InvalidStateTransition', `job ${job.jobId} cannot go from ${job.status} to ${update.status}`);
  }
  const next: Job = {
    ...job,
    status: update.status,
    ...(update.statusDetails === undefined ? {} : { statusDetails: update.statusDetails }),
    updatedAt: now,
    expectedVersion: job.expectedVersion + 1,
  };
  const accepted: JobUpdateAccepted = {
    jobId: job.jobId,
    status: next.status,
    ...(next.statusDetails === undefined ? {} : { statusDetails: next.statusDetails }),
    expectedVersion: next.expectedVersion,
    at: now,
    ...token,
  };
  return { ok: true, job: next, accepted };
}

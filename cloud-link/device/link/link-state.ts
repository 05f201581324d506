import path from 'node:path';
import { z } from 'zod';
import { PersistentState } from '../../../core/persistent-state.js';
import { DEVICE_JOB_STATUSES, JOB_OPERATIONS } from '../../protocol/jobs.js';
import { SettingsStore, type LoadReport } from '../../../core/settings-store.js';
import { DeviceKeyStateSchema, type DeviceKeyState } from './device-key.js';

/**
 * What the cloud link keeps on the device's flash, in `<dataDir>/cloud-link/` (mode 0700, files
 * 0600), through firmware's crash-safe PersistentState (a change is on flash when its promise
 * resolves; a failed write changes nothing):
 *
 * - `profile`: the last desired state the device applied, passwords included, with its version and
 *   when it was applied. At boot the link re-applies it before it ever reaches the cloud, so a device
 *   whose broker is down still runs its room's volume limit, time zone and network.
 * - `jobs`: where each job the device has touched stands, so a restart never runs a job twice and a
 *   reboot job is reported SUCCEEDED after the reboot.
 * - `device-key`: the device's X25519 key pair, to which the cloud seals the passwords it sends
 *   (device-key.ts).
 *
 * The stored desired state is kept as plain JSON and validated with the protocol's schema when it is
 * used, not when the file is read: a time zone a future ICU drops must not make the whole store
 * unreadable (it would be reported as corrupt and the profile lost); the link refuses to re-apply it
 * and says why instead.
 */

export const LINK_STATE_DIR = 'cloud-link';

export const AppliedProfileRecordSchema = z.object({
  desired: z.record(z.string(), z.unknown()),
  version: z.int().min(0),
  /** Epoch ms. */
  at: z.int().min(0),
});

export const ProfileStateSchema = z.object({ applied: AppliedProfileRecordSchema.nullable() });
export type ProfileState = z.infer<typeof ProfileStateSchema>;

/**
 * A job's progress on this device:
 * - `starting`: IN_PROGRESS was requested, nothing executed yet;
 * - `executing`: IN_PROGRESS was accepted (or the job already was); the operation runs (for a reboot:
 *   the device went down to reboot);
 * - `done`: executed; `status`/`statusDetails` wait to be reported;
 * - `reported`: the cloud has the final status (or the job ended on the cloud's side). Never run again.
 */
export const JOB_PHASES = ['starting', 'executing', 'done', 'reported'] as const;

export const JobRecordSchema = z.object({
  jobId: z.string().min(1).max(64),
  operation: z.enum(JOB_OPERATIONS),
  phase: z.enum(JOB_PHASES),
  /** The job version the next update must name. */
  expectedVersion: z.int().min(1),
  status: z.enum(DEVICE_JOB_STATUSES).optional(),
  statusDetails: z.record(z.string(), z.string()).optional(),
  /** Epoch ms of the last phase change. */
  updatedAt: z.int().min(0),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** Records kept: enough to recognise every job the cloud can still list (it lists at most 100). */
export const MAX_JOB_RECORDS = 200;

export const JobsStateSchema = z.object({ jobs: z.array(JobRecordSchema).max(MAX_JOB_RECORDS) });
export type JobsState = z.infer<typeof JobsStateSchema>;

export interface LinkState {
  /** The private directory holding the stores. */
  readonly dir: string;
  readonly profile: PersistentState<ProfileState>;
  readonly jobs: PersistentState<JobsState>;
  readonly key: PersistentState<DeviceKeyState>;
  /** Slots that could not be read (torn, tampered), for a warning, with what was used instead. */
  readonly corrupt: Array<{ store: string; slot: 'a' | 'b'; reason: string; using: LoadReport<unknown>['source'] }>;
}

/** Opens (or creates) the link's stores in the device's data directory. */
export function openLinkState(dataDir: string): LinkState {
  const dir = path.join(dataDir, LINK_STATE_DIR);
  const profile = new PersistentState(new SettingsStore(dir, 'profile', ProfileStateSchema, () => ({ applied: null })));
  const jobs = new PersistentState(new SettingsStore(dir, 'jobs', JobsStateSchema, () => ({ jobs: [] })));
  const key = new PersistentState(new SettingsStore(dir, 'device-key', DeviceKeyStateSchema, () => ({ key: null })));
  const corrupt = [
    ...profile.loadReport.corrupt.map((c) => ({ store: 'profile', ...c, using: profile.loadReport.source })),
    ...jobs.loadReport.corrupt.map((c) => ({ store: 'jobs', ...c, using: jobs.loadReport.source })),
    ...key.loadReport.corrupt.map((c) => ({ store: 'device-key', ...c, using: key.loadReport.source })),
  ];
  return { dir, profile, jobs, key, corrupt };
}

/**
 * Upserts a job record, keeping at most MAX_JOB_RECORDS: finished (`reported`) records are dropped
 * oldest first; unfinished ones are never dropped while finished ones remain.
 */
export function putJobRecord(draft: JobsState, record: JobRecord): void {
  const i = draft.jobs.findIndex((j) => j.jobId === record.jobId);
  if (i >= 0) draft.jobs.splice(i, 1);
  draft.jobs.push(record);
  while (draft.jobs.length > MAX_JOB_RECORDS) {
    const finished = draft.jobs.findIndex((j) => j.phase === 'reported');
    draft.jobs.splice(finished >= 0 ? finished : 0, 1);
  }
}

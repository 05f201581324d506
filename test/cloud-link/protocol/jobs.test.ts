import {
  JOB_STATUSES,
  JobSchema,
  JobsNotifySchema,
  JobUpdateRejectedSchema,
  JobUpdateAcceptedSchema,
  JobUpdateRequestSchema,
  applyJobUpdate,
  canTransition,
  type Job,
  type JobStatus,
} from '../../../cloud-link/protocol/jobs.js';
import { validate } from '../../../cloud-link/protocol/parse.js';

const T0 = 1_714_564_800_000;
const reset: Job = {
  jobId: 'reset-1',
  operation: 'reset',
  parameters: { Features: ['LISTS', 'VOLUME'] },
  status: 'QUEUED',
  queuedAt: T0,
  updatedAt: T0,
  expectedVersion: 1,
};

describe('job documents', () => {
  test('one valid job per operation', () => {
    const jobs: unknown[] = [
      reset,
      { ...reset, jobId: 'rec', operation: 'delete-recordings', parameters: { DeviceUsageType: 'VOICE' } },
      { ...reset, jobId: 'boot', operation: 'reboot', parameters: {} },
      { ...reset, jobId: 'ann', operation: 'announce', parameters: { Text: 'Fire drill at noon', TtlSeconds: 600 } },
      { ...reset, jobId: 'ann2', operation: 'announce', parameters: { Ssml: '<speak>Hi</speak>', TtlSeconds: 1, Locale: 'en-US' } },
    ];
    for (const job of jobs) expect(validate(JobSchema, job)).toEqual({ ok: true, value: job });
  });

  test('parameters are checked per operation', () => {
    const bad = (job: unknown) => {
      const r = validate(JobSchema, job);
      if (r.ok) throw new Error('expected an error');
      return r.message;
    };
    expect(bad({ ...reset, parameters: { Features: ['LISTS', 'PHOTOS'] } })).toMatch(/^parameters\.Features\[1\]: /);
    expect(bad({ ...reset, parameters: { Features: [] } })).toMatch(/^parameters\.Features: /);
    expect(bad({ ...reset, operation: 'reboot' })).toMatch(/Unrecognized key: "Features"/);
    expect(bad({ ...reset, operation: 'announce', parameters: { Text: 'a', Ssml: '<speak/>', TtlSeconds: 5 } })).toMatch(/exactly one of Text or Ssml/);
    expect(bad({ ...reset, operation: 'announce', parameters: { TtlSeconds: 5 } })).toMatch(/exactly one of Text or Ssml/);
    expect(bad({ ...reset, operation: 'announce', parameters: { Text: 'a', TtlSeconds: 3601 } })).toMatch(/^parameters\.TtlSeconds: /);
    expect(bad({ ...reset, operation: 'format-disk' })).toMatch(/operation/);
    expect(bad({ ...reset, jobId: 'a/b' })).toMatch(/^jobId: /);
    expect(bad({ ...reset, expectedVersion: 0 })).toMatch(/^expectedVersion: /);
  });

  test('every StartDeviceSync feature name is a valid reset feature', () => {
    for (const f of ['BLUETOOTH', 'VOLUME', 'NOTIFICATIONS', 'LISTS', 'SKILLS', 'NETWORK_PROFILE', 'SETTINGS', 'ALL']) {
      expect(validate(JobSchema, { ...reset, parameters: { Features: [f] } }).ok).toBe(true);
    }
  });

  test('jobs/notify lists only pending jobs', () => {
    expect(validate(JobsNotifySchema, { jobs: [reset, { ...reset, jobId: 'r2', status: 'IN_PROGRESS' }], at: T0 }).ok).toBe(true);
    expect(validate(JobsNotifySchema, { jobs: [{ ...reset, status: 'SUCCEEDED' }], at: T0 })).toMatchObject({ ok: false, message: expect.stringContaining('only QUEUED and IN_PROGRESS') });
  });

  test('a device may only ask for the statuses it owns', () => {
    expect(validate(JobUpdateRequestSchema, { status: 'SUCCEEDED', expectedVersion: 2 }).ok).toBe(true);
    expect(validate(JobUpdateRequestSchema, { status: 'CANCELED', expectedVersion: 2 }).ok).toBe(false);
    expect(validate(JobUpdateRequestSchema, { status: 'QUEUED', expectedVersion: 2 }).ok).toBe(false);
  });
});

describe('status transitions', () => {
  test('the full matrix', () => {
    const device: Array<[JobStatus, JobStatus]> = [];
    const cloud: Array<[JobStatus, JobStatus]> = [];
    for (const from of JOB_STATUSES) {
      for (const to of JOB_STATUSES) {
        if (canTransition(from, to, 'device')) device.push([from, to]);
        if (canTransition(from, to, 'cloud')) cloud.push([from, to]);
      }
    }
    const pending: JobStatus[] = ['QUEUED', 'IN_PROGRESS'];
    expect(device).toEqual(pending.flatMap((from) => (['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'] as JobStatus[]).map((to) => [from, to])));
    expect(cloud).toEqual(pending.flatMap((from) => (['TIMED_OUT', 'CANCELED'] as JobStatus[]).map((to) => [from, to])));
    expect(canTransition('IN_PROGRESS', 'SUCCEEDED')).toBe(true); // device is the default actor
  });

  test('applyJobUpdate: version-checked, terminal stays terminal, each step bumps the version', () => {
    const step1 = applyJobUpdate(reset, { status: 'IN_PROGRESS', expectedVersion: 1, statusDetails: { step: 'clearing' } }, T0 + 10);
    if (!step1.ok) throw new Error(step1.rejected.message);
    expect(step1.job).toEqual({ ...reset, status: 'IN_PROGRESS', statusDetails: { step: 'clearing' }, updatedAt: T0 + 10, expectedVersion: 2 });
    expect(step1.accepted).toEqual({ jobId: 'reset-1', status: 'IN_PROGRESS', statusDetails: { step: 'clearing' }, expectedVersion: 2, at: T0 + 10 });
    expect(JobUpdateAcceptedSchema.safeParse(step1.accepted).success).toBe(true);

    const stale = applyJobUpdate(step1.job, { status: 'SUCCEEDED', expectedVersion: 1, clientToken: 'c' }, T0 + 20);
    expect(stale).toEqual({
      ok: false,
      rejected: {
        code: 'VersionMismatch',
        message: 'job reset-1 is at version 2, the update expected 1',
        jobId: 'reset-1',
        executionState: { status: 'IN_PROGRESS', expectedVersion: 2 },
        at: T0 + 20,
        clientToken: 'c',
      },
    });
    if (!stale.ok) expect(JobUpdateRejectedSchema.safeParse(stale.rejected).success).toBe(true);

    const done = applyJobUpdate(step1.job, { status: 'SUCCEEDED', expectedVersion: 2, statusDetails: { cleared: 'LISTS,VOLUME' } }, T0 + 30);
    if (!done.ok) throw new Error(done.rejected.message);
    expect(done.job).toMatchObject({ status: 'SUCCEEDED', expectedVersion: 3, statusDetails: { cleared: 'LISTS,VOLUME' } });
    const again = applyJobUpdate(done.job, { status: 'FAILED', expectedVersion: 3 }, T0 + 40);
    expect(again).toMatchObject({ ok: false, rejected: { code: 'TerminalStateReached' } });
  });
});

import type { z } from 'zod';
import { JobSchema } from '../../protocol/jobs.js';
import { NetworkProfileSchema } from '../../protocol/network-profile.js';
import { toWireJob, type CloudJob } from '../db/job-store.js';
import { RoomProfileSchema } from '../../protocol/room-profile.js';
import { A4bError } from './errors.js';
import { formatPath } from './validation.js';

/**
 * The last check before a profile is stored: the body a device will receive must pass the device's
 * own schema (cloud-link/protocol), so nothing the API accepts is later refused by every device it
 * is sent to. The API's schemas carry the A4B rules with friendlier messages; this guards against
 * the two drifting apart. Messages name fields and rules, never password values.
 */
function check(schema: z.ZodType, field: string, body: unknown): void {
  const parsed = schema.safeParse(body);
  if (parsed.success) return;
  const issues = parsed.error.issues.slice(0, 10).map((i) => `${formatPath([field, ...i.path])}: ${i.message}`);
  const n = parsed.error.issues.length;
  throw new A4bError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected (device schema): ${issues.join('; ')}`);
}

export function assertDeviceAcceptsRoomProfile(body: unknown, field = 'RoomProfile'): void {
  check(RoomProfileSchema, field, body);
}

/**
 * A room profile's WakeWord must be one a wake-word model that ships with echosim covers
 * (`wakeWords`, models/wakeword/registry.ts): a profile no device can run is refused here rather
 * than left PENDING on every device it reaches.
 */
export function assertWakeWordCovered(wakeWord: string, wakeWords: ReadonlySet<string>, field = 'RoomProfile'): void {
  if (wakeWords.has(wakeWord)) return;
  const covered = [...wakeWords].sort().join(', ') || 'none';
  throw new A4bError(
    'ValidationException',
    `1 validation error detected: ${field ? `${field}.` : ''}WakeWord: ${wakeWord} is not available: no wake-word model that ships with echosim covers it (available: ${covered})`,
  );
}

export function assertDeviceAcceptsNetworkProfile(body: unknown, field = 'NetworkProfile'): void {
  check(NetworkProfileSchema, field, body);
}

/** A job must be one the device can parse (its parameters per operation) before it is queued. */
export function assertDeviceAcceptsJob(job: CloudJob): void {
  check(JobSchema, 'job', toWireJob(job));
}

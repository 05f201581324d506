import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import type { BookingStore } from '../db/booking-store.js';
import type { JobStore, CloudJob } from '../db/job-store.js';
import type { RecordingMetaStore } from '../db/recording-meta-store.js';
import type { ShadowStore } from '../db/shadow-store.js';
import type { SecretBox } from '../secrets.js';

/**
 * What the MQTT side learns from the service. Events are emitted after the operation's transaction
 * has committed, so a listener that reads the database sees the change.
 */
export interface A4bServiceEvents {
  /** The device's desired state (room profile, network profile, skills) changed, or must be sent again: publish it. */
  'desired-changed': [{ deviceId: string }];
  /** A job was queued for the device: notify it. */
  'job-created': [{ deviceId: string; job: CloudJob }];
  /** These recordings' metadata is gone: delete their files (and tell the device, for usage-data deletion). */
  'recordings-deleted': [{ deviceId: string; ids: string[] }];
  /** A device was registered (or re-registered with a new secret): refresh broker credentials. */
  'device-registered': [{ deviceId: string }];
  /** A device was deregistered: drop its broker credentials and disconnect it. */
  'device-deregistered': [{ deviceId: string }];
  /** A room's calendar changed (a booking made or deleted): the check-in release timer looks again. */
  'bookings-changed': [{ roomId: string }];
}

export type A4bEventName = keyof A4bServiceEvents;

/** Everything an operation handler may use. One context per call; `emit` queues until commit. */
export interface OpContext {
  readonly db: Database;
  readonly box: SecretBox;
  /** Wall-clock ms (from the injected Clock). */
  readonly now: () => number;
  /** Device model ids RegisterDevice accepts as DeviceType. */
  readonly deviceTypes: ReadonlySet<string>;
  /** Room-profile WakeWords a shipped wake-word model covers: what a profile may select. */
  readonly wakeWords: ReadonlySet<string>;
  readonly jobs: JobStore;
  readonly shadows: ShadowStore;
  readonly recordings: RecordingMetaStore;
  readonly bookings: BookingStore;
  /** The hashes stored for a new device secret (keyed hash, and the external broker's format if configured). */
  hashDeviceSecret(deviceId: string, secret: string): { hash: string; brokerHash?: string };
  emit<K extends A4bEventName>(name: K, ...args: A4bServiceEvents[K]): void;
  /**
   * Marks these devices' desired state as changed: profileVersion + 1, sync PENDING, one
   * desired-changed event each. With `resendOnly`, only the event (the same state must go again).
   */
  desiredChanged(deviceIds: Iterable<string>, options?: { resendOnly?: boolean }): void;
}

export interface Operation<S extends z.ZodType = z.ZodType> {
  readonly input: S;
  /** Reads only: runs in a deferred transaction. */
  readonly readOnly: boolean;
  run(ctx: OpContext, input: z.output<S>): unknown;
}

/** Declares an operation: its input schema and handler (the handler sees the parsed input's type). */
export function operation<S extends z.ZodType>(
  input: S,
  run: (ctx: OpContext, input: z.output<S>) => unknown,
  options: { readOnly?: boolean } = {},
): Operation<S> {
  return { input, run, readOnly: options.readOnly ?? false };
}

/** Epoch seconds, as AWS JSON APIs give timestamps. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

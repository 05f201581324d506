import { randomUUID } from 'node:crypto';
import { open, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Clock, TimerHandle } from '../../../core/clock.js';
import { EchosimError } from '../../../core/errors.js';
import { rootLogger, type Logger } from '../../../core/log.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { isValidDeviceId } from '../../protocol/topics.js';
import { MAX_UTTERANCE_SAMPLES } from '../verification/utterance-assembler.js';
import { listDir, removeFile, writeFileAtomically } from '../../../core/atomic-files.js';
import { META_READ_BYTES, decodeRecordingMeta, encodeRecording, type RecordingFileMeta } from './recording-file.js';
import { expiresAt, isExpired, isRetentionPolicy, savesRecordings, type RetentionPolicy } from './retention.js';

/**
 * A kept recording as anything outside this store sees it: metadata only. Structurally a superset of
 * the database's RecordingMeta (cloud-link/cloud/db/recording-meta-store.ts), so it can be passed on.
 */
export interface RecordingMeta {
  readonly id: string;
  readonly deviceId: string;
  readonly roomArn?: string;
  /** Wall-clock ms when it was made. */
  readonly createdAt: number;
  /** Size of the file on disk. */
  readonly bytes: number;
  readonly durationMs: number;
  /** Whether cloud verification confirmed the wake word (only confirmed utterances are kept). */
  readonly confirmed: boolean;
  /** The policy it was kept under. */
  readonly policy: RetentionPolicy;
  /** Wall-clock ms when a sweep deletes it under that policy; absent for KEEP. */
  readonly expiresAt?: number;
}

export interface AddRecordingInput {
  readonly deviceId: string;
  readonly roomArn?: string;
  /** 16 kHz mono int16: the utterance as received (pre-roll included). */
  readonly audio: Int16Array;
  /** Cloud verification's verdict; an unconfirmed utterance (a false wake) is never kept. */
  readonly confirmed: boolean;
  /** The room profile's DataRetention. */
  readonly policy: RetentionPolicy;
  /** The room profile's DataRetentionOptIn; false means nothing is written whatever the policy. */
  readonly dataRetentionOptIn?: boolean;
}

export interface RecordingStoreOptions {
  /** The cloud's data directory; recordings live in `<dir>/recordings/<deviceId>/<id>.wav`. */
  readonly dir: string;
  readonly clock: Clock;
  readonly log?: Logger;
}

/** The room's current policy for a device, when the caller knows it (it overrides the stored one). */
export type CurrentPolicy = (deviceId: string) => RetentionPolicy | undefined;

export interface SweepSchedule {
  readonly intervalMs?: number;
  readonly currentPolicy?: CurrentPolicy;
  readonly onSwept?: (ids: string[]) => void;
}

const FILE_RE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.wav$/;
const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TMP_RE = /^\.[0-9a-f-]{36}\.tmp$/;

/**
 * Kept utterances as files, under the room's retention policy.
 *
 * Write-only by design: recordings can be added, listed (metadata), deleted and expired, and there
 * is NO method that returns their audio. The cloud's APIs sit on top of this class, so none of
 * them can play, download or transcribe a recording (docs/privacy.md#recordings); a test pins the public surface.
 * Files are written atomically (temp file, fsync, rename, directory fsync) with mode 0600 in 0700
 * directories, so a crash leaves either the whole recording or none, readable by the cloud's user only.
 */
export class RecordingStore {
  readonly root: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** Per-device operation chains: a delete never races a write of the same device. */
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Temp files being written, which a concurrent sweep must not remove. */
  readonly #inflight = new Set<string>();
  #sweepTimer: TimerHandle | undefined;
  /** Bumped by stopSweeping, so a sweep still running from an old schedule does not re-arm it. */
  #sweepGeneration = 0;

  constructor(options: RecordingStoreOptions) {
    this.root = path.join(options.dir, 'recordings');
    this.#clock = options.clock;
    this.#log = options.log ?? rootLogger().child({ module: 'recording-store' });
  }

  /**
   * Keeps a confirmed utterance if the room's policy allows; returns its metadata, or undefined
   * when nothing was written (unconfirmed, DO_NOT_SAVE, or DataRetentionOptIn false).
   */
  async add(input: AddRecordingInput): Promise<RecordingMeta | undefined> {
    const dir = this.#deviceDir(input.deviceId);
    if (!isRetentionPolicy(input.policy)) {
      invalid(`unknown retention policy ${JSON.stringify(input.policy)}`, 'use KEEP, DELETE_AFTER_3_MONTHS, DELETE_AFTER_18_MONTHS or DO_NOT_SAVE');
    }
    if (!(input.audio instanceof Int16Array) || input.audio.length === 0 || input.audio.length > MAX_UTTERANCE_SAMPLES) {
      invalid('a recording is 1 to 136000 samples of 16 kHz int16 audio', 'pass the assembled utterance (UtteranceAssembler.assemble().audio)');
    }
    if (input.roomArn !== undefined && (typeof input.roomArn !== 'string' || input.roomArn.length > 1024)) {
      invalid('roomArn must be a string of at most 1024 characters', 'pass the room ARN the device is in, or leave it out');
    }
    if (!input.confirmed || !savesRecordings(input.policy, input.dataRetentionOptIn)) return undefined;
    const meta: RecordingFileMeta = {
      id: randomUUID(),
      deviceId: input.deviceId,
      ...(input.roomArn === undefined ? {} : { roomArn: input.roomArn }),
      createdAt: Math.round(this.#clock.wallNow()),
      policy: input.policy,
      confirmed: true,
      samples: input.audio.length,
    };
    const bytes = encodeRecording(meta, input.audio);
    await this.#withLock(input.deviceId, () => this.#writeAtomically(dir, meta.id, bytes));
    this.#log.info({ deviceId: meta.deviceId, id: meta.id, policy: meta.policy }, 'recording kept');
    return toMeta(meta, bytes.length);
  }

  /** A device's recordings, oldest first: metadata only. */
  async list(deviceId: string): Promise<RecordingMeta[]> {
    const dir = this.#deviceDir(deviceId);
    const out: RecordingMeta[] = [];
    for (const name of await listDir(dir)) {
      if (!FILE_RE.test(name)) continue;
      const found = await readMeta(path.join(dir, name));
      if (found) out.push(found);
      else this.#log.warn({ deviceId, file: name }, 'unreadable recording file skipped (the next sweep deletes it)');
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** Deletes these recordings wherever they are; returns the ids that existed. */
  async delete(ids: readonly string[]): Promise<string[]> {
    for (const id of ids) if (!ID_RE.test(id)) invalid(`${JSON.stringify(id)} is not a recording id`, 'use the ids add() and list() return');
    const wanted = new Set(ids);
    const deleted: string[] = [];
    for (const deviceId of await this.#devices()) {
      const dir = path.join(this.root, deviceId);
      await this.#withLock(deviceId, async () => {
        for (const name of await listDir(dir)) {
          const id = FILE_RE.exec(name)?.[1];
          if (id !== undefined && wanted.has(id) && (await removeFile(path.join(dir, name)))) deleted.push(id);
        }
      });
    }
    if (deleted.length > 0) this.#log.info({ ids: deleted }, 'recordings deleted');
    return deleted;
  }

  /** Deletes every recording of a device (DeleteDeviceUsageData, deregistration); returns their ids. */
  async deleteDevice(deviceId: string): Promise<string[]> {
    const dir = this.#deviceDir(deviceId);
    const ids = await this.#withLock(deviceId, async () => {
      const removed: string[] = [];
      for (const name of await listDir(dir)) {
        const id = FILE_RE.exec(name)?.[1];
        if (id !== undefined) {
          if (await removeFile(path.join(dir, name))) removed.push(id);
        } else if (TMP_RE.test(name)) {
          // No write of this device is in flight (the lock is held): a crash's leftover.
          await removeFile(path.join(dir, name));
        }
      }
      await rmdir(dir).catch(() => undefined);
      return removed;
    });
    if (ids.length > 0) this.#log.info({ deviceId, count: ids.length }, 'device recordings deleted');
    return ids;
  }

  /**
   * Deletes what has expired at `now` (wall-clock ms): age-based policies, DO_NOT_SAVE (the room
   * changed its mind: everything goes), damaged files that cannot be aged, and temp files left by a
   * crash. `currentPolicy` gives a room's policy as it is now, which overrides the one a recording
   * was kept under. Returns the deleted ids, so the caller can drop their metadata rows.
   */
  async sweep(now: number = this.#clock.wallNow(), currentPolicy?: CurrentPolicy): Promise<string[]> {
    const deleted: string[] = [];
    for (const deviceId of await this.#devices()) {
      const dir = path.join(this.root, deviceId);
      const policyNow = currentPolicy?.(deviceId);
      await this.#withLock(deviceId, async () => {
        for (const name of await listDir(dir)) {
          const file = path.join(dir, name);
          if (TMP_RE.test(name)) {
            if (!this.#inflight.has(file)) await removeFile(file);
            continue;
          }
          const id = FILE_RE.exec(name)?.[1];
          if (id === undefined) continue;
          const meta = await readMeta(file);
          if (!meta) this.#log.warn({ deviceId, file: name }, 'deleting a damaged recording file that cannot be aged');
          const expired = !meta || isExpired(meta.createdAt, policyNow ?? meta.policy, now);
          if (expired && (await removeFile(file))) deleted.push(id);
        }
      });
    }
    if (deleted.length > 0) this.#log.info({ count: deleted.length }, 'expired recordings deleted');
    return deleted;
  }

  /**
   * Sweeps every `intervalMs` (default hourly) on the store's clock until stopSweeping();
   * `onSwept` receives each sweep's deleted ids (to drop their metadata rows), empty ones included.
   */
  startSweeping(options: SweepSchedule = {}): void {
    this.stopSweeping();
    const { intervalMs = 3_600_000, currentPolicy, onSwept } = options;
    const generation = this.#sweepGeneration;
    const tick = (): void => {
      this.#sweepTimer = this.#clock.setTimeout(() => {
        // Re-arm before reporting, so whoever reacts to onSwept finds the next sweep scheduled.
        const rearm = (): void => {
          if (this.#sweepGeneration === generation) tick();
        };
        this.sweep(this.#clock.wallNow(), currentPolicy).then(
          (ids) => {
            rearm();
            try {
              onSwept?.(ids);
            } catch (err) {
              this.#log.error({ err }, 'onSwept failed');
            }
          },
          (err: unknown) => {
            rearm();
            this.#log.error({ err }, 'recording sweep failed');
          },
        );
      }, intervalMs);
    };
    tick();
  }

  stopSweeping(): void {
    this.#sweepGeneration++;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  #deviceDir(deviceId: string): string {
    if (!isValidDeviceId(deviceId)) {
      throw new EchosimError('DEVICE_ID_INVALID', `${JSON.stringify(deviceId)} is not a device id`, {
        hint: 'device ids are the serial number: 1-64 characters of A-Z a-z 0-9 _ -',
      });
    }
    return path.join(this.root, deviceId);
  }

  async #devices(): Promise<string[]> {
    return (await listDir(this.root)).filter((d) => isValidDeviceId(d));
  }

  async #withLock<T>(deviceId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(deviceId) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.catch(() => undefined);
    this.#locks.set(deviceId, settled);
    void settled.then(() => {
      if (this.#locks.get(deviceId) === settled) this.#locks.delete(deviceId);
    });
    return run;
  }

  async #writeAtomically(dir: string, id: string, bytes: Buffer): Promise<void> {
    const tmp = path.join(dir, `.${id}.tmp`);
    this.#inflight.add(tmp);
    try {
      await writeFileAtomically(dir, tmp, path.join(dir, `${id}.wav`), bytes);
    } catch (err) {
      throw new EchosimError('RECORDING_STORE_FAILED', `could not write recording ${id}: ${(err as Error).message}`, {
        hint: `check that ${this.root} is writable by the cloud's user and the disk is not full`,
        cause: err,
      });
    } finally {
      this.#inflight.delete(tmp);
    }
  }
}

function invalid(message: string, hint: string): never {
  throw new EchosimError('RECORDING_INVALID', message, { hint });
}

function toMeta(m: RecordingFileMeta, bytes: number): RecordingMeta {
  const expiry = expiresAt(m.createdAt, m.policy);
  return {
    id: m.id,
    deviceId: m.deviceId,
    ...(m.roomArn === undefined ? {} : { roomArn: m.roomArn }),
    createdAt: m.createdAt,
    bytes,
    durationMs: Math.round((m.samples / SAMPLE_RATE) * 1000),
    confirmed: m.confirmed,
    policy: m.policy,
    ...(expiry === undefined ? {} : { expiresAt: expiry }),
  };
}

/** Metadata from a file's header (never its audio); undefined when it is missing or damaged. */
async function readMeta(file: string): Promise<RecordingMeta | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(META_READ_BYTES);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const meta = decodeRecordingMeta(head.subarray(0, bytesRead));
    return meta ? toMeta(meta, (await fh.stat()).size) : undefined;
  } finally {
    await fh.close();
  }
}

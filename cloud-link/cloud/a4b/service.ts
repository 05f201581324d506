import { EventEmitter } from 'node:events';
import path from 'node:path';
import { loadDeviceModels } from '../../../firmware/device-model.js';
import { WakeWordRegistry } from '../../../models/wakeword/registry.js';
import type { Clock } from '../../../core/clock.js';
import { isEchosimError } from '../../../core/errors.js';
import { rootLogger, type Logger } from '../../../core/log.js';
import { ensurePrivateDir } from '../../../core/private-files.js';
import { BookingStore } from '../db/booking-store.js';
import { CloudDatabase } from '../db/database.js';
import { JobStore, type CloudJob, type NewJob } from '../db/job-store.js';
import type { JobStatus } from '../../protocol/jobs.js';
import { RecordingMetaStore, type RecordingMeta } from '../db/recording-meta-store.js';
import { ShadowStore } from '../db/shadow-store.js';
import { SecretBox } from '../secrets.js';
import type { A4bEventName, A4bServiceEvents, OpContext } from './context.js';
import { Credentials, type CredentialCheck } from './credentials.js';
import { assertDeviceAcceptsJob } from './device-contract.js';
import { desiredStateFor, retentionFor, skillsFor, type DesiredState } from './desired-state.js';
import { requireDeviceById, type ConnectionStatus } from './device-rows.js';
import { DEFAULT_SYNC_FAILURE_LIMIT, recordSync, reportDeviceInfo, setConnection, type DeviceInfo, type SyncOutcome, type SyncReport } from './device-status.js';
import { A4bError } from './errors.js';
import { OPERATIONS } from './operations.js';
import type { DataRetention } from './profile-schema.js';
import { parseInput } from './validation.js';

export interface A4bServiceOptions {
  /** The cloud's data directory: database, secret.key, admin-token. */
  dir: string;
  clock: Clock;
  log?: Logger;
  /** DeviceType values RegisterDevice accepts (default: the models in firmware/device-models/). */
  deviceTypes?: Iterable<string>;
  /**
   * Room-profile WakeWords CreateProfile, UpdateProfile and FlashDevice accept: those a wake-word
   * model shipped with echosim covers (default: models/wakeword/registry.ts).
   */
  wakeWords?: Iterable<string>;
  /** Failed desired-state deliveries in a row before a device is SYNC_NEEDED (default 3). */
  syncFailureLimit?: number;
  /**
   * The device secret hashed in an external broker's password format (e.g. Mosquitto's), stored at
   * registration, the only time the secret is known, so the broker's password file can be rebuilt.
   */
  brokerPasswordHash?: (secret: string) => string;
}

/** The cloud's own logins besides the admin token. */
export type CloudLoginName = 'home-assistant';

/** An event waiting for its transaction to commit. */
interface PendingEvent {
  name: A4bEventName;
  args: unknown[];
}

/**
 * The Alexa for Business style management service: the API operations (`call`) over the cloud's
 * SQLite data, and the surface the MQTT side uses (desired state, credentials, connection and sync
 * status, shadows, jobs, recordings' metadata).
 *
 * Each call is one transaction: it happens entirely or not at all, and its events are emitted only
 * after it committed. Inputs are never logged (they may hold network passwords).
 */
export class A4bService {
  readonly events = new EventEmitter<A4bServiceEvents>();
  readonly shadows: ShadowStore;
  readonly jobs: JobStore;
  readonly recordings: RecordingMetaStore;
  /** Rooms' calendars (the API's booking operations, the release timer, the spoken room commands). */
  readonly bookings: BookingStore;
  private readonly credentials: Credentials;
  private readonly deviceTypes: ReadonlySet<string>;
  private readonly wakeWords: ReadonlySet<string>;
  private readonly syncFailureLimit: number;
  private closed = false;

  private constructor(
    private readonly database: CloudDatabase,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: A4bServiceOptions,
  ) {
    const now = (): number => clock.wallNow();
    this.shadows = new ShadowStore(database.db, now, box);
    this.jobs = new JobStore(database.db, now);
    this.recordings = new RecordingMetaStore(database.db);
    this.bookings = new BookingStore(database.db, now);
    this.credentials = Credentials.open(database.db, options.dir, now(), log);
    this.deviceTypes = new Set(options.deviceTypes ?? loadDeviceModels().keys());
    this.wakeWords = new Set(options.wakeWords ?? WakeWordRegistry.load().wakeWords);
    this.syncFailureLimit = Math.max(1, Math.floor(options.syncFailureLimit ?? DEFAULT_SYNC_FAILURE_LIMIT));
  }

  /** Opens (creating on first use) the data directory's database, secret key and admin token. */
  static open(options: A4bServiceOptions): A4bService {
    const log = (options.log ?? rootLogger()).child({ component: 'a4b' });
    ensurePrivateDir(options.dir);
    const box = SecretBox.open(options.dir);
    const database = CloudDatabase.open({ dir: options.dir, log, box });
    try {
      return new A4bService(database, box, options.clock, log, options);
    } catch (err) {
      database.close();
      throw err;
    }
  }

  /** The file holding the admin token (mode 0600), written on first open. */
  get adminTokenFile(): string {
    return this.credentials.adminTokenFile;
  }

  /**
   * Runs one API operation by its A4B name with its JSON input. Resolves to the JSON response;
   * rejects with A4bError (NotFoundException, ValidationException, ...).
   */
  async call(operation: string, input: unknown): Promise<unknown> {
    const op = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (!op) throw new A4bError('UnknownOperationException', `${operation} is not an operation of this service`);
    const started = this.clock.now();
    try {
      const parsed = parseInput(op.input, input);
      const result = this.transact((ctx) => op.run(ctx, parsed), op.readOnly);
      this.log.debug({ operation, ms: this.clock.now() - started }, 'api call');
      return result;
    } catch (err) {
      const mapped = this.mapError(err, operation);
      this.log.debug({ operation, ms: this.clock.now() - started, error: mapped.name }, 'api call failed');
      throw mapped;
    }
  }

  /** What the device should run, passwords included: they leave only sealed to the device's key (shadow-gateway.ts). */
  desiredStateFor(deviceId: string): DesiredState {
    this.assertOpen();
    return this.database.transaction(() => desiredStateFor(this.database.db, this.box, deviceId), true);
  }

  /** The skills enabled on the device (its room's skill groups), sorted. */
  skillsFor(deviceId: string): string[] {
    this.assertOpen();
    return this.database.transaction(() => skillsFor(this.database.db, deviceId), true);
  }

  /** The recording policy for the device's utterances (KEEP, DELETE_AFTER_3_MONTHS, ..., DO_NOT_SAVE). */
  retentionFor(deviceId: string): DataRetention {
    this.assertOpen();
    return this.database.transaction(() => retentionFor(this.database.db, deviceId), true);
  }

  /** A device's MQTT login (username = client id = serial, password = its secret). Never throws. */
  async verifyDeviceSecret(deviceId: string, secret: string): Promise<boolean> {
    return (await this.checkDeviceSecret(deviceId, secret)) === 'ok';
  }

  /**
   * Like verifyDeviceSecret, and 'busy' when the device still has a pre-upgrade (scrypt) hash and
   * enough of those checks are running already: the caller should refuse for now without counting
   * a failure. Never throws.
   */
  async checkDeviceSecret(deviceId: string, secret: string): Promise<CredentialCheck> {
    if (this.closed) return 'denied';
    try {
      const result = await this.credentials.checkDeviceSecret(deviceId, secret);
      return this.closed ? 'denied' : result;
    } catch (err) {
      // an authentication hook must answer; a failure to check is a refusal (and worth a log line)
      if (!this.closed) this.log.error({ err: (err as Error).message }, 'device credential check failed');
      return 'denied';
    }
  }

  /** The admin token (HTTP API bearer token; the cloud's MQTT password). Constant-time; never throws. */
  verifyAdminToken(token: string): boolean {
    if (this.closed) return false;
    try {
      return this.credentials.verifyAdminToken(token);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'admin token check failed');
      return false;
    }
  }

  /** The admin token as written in its file (for the cloud's own broker login), if the file is there. */
  readAdminToken(): string | undefined {
    return this.credentials.readAdminToken();
  }

  /** Replaces the admin token (local operation); returns the new one, also written to adminTokenFile. */
  rotateAdminToken(): string {
    this.assertOpen();
    return this.credentials.rotateAdminToken(this.clock.wallNow());
  }

  /**
   * One of the cloud's own logins besides the admin token ('home-assistant': Home Assistant's broker
   * user), made on first use: its secret in `<dir>/<name>-password` (mode 0600, never logged), its
   * keyed hash in the database.
   */
  ensureLogin(name: CloudLoginName): { file: string; secret: string; created: boolean } {
    this.assertOpen();
    const file = path.join(this.options.dir, `${name}-password`);
    return { file, ...this.credentials.ensureLogin(name, file, this.clock.wallNow()) };
  }

  /** Checks a login made by ensureLogin. Constant-time; never throws. */
  verifyLogin(name: CloudLoginName, secret: string): boolean {
    if (this.closed) return false;
    try {
      return this.credentials.verifyLogin(name, secret);
    } catch (err) {
      this.log.error({ login: name, err: (err as Error).message }, 'login check failed');
      return false;
    }
  }

  /** Devices' broker logins for an external broker's password file (registered devices with a broker hash). */
  brokerUsers(): Array<{ username: string; passwordHash: string }> {
    this.assertOpen();
    const rows = this.database.db
      .prepare(`SELECT serial, broker_password_hash FROM devices WHERE status <> 'DEREGISTERED' AND broker_password_hash IS NOT NULL ORDER BY serial`)
      .all() as Array<{ serial: string; broker_password_hash: string }>;
    return rows.map((r) => ({ username: r.serial, passwordHash: r.broker_password_hash }));
  }

  /** ONLINE/OFFLINE at `at` (wall-clock ms, default now); stale events are ignored. Returns whether applied. */
  setConnection(deviceId: string, status: ConnectionStatus, at: number = this.clock.wallNow()): boolean {
    return this.transact((ctx) => setConnection(ctx, deviceId, status, at));
  }

  /** One delivery attempt of the desired state; after N failures in a row the device is SYNC_NEEDED. */
  recordSync(deviceId: string, outcome: SyncOutcome): SyncReport {
    return this.transact((ctx) => recordSync(ctx, deviceId, outcome, this.syncFailureLimit));
  }

  /** What the device reports about itself (SoftwareVersion, MacAddress). */
  reportDeviceInfo(deviceId: string, info: DeviceInfo): void {
    this.transact((ctx) => reportDeviceInfo(ctx, deviceId, info));
  }

  /** Queues a job the API has no operation for (e.g. reboot) and emits job-created. */
  queueJob(deviceId: string, job: NewJob): CloudJob {
    return this.transact((ctx) => {
      requireDeviceById(ctx.db, deviceId);
      const created = ctx.jobs.create(deviceId, job);
      assertDeviceAcceptsJob(created);
      ctx.emit('job-created', { deviceId, job: created });
      return created;
    });
  }

  /** Moves a job (device progress). Shorthand for jobs.update. */
  updateJob(deviceId: string, jobId: string, status: JobStatus, details?: Record<string, string>): CloudJob {
    this.assertOpen();
    return this.jobs.update(deviceId, jobId, status, details);
  }

  /** Records a kept recording's metadata (the audio file is the recording store's). */
  addRecording(meta: RecordingMeta): RecordingMeta {
    this.assertOpen();
    return this.recordings.add(meta);
  }

  /** Closes the database and drops every listener. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.removeAllListeners();
    this.database.close();
  }

  /** Runs `fn` in one transaction with an event queue; emits the events after commit. */
  private transact<T>(fn: (ctx: OpContext) => T, readOnly = false): T {
    this.assertOpen();
    const pending: PendingEvent[] = [];
    const bumped = new Set<string>();
    const announced = new Set<string>();
    const db = this.database.db;
    const ctx: OpContext = {
      db,
      box: this.box,
      now: () => this.clock.wallNow(),
      deviceTypes: this.deviceTypes,
      wakeWords: this.wakeWords,
      jobs: this.jobs,
      shadows: this.shadows,
      recordings: this.recordings,
      bookings: this.bookings,
      hashDeviceSecret: (deviceId, secret) => ({
        hash: this.credentials.hashDeviceSecret(deviceId, secret),
        ...(this.options.brokerPasswordHash ? { brokerHash: this.options.brokerPasswordHash(secret) } : {}),
      }),
      emit: (name, ...args) => void pending.push({ name, args }),
      desiredChanged: (ids, options = {}) => {
        const mark = db.prepare(
          `UPDATE devices SET desired_version = desired_version + 1,
             sync_state = CASE WHEN sync_state = 'SYNC_NEEDED' THEN sync_state ELSE 'PENDING' END, updated_at = ?
           WHERE serial = ?`,
        );
        for (const id of ids) {
          if (!options.resendOnly && !bumped.has(id)) {
            bumped.add(id);
            mark.run(this.clock.wallNow(), id);
          }
          if (announced.has(id)) continue;
          announced.add(id);
          pending.push({ name: 'desired-changed', args: [{ deviceId: id }] });
        }
      },
    };
    const result = this.database.transaction(() => fn(ctx), readOnly);
    for (const event of pending) this.deliver(event);
    return result;
  }

  /**
   * Calls each listener on its own, so one that throws (a bug in the MQTT side) neither fails the
   * committed call nor keeps the others from hearing about it. rawListeners keeps once() semantics.
   */
  private deliver(event: PendingEvent): void {
    for (const listener of this.events.rawListeners(event.name) as Array<(...args: unknown[]) => unknown>) {
      try {
        listener.apply(this.events, event.args);
      } catch (err) {
        this.log.error({ event: event.name, err }, 'an event listener failed');
      }
    }
  }

  private mapError(err: unknown, operation: string): A4bError {
    if (err instanceof A4bError) return err;
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new A4bError('ConcurrentModificationException', 'the database is busy with another change; retry the request');
    }
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT_UNIQUE')) {
      return new A4bError('ConcurrentModificationException', 'a concurrent request created the same resource; retry the request');
    }
    this.log.error({ operation, code: isEchosimError(err) ? err.code : code, message: (err as Error).message }, 'api operation failed');
    return new A4bError('InternalFailure', `${operation} failed inside the service; see the cloud's log`);
  }

  private assertOpen(): void {
    if (this.closed) throw new A4bError('InternalFailure', 'the service is closed');
  }
}

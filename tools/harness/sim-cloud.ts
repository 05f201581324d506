import { EventEmitter } from 'node:events';
import { makeArn } from '../../cloud-link/cloud/a4b/arn.js';
import type { Cloud } from '../../cloud-link/cloud/cloud.js';
import type { CloudEvents } from '../../cloud-link/cloud/mqtt/cloud-events.js';
import type { ReportedState } from '../../cloud-link/protocol/shadow.js';
import type { Clock, VirtualClock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { EventLog, type EventRecord } from './event-log.js';
import { waitUntil, type Pace, type WaitOptions, type WaitSubject } from './wait.js';

/** An A4B operation's response, loosely typed for assertions (PascalCase fields as on the wire). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads nested fields without casts
export type A4bResponse = Record<string, any>;

/** A kept recording as the harness shows it: which one and how big, never its audio. */
export interface RecordingInfo {
  readonly id: string;
  readonly bytes: number;
}

/** Waits for a cloud event: `{ event: 'verdict', match: (v) => v.deviceId === 'device-1' }`. */
export interface CloudEventTarget<K extends keyof CloudEvents = keyof CloudEvents> {
  readonly event: K;
  readonly match?: (payload: CloudEvents[K][0]) => boolean;
  /** Only events recorded after this mark (`cloud.mark`); default: after the call. 0 includes history. */
  readonly after?: number;
}

const CLOUD_EVENTS: ReadonlyArray<keyof CloudEvents> = [
  'presence', 'shadow-updated', 'shadow-rejected', 'profile-applied', 'profile-rejected', 'job-updated', 'telemetry', 'verdict', 'utterance',
];

/** What the simulation lends its cloud: the clocks to move while waiting, and whether it still runs. */
export interface SimCloudHost {
  readonly realClock: Clock;
  readonly pace: Pace;
  /** Moves every clock of the simulation (the cloud's and each device's) forward. */
  advanceAll(ms: number): Promise<void>;
  assertRunning(): void;
}

/**
 * The simulation's cloud (a real Cloud: embedded broker, SQLite registry, A4B operations) with what
 * tests need around it: A4B calls in process, registration, a room with a profile in one call, a
 * device's reported shadow state, its recordings by id and size only, and every CloudEvent recorded
 * (also re-emitted: `sim.cloud.on('verdict', ...)`).
 */
export class SimCloud extends EventEmitter<CloudEvents> {
  readonly log = new EventLog<CloudEvents>();
  private readonly detach: Array<() => void> = [];

  constructor(
    /** The underlying Cloud, for what the harness does not wrap. */
    readonly cloud: Cloud,
    readonly clock: VirtualClock,
    private readonly host: SimCloudHost,
  ) {
    super();
    for (const name of CLOUD_EVENTS) {
      const listener = (payload: unknown): void => {
        this.log.record(name, payload as never, clock.now());
        (this.emit as (n: string, p: unknown) => boolean)(name, payload);
      };
      cloud.events.on(name, listener as never);
      this.detach.push(() => cloud.events.off(name, listener as never));
    }
  }

  /** With `tls`: the cloud's CA certificate file, which its clients verify it with. */
  get caFile(): string | undefined {
    return this.cloud.caFile;
  }

  /** mqtt://127.0.0.1:PORT of the embedded broker (mqtts:// with `tls`). */
  get brokerUrl(): string {
    return this.cloud.brokerUrl;
  }

  /** The broker's TCP port (a free one, picked at start). */
  get brokerPort(): number {
    return Number(new URL(this.cloud.brokerUrl).port);
  }

  /** http://127.0.0.1:PORT (https:// with `tls`) of the A4B HTTP API (bearer token: `adminToken`), when it runs. */
  get apiUrl(): string | undefined {
    return this.cloud.apiUrl;
  }

  get adminToken(): string {
    return this.cloud.adminToken;
  }

  /** The sequence number of the newest cloud event: pass it as `after` to wait only for later ones. */
  get mark(): number {
    return this.log.mark;
  }

  /** Runs one Alexa for Business operation in process, e.g. `call('CreateRoom', { RoomName: 'Lab' })`. */
  async call(operation: string, input: unknown = {}): Promise<A4bResponse> {
    this.host.assertRunning();
    return (await this.cloud.call(operation, input)) as A4bResponse;
  }

  /** The device's ARN (devices are named by serial number). */
  deviceArn(deviceId: string): string {
    return makeArn('device', deviceId);
  }

  /** Registers a device (RegisterDevice) and returns its one-time secret, once the broker accepts it. */
  async registerDevice(deviceId: string, options: { model?: string; name?: string } = {}): Promise<string> {
    const res = await this.call('RegisterDevice', {
      DeviceSerialNumber: deviceId,
      DeviceType: options.model ?? 'echo-dot-3',
      DeviceName: options.name ?? `Simulated ${deviceId}`,
    });
    await this.cloud.brokerAuthSettled();
    return res.Secret as string;
  }

  /**
   * Creates a room profile (`profile`: CreateProfile's input, e.g. `{ ProfileName, Timezone, Address,
   * DistanceUnit, TemperatureUnit, WakeWord, MaxVolumeLimit, ... }`) and a room using it, and puts
   * `devices` in the room. Each device then gets the profile through its shadow.
   */
  async roomWithProfile(profile: Record<string, unknown>, options: { roomName?: string; devices?: readonly string[] } = {}): Promise<{ roomArn: string; profileArn: string }> {
    const { ProfileArn } = await this.call('CreateProfile', profile);
    const { RoomArn } = await this.call('CreateRoom', { RoomName: options.roomName ?? `Room ${String(profile.ProfileName ?? ProfileArn)}`.slice(0, 100), ProfileArn });
    for (const id of options.devices ?? []) await this.call('AssociateDeviceWithRoom', { DeviceArn: this.deviceArn(id), RoomArn });
    return { roomArn: RoomArn as string, profileArn: ProfileArn as string };
  }

  /** The profileVersion the cloud wants the device to run (its desired state), undefined before registration. */
  desiredVersion(deviceId: string): number | undefined {
    this.host.assertRunning();
    try {
      return this.cloud.service.desiredStateFor(deviceId).profileVersion;
    } catch {
      return undefined;
    }
  }

  /** The device's `state.reported` in its shadow: what it told the cloud it runs. Never holds a password. */
  reported(deviceId: string): ReportedState | undefined {
    this.host.assertRunning();
    const doc = this.cloud.service.shadows.get(deviceId)?.document as { state?: { reported?: ReportedState } } | undefined;
    return doc?.state?.reported;
  }

  /** The recordings the cloud kept for a device, oldest first: id and file size only (they can never be read). */
  async recordings(deviceId: string): Promise<RecordingInfo[]> {
    this.host.assertRunning();
    return (await this.cloud.recordings.list(deviceId)).map((r) => ({ id: r.id, bytes: r.bytes }));
  }

  /** Every recorded cloud event, oldest first. */
  history(): ReadonlyArray<EventRecord<CloudEvents>> {
    return this.log.all();
  }

  /** The payloads of every recorded `name` event, oldest first. */
  of<K extends keyof CloudEvents>(name: K): Array<CloudEvents[K][0]> {
    return this.log.of(name);
  }

  /**
   * Waits for a cloud event (resolving to its payload) or until `condition` holds, letting every
   * clock of the simulation run meanwhile (see WaitOptions).
   */
  waitFor<K extends keyof CloudEvents>(target: CloudEventTarget<K>, options?: WaitOptions): Promise<CloudEvents[K][0]>;
  waitFor(condition: () => boolean, options?: WaitOptions): Promise<void>;
  async waitFor<K extends keyof CloudEvents>(target: CloudEventTarget<K> | (() => boolean), options: WaitOptions = {}): Promise<CloudEvents[K][0] | void> {
    if (typeof target === 'function') {
      await waitUntil(this.subject(), target, options.what ?? 'a condition', options, this.host.pace, this.host.realClock);
      return;
    }
    const after = target.after ?? this.log.mark;
    let found: CloudEvents[K][0] | undefined;
    const what = options.what ?? `cloud event "${String(target.event)}"${target.match ? ' (matching)' : ''}`;
    await waitUntil(this.subject(), () => (found = this.log.find(target.event, target.match, after)) !== undefined, what, options, this.host.pace, this.host.realClock);
    return found;
  }

  /** Stops following the cloud's events (the Simulation stops the Cloud itself). */
  close(): void {
    for (const d of this.detach.splice(0)) d();
    this.removeAllListeners();
  }

  private subject(): WaitSubject {
    return {
      who: 'cloud',
      now: () => this.clock.now(),
      advance: (ms) => this.host.advanceAll(ms),
      subscribe: (wake) => this.log.subscribe(wake),
      describe: () => `last cloud events: ${this.log.describeRecent()}`,
      assertRunning: () => this.host.assertRunning(),
    };
  }
}

/** The error for a call on a simulation that has stopped. */
export function stoppedError(what: string): EchosimError {
  return new EchosimError('HARNESS_STOPPED', `${what}: the simulation has stopped`, {
    hint: 'start a new simulation (startSimulation) for each test; sim.stop() belongs in afterEach',
  });
}

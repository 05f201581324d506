import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { WakeWordVerifier } from '../../cloud-link/cloud/verification/verifier.js';
import { deviceModel } from '../../firmware/device-model.js';
import { SystemClock, VirtualClock, type Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { WakeWordRegistry } from '../../models/wakeword/registry.js';
import { retainModels, sharedModels, type HarnessModels } from './models.js';
import { SimCloud, stoppedError } from './sim-cloud.js';
import { SimDevice } from './sim-device.js';
import { DEFAULT_PACE, type Pace } from './wait.js';

/** One device of a simulation. */
export interface DeviceSpec {
  /** Its serial number (MQTT client id): default `device-N`. */
  readonly id?: string;
  /** Its model (firmware/device-models): default the simulation's `model`. */
  readonly model?: string;
}

export interface SimulationOptions {
  /** How many devices to start (default 1), or one spec per device. */
  readonly devices?: number | readonly DeviceSpec[];
  /** The model of devices without their own (default `echo-dot-3`; also echo-2, echo-plus-2, trio-8800). */
  readonly model?: string;
  /** The cloud re-checks every wake word with openWakeWord (default true); false lets every wake word through. */
  readonly verification?: boolean;
  /**
   * The cloud answers requests (default false): offline recognition of the supported commands, a
   * spoken answer and directives (timers, volume, ...), so `say('Alexa, set a timer for 5 minutes')`
   * sets a timer that rings. Needs pocketsphinx and flite (tools/setup.sh installs them).
   */
  readonly assistant?: boolean;
  /** Also run the A4B HTTP API on a free port (default false: `cloud.call()` runs operations in process). */
  readonly http?: boolean;
  /**
   * TLS on every link (default false): the cloud makes its CA and server certificate in its data
   * directory and serves `mqtts://` (and `https://`); every device verifies the broker against that CA.
   */
  readonly tls?: boolean;
  /** How waits trade real time for device time (see Pace). */
  readonly pace?: Partial<Pace>;
  /** Longest the device waits, in real ms, for one answer of the cloud before carrying on (default 5000). */
  readonly answerTimeoutMs?: number;
  /** Longest a device may take (real ms) to connect and complete its first shadow sync (default 15 000). */
  readonly startTimeoutMs?: number;
  /**
   * The trained heads the devices spot and the cloud verifies (default models/wakeword/heads, see
   * models/wakeword/head-description.ts): a room profile's WakeWord switches a device among them.
   */
  readonly headsDir?: string;
  /**
   * The WakeWords the cloud's API accepts in a room profile (default: those the heads cover). More
   * than the devices have models for is a cloud newer than its devices' firmware: they refuse the profile.
   */
  readonly cloudWakeWords?: readonly string[];
}

/**
 * The cloud and N devices in one process: an embedded MQTT broker and the A4B registry on a
 * temporary SQLite database, each device the real firmware linked to it over MQTT. Every port is a
 * free one picked at start and every file lives under `dir`, so simulations run side by side
 * (jest workers) and `stop()` leaves nothing behind.
 */
export class Simulation {
  readonly devices: SimDevice[] = [];
  private stopping: Promise<void> | undefined;
  private nextNumber = 1;

  private constructor(
    /** The temporary directory holding the cloud's data and every device's flash; removed by stop(). */
    readonly dir: string,
    readonly cloud: SimCloud,
    private readonly cloudClock: VirtualClock,
    private readonly models: HarnessModels,
    /** The words the devices spot and the cloud verifies. */
    readonly registry: WakeWordRegistry,
    private readonly verifier: WakeWordVerifier | undefined,
    private readonly options: SimulationOptions,
    private readonly realClock: Clock,
    private readonly pace: Pace,
    private readonly releaseModels: () => void,
  ) {}

  /** Starts a simulation: loads (or shares) the models, starts the cloud, registers and connects the devices. */
  static async start(options: SimulationOptions = {}): Promise<Simulation> {
    const specs = deviceSpecs(options.devices ?? 1);
    const models = await sharedModels();
    const release = retainModels();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-sim-'));
    const realClock = new SystemClock();
    const pace: Pace = { ...DEFAULT_PACE, ...options.pace };
    let sim: Simulation | undefined;
    let closeVerifier = (): void => undefined;
    try {
      const cloudClock = new VirtualClock();
      const registry = WakeWordRegistry.load(options.headsDir ? { headsDir: options.headsDir } : {});
      const verifier = options.verification === false ? undefined : new WakeWordVerifier({ models: models.wakeword, registry });
      closeVerifier = () => verifier?.close();
      const cloudDir = path.join(dir, 'cloud');
      const cloud = await Cloud.start({
        dir: cloudDir,
        clock: cloudClock,
        broker: { port: 0 },
        http: options.http ? { port: 0 } : false,
        verifier: verifier ?? false,
        ...(options.assistant ? { assistant: true } : {}),
        wakeWords: options.cloudWakeWords ?? registry.wakeWords,
        ...(options.tls ? { tls: {} } : {}),
      });
      let self: Simulation | undefined;
      const simCloud = new SimCloud(cloud, cloudClock, {
        realClock,
        pace,
        advanceAll: (ms) => self!.advance(ms),
        assertRunning: () => self?.assertRunning(),
      });
      sim = self = new Simulation(dir, simCloud, cloudClock, models, registry, verifier, options, realClock, pace, release);
      for (const spec of specs) await sim.addDevice(spec);
      return sim;
    } catch (err) {
      if (sim) await sim.stop().catch(() => undefined);
      else {
        closeVerifier();
        rmSync(dir, { recursive: true, force: true });
        release();
      }
      throw err;
    }
  }

  /** The device with this id. */
  device(id: string): SimDevice {
    const d = this.devices.find((x) => x.id === id);
    if (!d) throw new EchosimError('HARNESS_INVALID', `no device "${id}" in this simulation`, { hint: `its devices: ${this.devices.map((x) => x.id).join(', ') || 'none'}` });
    return d;
  }

  /** Registers one more device with the cloud, starts it and waits for its first shadow sync. */
  async addDevice(spec: DeviceSpec = {}): Promise<SimDevice> {
    this.assertRunning();
    const id = spec.id ?? this.freeId();
    if (this.devices.some((d) => d.id === id)) throw new EchosimError('HARNESS_INVALID', `there is already a device "${id}"`, { hint: 'give each device its own id' });
    const model = spec.model ?? this.options.model ?? 'echo-dot-3';
    deviceModel(model); // DEVICE_MODEL_UNKNOWN, naming the known models, before anything is registered
    const secret = await this.cloud.registerDevice(id, { model });
    const dataDir = path.join(this.dir, 'devices', id);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const device = await SimDevice.start(
      {
        id,
        secret,
        modelId: model,
        dataDir,
        models: this.models,
        cloud: this.cloud,
        registry: this.registry,
        verifier: this.verifier,
        realClock: this.realClock,
        pace: this.pace,
        answerTimeoutMs: this.options.answerTimeoutMs ?? 5000,
        tmpDir: this.dir,
        assertRunning: () => this.assertRunning(),
      },
      { timeoutMs: this.options.startTimeoutMs ?? 15_000 },
    );
    this.devices.push(device);
    return device;
  }

  /**
   * Lets `ms` pass on every clock (the cloud's and each device's) in 50 ms steps, so what one side
   * schedules is seen by the other in order. Refused while a device is playing audio.
   */
  async advance(ms: number): Promise<void> {
    this.assertRunning();
    let left = Math.max(0, ms);
    do {
      const step = Math.min(50, left);
      for (const d of this.devices) await d.advance(step);
      await this.cloudClock.advance(step);
      left -= step;
    } while (left > 0);
  }

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Stops everything and removes every file: devices first (each goes offline cleanly while the
   * broker is still there), then the cloud (API, broker, database), then the temporary directory.
   * Safe to call twice; calls on the simulation afterwards fail with HARNESS_STOPPED.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const errors: unknown[] = [];
      for (const d of this.devices) await d.stop().catch((err: unknown) => errors.push(err));
      this.cloud.close();
      await this.cloud.cloud.stop().catch((err: unknown) => errors.push(err));
      this.verifier?.close();
      rmSync(this.dir, { recursive: true, force: true });
      this.releaseModels();
      if (errors.length > 0) throw errors[0];
    })();
    return this.stopping;
  }

  private assertRunning(): void {
    if (this.stopping) throw stoppedError('this call');
  }

  private freeId(): string {
    for (;;) {
      const id = `device-${this.nextNumber++}`;
      if (!this.devices.some((d) => d.id === id)) return id;
    }
  }
}

/** Starts a simulation: `const sim = await startSimulation({ devices: 2 })`; `await sim.stop()` in afterEach. */
export function startSimulation(options: SimulationOptions = {}): Promise<Simulation> {
  return Simulation.start(options);
}

function deviceSpecs(devices: number | readonly DeviceSpec[]): readonly DeviceSpec[] {
  if (typeof devices !== 'number') return devices;
  if (!Number.isInteger(devices) || devices < 0 || devices > 64) {
    throw new EchosimError('HARNESS_INVALID', `${devices} devices`, { hint: 'start 0 to 64 devices (more with addDevice), or give one spec per device' });
  }
  return Array.from({ length: devices }, () => ({}));
}

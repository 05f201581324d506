import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeMosquittoAuth } from '../../cloud-link/broker/mosquitto-config.js';
import type { DeviceCloudLinkEvents } from '../../cloud-link/device/link/device-cloud-link.js';
import { SystemClock } from '../../core/clock.js';
import { createLogger, type Logger } from '../../core/log.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { A4bClient } from '../a4b-client.js';
import { provisionFleet, stopDevices } from '../fleet/provision.js';
import { startSimulatedDevice, type SimulatedDevice } from '../fleet/simulated-device.js';
import { CloudChildProcess } from './cloud-child-process.js';
import { MosquittoBroker } from './mosquitto-process.js';

export type BenchBroker = 'embedded' | 'mosquitto';

export interface BenchFleetOptions {
  devices: number;
  broker: BenchBroker;
  /** Serial numbers are `${prefix}-00000`, ... */
  prefix: string;
  progress: boolean;
}

/** A device event with the fleet index of the device it came from. */
export type FleetListener<K extends keyof DeviceCloudLinkEvents> = (index: number, ...args: DeviceCloudLinkEvents[K]) => void;

/**
 * The setting of the fleet benchmarks (`bench outages`, `bench soak`): the cloud in a process of its
 * own (cloud-child-process.ts) with its embedded broker or a real Mosquitto this process starts, and N
 * simulated devices here (real firmware and link, shared models, silent microphones, real time), all
 * in one room whose profile can be flashed. The broker can be stopped and started (an outage) and a
 * device restarted on its flash (a reboot), with listeners kept across restarts.
 */
export class BenchFleet {
  readonly devices: SimulatedDevice[] = [];
  private readonly listeners: Array<{ event: keyof DeviceCloudLinkEvents; listener: FleetListener<never> }> = [];
  private secrets: string[] = [];
  private flashes = 0;

  private constructor(
    private readonly options: BenchFleetOptions,
    readonly cloud: CloudChildProcess,
    readonly api: A4bClient,
    private readonly mosquitto: MosquittoBroker | undefined,
    private readonly models: OpenWakeWordModels,
    private readonly root: string,
    private readonly log: Logger,
    readonly profileArn: string,
  ) {}

  static async start(o: BenchFleetOptions): Promise<BenchFleet> {
    const root = mkdtempSync(path.join(tmpdir(), `echosim-bench-${o.prefix}-`));
    const log = createLogger('bench', process.env.ECHOSIM_LOG_LEVEL ?? 'error');
    let mosquitto: MosquittoBroker | undefined;
    let cloud: CloudChildProcess | undefined;
    let models: OpenWakeWordModels | undefined;
    try {
      if (o.broker === 'mosquitto') {
        const authDir = path.join(root, 'mosquitto-auth');
        const authFiles = await writeMosquittoAuth(authDir, []);
        const m = (mosquitto = await MosquittoBroker.start({ authFiles }));
        cloud = await CloudChildProcess.start({ dir: path.join(root, 'cloud'), brokerUrl: m.url, mosquittoAuthDir: authDir, reloadMosquitto: () => m.reload() });
      } else {
        cloud = await CloudChildProcess.start({ dir: path.join(root, 'cloud') });
      }
      const api = new A4bClient({ endpoint: cloud.apiUrl, token: cloud.adminToken });
      models = await OpenWakeWordModels.load();
      const clock = new SystemClock();
      const provisioned = await provisionFleet({
        api, brokerUrl: cloud.brokerUrl, count: o.devices, prefix: o.prefix, root, models, log, clockFor: () => clock, progress: o.progress,
      });
      const fleet = new BenchFleet(o, cloud, api, mosquitto, models, root, log, provisioned.profileArn);
      fleet.devices.push(...provisioned.devices);
      fleet.secrets = provisioned.secrets;
      return fleet;
    } catch (err) {
      await cloud?.stop().catch(() => undefined);
      await mosquitto?.stop().catch(() => undefined);
      await models?.dispose().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
  }

  get brokerUrl(): string {
    return this.cloud.brokerUrl;
  }

  /** Calls `listener` for `event` of every device, and of every device restarted later. */
  on<K extends keyof DeviceCloudLinkEvents>(event: K, listener: FleetListener<K>): void {
    this.listeners.push({ event, listener: listener as FleetListener<never> });
    this.devices.forEach((d, i) => this.attach(d, i, event, listener));
  }

  /** An outage: clients are dropped and refused until startBroker(). */
  async stopBroker(): Promise<void> {
    if (this.mosquitto) await this.mosquitto.pause();
    else await this.cloud.stopBroker();
  }

  /** Resolves once the broker accepts connections again. */
  async startBroker(): Promise<void> {
    if (this.mosquitto) await this.mosquitto.resume();
    else await this.cloud.startBroker();
  }

  /** UpdateProfile on the room's profile (MaxVolumeLimit alternating 5 and 6): every device gets a new desired version. */
  async flash(): Promise<void> {
    this.flashes++;
    await this.api.call('UpdateProfile', { ProfileArn: this.profileArn, MaxVolumeLimit: this.flashes % 2 === 0 ? 6 : 5 });
  }

  /** SyncStatus (SYNCED, PENDING, SYNC_NEEDED) of every device, by serial number, as the API reports it. */
  async syncStatus(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await this.api.call<{ Devices: Array<{ DeviceSerialNumber: string; DeviceStatusInfo?: { SyncStatus?: string } }>; NextToken?: string }>(
        'SearchDevices',
        { MaxResults: 50, ...(token ? { NextToken: token } : {}) },
      );
      for (const d of page.Devices) out.set(d.DeviceSerialNumber, d.DeviceStatusInfo?.SyncStatus ?? 'UNKNOWN');
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** Stops device `index` cleanly (it goes offline) and starts it again on the same flash: a reboot. */
  async restartDevice(index: number): Promise<void> {
    const old = this.devices[index];
    if (!old) return;
    await old.stop();
    const id = old.link.deviceId;
    const secret = this.secrets[index] ?? '';
    const sim = await startSimulatedDevice({
      url: this.brokerUrl, deviceId: id, secret, dataDir: path.join(this.root, 'devices', id), clock: new SystemClock(), models: this.models, log: this.log,
    });
    this.devices[index] = sim;
    for (const { event, listener } of this.listeners) this.attach(sim, index, event, listener);
  }

  async stop(): Promise<void> {
    await stopDevices(this.devices);
    await this.cloud.stop();
    await this.mosquitto?.stop();
    await this.models.dispose();
    rmSync(this.root, { recursive: true, force: true });
  }

  private attach(d: SimulatedDevice, index: number, event: keyof DeviceCloudLinkEvents, listener: FleetListener<never>): void {
    d.link.on(event, ((...args: never[]) => (listener as (i: number, ...a: never[]) => void)(index, ...args)) as never);
  }
}

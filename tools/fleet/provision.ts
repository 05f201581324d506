import path from 'node:path';
import type { DeviceCloudLink } from '../../cloud-link/device/link/device-cloud-link.js';
import type { MqttStreamTransport } from '../../cloud-link/mqtt/stream-transport.js';
import type { ClientTlsOptions } from '../../cloud-link/tls/client-tls.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { ensurePrivateDir } from '../../core/private-files.js';
import type { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import type { VoiceActivityDetector } from '../../models/vad/types.js';
import type { ScorerSource } from '../../models/wakeword/scorer.js';
import type { WakeWordRegistry } from '../../models/wakeword/registry.js';
import type { A4bClient } from '../a4b-client.js';
import { ProgressBar } from '../progress.js';
import { startSimulatedDevice, type SimulatedDevice } from './simulated-device.js';

export interface ProvisionOptions {
  api: A4bClient;
  brokerUrl: string;
  /** For an mqtts:// broker: the CA the devices verify it with. */
  brokerTls?: ClientTlsOptions;
  /** How the devices reach the broker instead of a socket (the cloud's embedded broker in this process). */
  streamTransport?: MqttStreamTransport;
  count: number;
  /** Serial numbers are `${prefix}-00000`, ... */
  prefix: string;
  /** Where each device's flash goes (`root/devices/<serial>`). */
  root: string;
  models: OpenWakeWordModels | ScorerSource;
  /** The words every device spots at start, and the registry a room profile's WakeWord switches among (none: fixed words). */
  keywords?: readonly string[];
  registry?: WakeWordRegistry;
  /** The room profile's WakeWord (default ALEXA). */
  wakeWord?: string;
  log: Logger;
  /** The clock of device `index` (a listening device may run on its own VirtualClock). */
  clockFor: (index: number) => Clock;
  /** The end-pointing VAD of device `index`, if it hears anything. */
  vadFor?: (index: number) => VoiceActivityDetector | undefined;
  progress: boolean;
  /** Devices registered and connected at once. */
  batch?: number;
}

export interface ProvisionedFleet {
  roomArn: string;
  profileArn: string;
  /** In index order. */
  devices: SimulatedDevice[];
  /** Each device's secret, in index order (to start it again on its flash). */
  secrets: string[];
}

/** A room profile for simulated fleets. */
export function fleetProfile(name: string, maxVolumeLimit: number, wakeWord = 'ALEXA'): Record<string, unknown> {
  return {
    ProfileName: name,
    Timezone: 'Europe/Berlin',
    Address: '1 Fleet Street',
    DistanceUnit: 'METRIC',
    TemperatureUnit: 'CELSIUS',
    WakeWord: wakeWord,
    Locale: 'en-US',
    MaxVolumeLimit: maxVolumeLimit,
  };
}

/**
 * Resolves once the device has synced its shadow (or given up on it). A TLS failure ends the wait
 * with its error at once: no certificate changes while the fleet waits.
 */
function firstSync(link: DeviceCloudLink): Promise<void> {
  return new Promise((resolve, reject) => {
    const onConnection = (c: { to: string; error?: { code: string } }): void => {
      if (c.to === 'BACKOFF' && c.error?.code.startsWith('TLS_')) {
        link.off('connection', onConnection);
        reject(c.error);
      }
    };
    link.on('connection', onConnection);
    link.whenSynced().then(
      () => resolve(),
      () => resolve(),
    ).finally(() => link.off('connection', onConnection));
  });
}

/**
 * Creates a room with its profile, then registers `count` devices in it through the API and starts
 * each as a simulated device, a batch at a time, each having done its first shadow sync (so it runs
 * the room's profile) before the next batch starts. A progress bar on stderr counts them.
 */
export async function provisionFleet(o: ProvisionOptions): Promise<ProvisionedFleet> {
  const { ProfileArn } = await o.api.call<{ ProfileArn: string }>('CreateProfile', fleetProfile(`${o.prefix} profile`, 8, o.wakeWord));
  const { RoomArn } = await o.api.call<{ RoomArn: string }>('CreateRoom', { RoomName: `${o.prefix} room`, ProfileArn });
  const devices: SimulatedDevice[] = new Array(o.count);
  const secrets: string[] = new Array(o.count);
  const bar = new ProgressBar(o.count, 'devices connected', process.stderr, o.progress);
  const batch = Math.max(1, o.batch ?? 25);
  try {
    for (let first = 0; first < o.count; first += batch) {
      const indices = Array.from({ length: Math.min(batch, o.count - first) }, (_, k) => first + k);
      await Promise.all(
        indices.map(async (i) => {
          const id = `${o.prefix}-${String(i).padStart(5, '0')}`;
          const { Secret } = await o.api.call<{ Secret: string }>('RegisterDevice', { DeviceSerialNumber: id, DeviceType: 'echo-dot-3', DeviceName: id, RoomArn });
          secrets[i] = Secret;
          const dataDir = path.join(o.root, 'devices', id);
          ensurePrivateDir(dataDir);
          const vad = o.vadFor?.(i);
          const sim = await startSimulatedDevice({
            url: o.brokerUrl, deviceId: id, secret: Secret, dataDir, clock: o.clockFor(i), models: o.models, log: o.log,
            ...(o.keywords ? { keywords: o.keywords } : {}),
            ...(o.registry ? { registry: o.registry } : {}),
            ...(vad ? { vad } : {}),
            link: { ...(o.brokerTls ? { tls: o.brokerTls } : {}), ...(o.streamTransport ? { streamTransport: o.streamTransport } : {}) },
          });
          devices[i] = sim;
          await firstSync(sim.link);
          bar.tick();
        }),
      );
    }
  } catch (err) {
    await stopDevices(devices.filter((d) => d !== undefined));
    throw err;
  }
  return { roomArn: RoomArn, profileArn: ProfileArn, devices, secrets };
}

/**
 * Stops simulated devices `batch` at a time, errors ignored. Each goes offline cleanly, which can
 * take up to its link's close timeout (an outbox the cloud has not acknowledged), so a fleet of
 * thousands is not stopped one by one.
 */
export async function stopDevices(devices: readonly SimulatedDevice[], batch = 100): Promise<void> {
  for (let first = 0; first < devices.length; first += batch) {
    await Promise.all(devices.slice(first, first + batch).map((d) => d.stop().catch(() => undefined)));
  }
}

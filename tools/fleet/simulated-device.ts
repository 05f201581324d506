import { DeviceCloudLink, type DeviceCloudLinkOptions } from '../../cloud-link/device/link/device-cloud-link.js';
import { Device } from '../../firmware/device/device.js';
import { deviceModel } from '../../firmware/device-model.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { LedRenderer } from '../../hal/leds/types.js';
import { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import type { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import type { ScorerSource } from '../../models/wakeword/scorer.js';
import type { VoiceActivityDetector } from '../../models/vad/types.js';

export interface SimulatedDeviceOptions {
  url: string;
  deviceId: string;
  secret: string;
  /** The device's flash. */
  dataDir: string;
  clock: Clock;
  /** Loaded once per process (or a SpotterPool's workers) and shared: each device gets only its own engine state. */
  models: OpenWakeWordModels | ScorerSource;
  modelId?: string;
  vad?: VoiceActivityDetector;
  leds?: LedRenderer[];
  log?: Logger;
  link?: Partial<Omit<DeviceCloudLinkOptions, 'url' | 'deviceId' | 'secret' | 'clock' | 'dataDir'>>;
}

export interface SimulatedDevice {
  readonly device: Device;
  readonly link: DeviceCloudLink;
  stop(): Promise<void>;
}

/**
 * One simulated device of a fleet: the real firmware (state machine, features on its own flash,
 * light ring) with a spotter over the process's shared openWakeWord models, linked to the cloud.
 * A device whose microphones nobody feeds costs only its link and timers: no inference runs.
 */
export async function startSimulatedDevice(o: SimulatedDeviceOptions): Promise<SimulatedDevice> {
  const link = new DeviceCloudLink({ url: o.url, deviceId: o.deviceId, secret: o.secret, clock: o.clock, dataDir: o.dataDir, ...(o.log ? { log: o.log } : {}), ...o.link });
  const device = new Device({
    model: deviceModel(o.modelId ?? 'echo-dot-3'),
    clock: o.clock,
    dataDir: o.dataDir,
    engine: new OpenWakeWordEngine(o.models),
    ...(o.vad ? { vad: o.vad } : {}),
    link,
    leds: o.leds ?? [],
    ...(o.log ? { log: o.log } : {}),
  });
  try {
    await link.attach(device);
  } catch (err) {
    await link.close().catch(() => undefined);
    await device.stop().catch(() => undefined);
    throw err;
  }
  return {
    device,
    link,
    async stop() {
      await link.close();
      await device.stop();
      o.vad?.close?.();
    },
  };
}

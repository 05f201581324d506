import type { DeviceCloudLink, DeviceCloudLinkOptions } from '../../cloud-link/device/link/device-cloud-link.js';
import type { Device } from '../../firmware/device/device.js';
import { deviceModel } from '../../firmware/device-model.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { LedRenderer } from '../../hal/leds/types.js';
import { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import type { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import type { ScorerSource } from '../../models/wakeword/scorer.js';
import type { WakeWordRegistry } from '../../models/wakeword/registry.js';
import type { VoiceActivityDetector } from '../../models/vad/types.js';
import { DeviceRuntime } from '../runtime/device-runtime.js';

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
  /** The words it spots at start (default the models' default words). */
  keywords?: readonly string[];
  /** With it, a room profile's WakeWord switches the device among the registry's words; without, its words are fixed. */
  registry?: WakeWordRegistry;
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
 * light ring) with a spotter over the process's shared openWakeWord models, linked to the cloud,
 * composed and started by the DeviceRuntime (tools/runtime/device-runtime.ts). A device whose
 * microphones nobody feeds costs only its link and timers: no inference runs.
 */
export async function startSimulatedDevice(o: SimulatedDeviceOptions): Promise<SimulatedDevice> {
  const runtime = await DeviceRuntime.compose((parts) => {
    parts.own(() => o.vad?.close?.());
    return {
      device: {
        model: deviceModel(o.modelId ?? 'echo-dot-3'),
        clock: o.clock,
        dataDir: o.dataDir,
        engine: new OpenWakeWordEngine(o.models, o.keywords ? { keywords: o.keywords } : {}),
        ...(o.registry ? { wakeWords: o.registry } : {}),
        ...(o.vad ? { vad: o.vad } : {}),
        leds: o.leds ?? [],
        ...(o.log ? { log: o.log } : {}),
      },
      link: { url: o.url, deviceId: o.deviceId, secret: o.secret, ...(o.log ? { log: o.log } : {}), ...o.link },
    };
  });
  try {
    await runtime.start();
  } catch (err) {
    await runtime.stop().catch(() => undefined);
    throw err;
  }
  const link = runtime.link!; // composed with a link
  return { device: runtime.device, link, stop: () => runtime.stop() };
}

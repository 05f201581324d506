import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../core/log.js';
import { packageRoot } from '../../../core/package-root.js';
import { deviceArn } from '../a4b/arn.js';
import type { A4bService } from '../a4b/service.js';
import type { CloudEventBus } from '../mqtt/cloud-events.js';
import type { HaDevice } from './discovery.js';
import { HomeAssistantBridge, type HaClient, type HaReported } from './ha-bridge.js';

/** Every registered device, through the same SearchDevices operation the API serves. */
async function registeredDevices(service: A4bService): Promise<HaDevice[]> {
  const out: HaDevice[] = [];
  let token: string | undefined;
  do {
    const page = (await service.call('SearchDevices', { MaxResults: 50, ...(token ? { NextToken: token } : {}) })) as {
      Devices?: Array<Record<string, unknown>>;
      NextToken?: string;
    };
    for (const d of page.Devices ?? []) {
      if (d.DeviceStatus === 'DEREGISTERED') continue;
      out.push({
        deviceId: String(d.DeviceSerialNumber),
        name: String(d.DeviceName ?? d.DeviceSerialNumber),
        model: String(d.DeviceType),
        ...(typeof d.SoftwareVersion === 'string' ? { softwareVersion: d.SoftwareVersion } : {}),
      });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

/** What the device reported about itself in its shadow (volume, microphone switch, do-not-disturb, timers). */
function reportedDevice(service: A4bService, deviceId: string): HaReported {
  const doc = service.shadows.get(deviceId)?.document as { state?: { reported?: { device?: Record<string, unknown> } } } | undefined;
  const d = doc?.state?.reported?.device ?? {};
  const timers = Array.isArray(d.Timers) ? (d.Timers as Array<{ Label?: unknown; DueAt?: unknown }>) : [];
  return {
    ...(typeof d.Volume === 'number' ? { volume: d.Volume } : {}),
    ...(typeof d.MicOff === 'boolean' ? { micOff: d.MicOff } : {}),
    ...(typeof d.DoNotDisturb === 'boolean' ? { doNotDisturb: d.DoNotDisturb } : {}),
    ...(typeof d.TimerCount === 'number'
      ? {
          timerCount: d.TimerCount,
          timers: timers
            .filter((t) => typeof t.DueAt === 'number')
            .map((t) => ({ ...(typeof t.Label === 'string' ? { label: t.Label } : {}), dueAt: new Date(t.DueAt as number).toISOString() })),
        }
      : {}),
  };
}

/** Starts Home Assistant discovery for the cloud's registry over its MQTT client. */
export async function startHomeAssistant(service: A4bService, client: HaClient, bus: CloudEventBus, log: Logger): Promise<HomeAssistantBridge> {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const bridge = new HomeAssistantBridge({
    client,
    bus,
    log: log.child({ component: 'home-assistant' }),
    origin: { name: 'echosim', sw: pkg.version },
    devices: () => registeredDevices(service),
    reported: (id) => reportedDevice(service, id),
    command: async (id, command) => void (await service.call('SendDeviceCommand', { DeviceArn: deviceArn(id), Command: command })),
  });
  await bridge.start();
  return bridge;
}

/** The one device's discovery after its registration. */
export async function deviceForHomeAssistant(service: A4bService, deviceId: string): Promise<HaDevice | undefined> {
  return (await registeredDevices(service)).find((d) => d.deviceId === deviceId);
}

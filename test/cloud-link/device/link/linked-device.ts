/**
 * A real Device (the spotter and VAD models, test/firmware/device/harness.ts) wired to a real
 * DeviceCloudLink, both on one VirtualClock: link timers (request timeouts, backoff, metrics) fire only
 * when a test advances the clock, while MQTT traffic is real and awaited with `waitUntil`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { DeviceCloudLink, type DeviceCloudLinkEvents, type DeviceCloudLinkOptions } from '../../../../cloud-link/device/link/device-cloud-link.js';
import type { Device } from '../../../../firmware/device/device.js';
import type { DeviceOptions } from '../../../../firmware/device/types.js';
import { VirtualClock } from '../../../../core/clock.js';
import { waitUntil } from '../../../support/mosquitto.js';
import { bootDevice, type TestDevice } from '../../../firmware/device/harness.js';

export const secretOf = (id: string): string => `secret-of-${id}-0123456789`;

export type LinkEvent = { [K in keyof DeviceCloudLinkEvents]: { type: K; payload: DeviceCloudLinkEvents[K][0] } }[keyof DeviceCloudLinkEvents];

const LINK_EVENTS: Array<keyof DeviceCloudLinkEvents> = [
  'up', 'down', 'connection', 'profile-applied', 'profile-rejected', 'reported', 'shadow-rejected', 'job', 'reboot', 'malformed', 'warning',
  'utterance-rejected', 'utterance-response', 'announcement',
];

export interface LinkedDevice {
  link: DeviceCloudLink;
  device: Device;
  td: TestDevice;
  clock: VirtualClock;
  dataDir: string;
  events: LinkEvent[];
  /** Listeners per device event before the link was attached, and now. */
  baselineListeners: Record<string, number>;
  listenerCounts(): Record<string, number>;
  of<K extends keyof DeviceCloudLinkEvents>(type: K): Array<DeviceCloudLinkEvents[K][0]>;
  /** Advances the clock 1 s at a time (letting real I/O run in between) until `condition` holds. */
  until(condition: () => boolean, what: string, maxSeconds?: number): Promise<void>;
  /** Closes the link and stops the device; the data directory stays (for a restart). */
  stop(): Promise<void>;
}

export interface LinkedDeviceOptions extends Partial<Omit<DeviceCloudLinkOptions, 'clock'>> {
  url: string;
  deviceId: string;
  clock?: VirtualClock;
  modelId?: string;
  /** More for the Device (e.g. `wakeWords`, so a room profile can switch its spotter). */
  deviceOptions?: Partial<DeviceOptions>;
}

/** A device whose link is attached and started (so connecting) on a fresh or given data directory. */
export async function linkedDevice(options: LinkedDeviceOptions): Promise<LinkedDevice> {
  const clock = options.clock ?? new VirtualClock();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'echosim-link-'));
  const { modelId, clock: _clock, deviceOptions, ...linkOptions } = options;
  const link = new DeviceCloudLink({ secret: secretOf(options.deviceId), backoff: { random: () => 0.5 }, ...linkOptions, clock, dataDir });
  const events: LinkEvent[] = [];
  for (const type of LINK_EVENTS) link.on(type, ((payload: never) => events.push({ type, payload } as LinkEvent)) as never);
  const td = await bootDevice({ offline: false, link, dataDir, clock, ...(modelId ? { modelId } : {}), ...deviceOptions });
  const listenerCounts = (): Record<string, number> =>
    Object.fromEntries(td.device.eventNames().map((name) => [String(name), td.device.listenerCount(name)]));
  const baselineListeners = listenerCounts();
  await link.attach(td.device);
  await link.start();
  const ld: LinkedDevice = {
    link,
    device: td.device,
    td,
    clock,
    dataDir,
    events,
    baselineListeners,
    listenerCounts,
    of: <K extends keyof DeviceCloudLinkEvents>(type: K) => events.filter((e) => e.type === type).map((e) => e.payload as DeviceCloudLinkEvents[K][0]),
    async until(condition, what, maxSeconds = 120) {
      for (let s = 0; !condition(); s++) {
        if (s > maxSeconds) throw new Error(`not reached within ${maxSeconds} s of device time: ${what}`);
        await waitUntil(() => condition(), what, 200).catch(() => undefined);
        if (!condition()) await clock.advance(1000);
      }
    },
    async stop() {
      await link.close();
      await td.device.stop();
    },
  };
  return ld;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A pino logger at trace level writing into `lines`, to check what the link logs. */
export function capturingLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return pino({ level: 'trace' }, sink);
}

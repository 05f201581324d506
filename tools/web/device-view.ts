import type { Device } from '../../firmware/device/device.js';
import type { RingScene } from '../../firmware/leds/ring-scene.js';
import { rgbHex } from '../../hal/leds/types.js';
import { audioSeconds } from '../device-events.js';
import type { BrowserMic } from './browser-mic.js';
import { DEVICE_SOCKET_PROTOCOL, type DeviceEvent, type DeviceServerMessage, type DeviceStreamMessage } from './protocol/device-socket.js';

/** What the device socket says about a device (tools/web/protocol/device-socket.ts), built from the device itself. */

type Snapshot = Extract<DeviceServerMessage, { type: 'snapshot' }>;
type Status = Omit<Extract<DeviceStreamMessage, { type: 'status' }>, 'type'>;
type SceneMessage = Extract<DeviceStreamMessage, { type: 'ring' }>['ring'];

/** The ring's scene in the socket's units (device times in seconds), without the fields it does not use. */
export function sceneMessage(s: RingScene): SceneMessage {
  return {
    pattern: s.pattern,
    since: audioSeconds(s.since),
    ...(s.direction !== undefined ? { direction: s.direction } : {}),
    ...(s.volume ? { volume: { level: s.volume.level, max: s.volume.max, until: audioSeconds(s.volume.until) } } : {}),
    ...(s.dndSince !== undefined ? { dndSince: audioSeconds(s.dndSince) } : {}),
  };
}

export function deviceStatus(device: Device): Status {
  return { state: device.state, micOn: device.microphonesOn, volume: { level: device.volume, max: device.maxVolume } };
}

/** Everything a client needs to start from: the model, the ring (its frame now and its scene), status, level and recent events. */
export function deviceSnapshot(device: Device, mic: BrowserMic | undefined, level: number | null, events: readonly DeviceEvent[]): Snapshot {
  const m = device.model;
  return {
    type: 'snapshot',
    protocol: DEVICE_SOCKET_PROTOCOL,
    model: { id: m.id, name: m.name, ledCount: m.leds.count, layout: m.leds.layout, buttons: [...m.buttons] },
    ledFps: device.leds.fps,
    time: audioSeconds(device.clock.now()),
    leds: device.leds.current().leds.map(rgbHex),
    ring: sceneMessage(device.leds.scene),
    ...deviceStatus(device),
    level,
    microphone: { description: mic?.info.description ?? 'none', acceptsAudio: mic !== undefined },
    events: [...events],
  };
}

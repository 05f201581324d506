import type { IClientOptions, MqttClient } from 'mqtt';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { availabilityTopic } from '../broker/acl.js';

export interface AvailabilityPayloads {
  online: string | Buffer;
  offline: string | Buffer;
}

/**
 * A device's presence on its retained `echosim/v1/devices/{id}/availability` topic (QoS 1; docs/device-shadow.md#availability):
 * - the last will, registered at CONNECT: a retained `offline` the broker publishes if the connection
 *   dies without a clean DISCONNECT (a power cut, `close({ abrupt: true })`);
 * - a retained `online` published on every connect;
 * - a final retained `offline` published by a clean close before it disconnects (a normal DISCONNECT
 *   discards the will, and a stale retained `online` would keep the device ONLINE in the cloud forever).
 */
export class DeviceAvailability {
  readonly topic: string;

  constructor(
    deviceId: string,
    private readonly payloads: AvailabilityPayloads = { online: 'online', offline: 'offline' },
  ) {
    this.topic = availabilityTopic(deviceId);
  }

  /** The last will, fixed when the connection opens. */
  will(): NonNullable<IClientOptions['will']> {
    return { topic: this.topic, payload: Buffer.from(this.payloads.offline), qos: 1, retain: true };
  }

  /** Publishes `online` on a fresh connection (not waited for: a lost connection only logs it). */
  announceOnline(client: MqttClient, log: Logger): void {
    client.publish(this.topic, this.payloads.online, { qos: 1, retain: true }, (err) => {
      if (err) log.debug({ err: err.message }, 'online not acknowledged (connection lost)');
    });
  }

  /** Publishes the final `offline`; resolves on its PUBACK, the socket closing or `timeoutMs` on the clock, whichever is first. */
  async announceOffline(client: MqttClient, clock: Clock, timeoutMs: number): Promise<void> {
    let timer: TimerHandle | undefined;
    const acked = new Promise<void>((resolve) => {
      client.publish(this.topic, this.payloads.offline, { qos: 1, retain: true }, () => resolve());
      client.once('close', () => resolve());
      timer = clock.setTimeout(resolve, timeoutMs);
    });
    await acked;
    if (timer) clock.clearTimeout(timer);
  }
}

import { z } from 'zod';
import { topicFor } from './topics.js';

/**
 * Availability (docs/device-shadow.md#availability, as Home Assistant does it): after connecting the device publishes a
 * retained `online`; its MQTT last will, registered at connect, makes the broker publish a retained
 * `offline` when the connection dies without a clean disconnect. A clean shutdown publishes `offline`
 * itself before disconnecting. Retained, so whoever subscribes later learns the current state at once.
 *
 * The will is fixed when the connection opens, so its `at` is the connect time, not the time of
 * death: `reason: 'connection-lost'` says so, and the cloud uses its own receive time for the
 * ConnectionStatus update time.
 */

export const AVAILABILITY_STATUSES = ['online', 'offline'] as const;
export type AvailabilityStatus = (typeof AVAILABILITY_STATUSES)[number];

export const AvailabilitySchema = z
  .strictObject({
    status: z.enum(AVAILABILITY_STATUSES),
    at: z.int().min(0).meta({ description: 'Epoch milliseconds: when it went online or shut down; for a last will, when the session began.' }),
    reason: z.enum(['connected', 'shutdown', 'connection-lost']).optional(),
  })
  .meta({ title: 'Availability' });
export type Availability = z.infer<typeof AvailabilitySchema>;

export function onlinePayload(at: number): string {
  return JSON.stringify({ status: 'online', at, reason: 'connected' } satisfies Availability);
}

export function offlinePayload(at: number, reason: 'shutdown' | 'connection-lost' = 'shutdown'): string {
  return JSON.stringify({ status: 'offline', at, reason } satisfies Availability);
}

/** The `will` option of an MQTT connect for `deviceId` (mqtt.js IClientOptions['will'] shape). */
export function lastWill(deviceId: string, sessionStartedAt: number): { topic: string; payload: Buffer; qos: 1; retain: true } {
  return { topic: topicFor('availability', deviceId), payload: Buffer.from(offlinePayload(sessionStartedAt, 'connection-lost')), qos: 1, retain: true };
}

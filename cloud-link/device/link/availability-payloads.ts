import type { Clock } from '../../../core/clock.js';
import { offlinePayload, onlinePayload } from '../../protocol/availability.js';

/**
 * The availability payloads (cloud-link/protocol/availability.ts, JSON) for an MqttConnection's
 * `availabilityPayloads`. The connection reads them at each use, so they are getters:
 * - `online`, published retained on every connect, carries that connect's time;
 * - `offline` is first the last will, registered when the connection is created: `connection-lost`,
 *   timed at the session start (the broker publishes it whenever the device dies, at a time nobody
 *   can know in advance); once `shuttingDown()` says so it is the clean goodbye that close() publishes:
 *   `shutdown`, timed now.
 */
export interface AvailabilityPayloads {
  readonly online: string;
  readonly offline: string;
}

export function availabilityPayloads(clock: Clock, shuttingDown: () => boolean): AvailabilityPayloads {
  const sessionStartedAt = Math.round(clock.wallNow());
  return {
    get online(): string {
      return onlinePayload(Math.round(clock.wallNow()));
    },
    get offline(): string {
      return shuttingDown() ? offlinePayload(Math.round(clock.wallNow()), 'shutdown') : offlinePayload(sessionStartedAt, 'connection-lost');
    },
  };
}

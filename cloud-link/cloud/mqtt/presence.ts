import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import { AvailabilitySchema, type Availability } from '../../protocol/availability.js';
import { parsePayload } from '../../protocol/parse.js';
import type { A4bService } from '../a4b/service.js';
import type { CloudEventBus } from './cloud-events.js';

/**
 * Availability -> A4B ConnectionStatus. A device publishes a retained `online` after connecting and
 * `offline` on a clean shutdown; its last will publishes `offline` (reason connection-lost) when the
 * connection dies. The registry ignores events older than the last one it recorded, so the time
 * matters:
 * - a live message is timestamped on arrival (a last will's `at` is when the session began);
 * - a retained one, replayed when the cloud (re)subscribes, carries its own `at`, except a retained
 *   last will, which says only that the device is offline now.
 */
export class Presence {
  constructor(
    private readonly service: A4bService,
    private readonly clock: Clock,
    private readonly bus: CloudEventBus,
    private readonly log: Logger,
  ) {}

  /** Returns the status recorded, or undefined when the message was ignored. */
  onAvailability(deviceId: string, payload: Buffer, retained: boolean): 'ONLINE' | 'OFFLINE' | undefined {
    if (payload.length === 0) return undefined; // a cleared retained message
    const message = parseAvailability(payload);
    if (!message) {
      this.log.warn({ deviceId }, 'availability message ignored: neither online/offline nor the availability schema');
      return undefined;
    }
    const now = this.clock.wallNow();
    const at = !retained || message.at === undefined || message.reason === 'connection-lost' ? now : Math.min(message.at, now);
    const status = message.status === 'online' ? 'ONLINE' : 'OFFLINE';
    let applied = false;
    try {
      applied = this.service.setConnection(deviceId, status, at);
    } catch (err) {
      this.log.warn({ deviceId, err: (err as Error).message }, 'connection status not stored');
    }
    if (!applied) return undefined;
    this.log.info({ deviceId, status, retained }, 'device connection status');
    this.bus.emit('presence', { deviceId, status, at });
    return status;
  }
}

/** The protocol's JSON, or the plain strings `online` / `offline` (Home Assistant style). */
function parseAvailability(payload: Buffer): (Pick<Availability, 'status'> & Partial<Availability>) | undefined {
  const text = payload.toString('utf8').trim();
  if (text === 'online' || text === 'offline') return { status: text };
  const parsed = parsePayload(AvailabilitySchema, payload);
  return parsed.ok ? parsed.value : undefined;
}

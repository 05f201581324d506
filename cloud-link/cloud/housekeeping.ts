import type { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { A4bService } from './a4b/service.js';
import { BookingReleaser } from './calendar/booking-releaser.js';
import type { CloudEvents } from './mqtt/cloud-events.js';
import type { RecordingStore } from './recordings/recording-store.js';

/**
 * The cloud's work on its own clock: bookings not checked in within their window are released
 * (calendar/booking-releaser.ts, `booking-released` on the bus), and recordings past their room's
 * retention are swept (recordings/recording-store.ts). `stop()` ends both.
 */
export function startHousekeeping(d: { service: A4bService; recordings: RecordingStore; clock: Clock; bus: EventEmitter<CloudEvents>; log: Logger }): { releaser: BookingReleaser; stop(): void } {
  const { service, recordings, bus } = d;
  const releaser = new BookingReleaser({
    bookings: service.bookings,
    clock: d.clock,
    log: d.log,
    onReleased: (released) => {
      for (const b of released) bus.emit('booking-released', { bookingId: b.id, roomId: b.room_id, startAt: b.start_at, at: b.updated_at });
    },
  });
  releaser.start();
  recordings.startSweeping({
    currentPolicy: (id) => {
      try {
        return service.retentionFor(id);
      } catch {
        return undefined;
      }
    },
    onSwept: (ids) => {
      if (ids.length > 0) service.recordings.delete(ids);
    },
  });
  return {
    releaser,
    stop: () => {
      recordings.stopSweeping();
      releaser.stop();
    },
  };
}

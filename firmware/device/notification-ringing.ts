import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Subscriptions } from '../../core/subscriptions.js';
import type { LocalFeatures } from '../features/local-features.js';
import { Ringer } from './ringer.js';
import type { DeviceEvents } from './types.js';

/** What the ringing needs from the device that owns it. */
export interface NotificationRingingHost {
  readonly clock: Clock;
  readonly log: Logger;
  /** One chime (the earcon), again every couple of seconds while something rings. */
  chime(): void;
  emit(event: 'notification', notification: DeviceEvents['notification'][0]): void;
  updateLeds(): void;
}

/**
 * Fired timers and alarms on the device: the local features say one fired (or was missed while the
 * device was off), the Ringer rings it until it is dismissed or gives up, and each step is a
 * `notification` event (ringing, dismissed, missed) with the ring redrawn (it shows a notification).
 */
export class NotificationRinging {
  private readonly ringer: Ringer;

  constructor(private readonly host: NotificationRingingHost) {
    this.ringer = new Ringer(
      host.clock,
      () => host.chime(),
      (items, why) => {
        for (const item of items) host.emit('notification', { ...item, at: host.clock.now(), action: 'dismissed' });
        host.log.info({ items: items.length, why }, 'notification stopped');
        host.updateLeds();
      },
    );
  }

  get ringing(): boolean {
    return this.ringer.ringing;
  }

  /** Silences everything ringing ("stop", the action button); whether anything was. */
  dismiss(): boolean {
    return this.ringer.dismiss();
  }

  /** Forgets everything without reporting (reset of notifications, shutdown). */
  cancelAll(): void {
    this.ringer.cancelAll();
  }

  wire(features: LocalFeatures, subs: Subscriptions): void {
    subs.on(features, 'timer-fired', ({ timer }) => this.ring('timer', timer.id, timer.label));
    subs.on(features, 'alarm-fired', ({ alarm }) => this.ring('alarm', alarm.id, alarm.label));
    subs.on(features, 'missed', ({ kind, item }) =>
      this.host.emit('notification', { kind, id: item.id, ...(item.label ? { label: item.label } : {}), at: this.host.clock.now(), action: 'missed' }),
    );
  }

  private ring(kind: 'timer' | 'alarm', id: string, label: string | undefined): void {
    this.ringer.ring({ kind, id, ...(label ? { label } : {}) });
    this.host.emit('notification', { kind, id, ...(label ? { label } : {}), at: this.host.clock.now(), action: 'ringing' });
    this.host.updateLeds();
  }
}

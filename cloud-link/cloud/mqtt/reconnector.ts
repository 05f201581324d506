import { EventEmitter } from 'node:events';
import type { MqttClient, Store } from 'mqtt';
import { ReconnectBackoff, type ReconnectBackoffOptions } from '../../mqtt/reconnect-backoff.js';

/**
 * The reconnects of the cloud's own MQTT client. mqtt.js' built-in ones (a fixed period, 1 s by
 * default) are off: measured after a 3 s embedded-broker outage, the cloud came back 1.6 s after the
 * broker, and every device's shadow request queued for it waited as long. This uses the devices'
 * policy (cloud-link/mqtt/reconnect-backoff.ts: a fast window after a healthy connection, growth
 * past it, a flap budget against a broker that keeps kicking the client) with a lower base, since the
 * cloud is one client that a fleet waits on.
 *
 * Real timers: the link between the cloud and its broker runs in real time even when the registry's
 * clock is virtual (tests). Every wait is announced (`scheduled`) before it starts.
 */

/** The cloud's policy: 250 ms waits for 10 s after losing a healthy connection, then growth to 10 s. */
export const CLOUD_RECONNECT: ReconnectBackoffOptions = { baseMs: 250, capMs: 10_000 };

export interface ReconnectorEvents {
  scheduled: [{ delayMs: number; attempt: number }];
}

export class Reconnector extends EventEmitter<ReconnectorEvents> {
  private readonly backoff: ReconnectBackoff;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly onClose = (): void => this.schedule();

  constructor(
    private readonly client: MqttClient,
    private readonly stores: { incomingStore: Store; outgoingStore: Store },
    backoff: ReconnectBackoff | ReconnectBackoffOptions = CLOUD_RECONNECT,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    this.backoff = backoff instanceof ReconnectBackoff ? backoff : new ReconnectBackoff(backoff);
    client.on('close', this.onClose);
  }

  /** The connection is healthy (CONNACK, and the subscriptions in place). */
  healthy(): void {
    this.backoff.connected(this.now());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.client.off('close', this.onClose);
    this.removeAllListeners();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return; // one wait at a time: a failed attempt may close twice
    const now = this.now();
    this.backoff.disconnected(now);
    const delayMs = this.backoff.next(now);
    this.emit('scheduled', { delayMs, attempt: this.backoff.attempt });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.client.reconnect(this.stores); // the same stores: unacknowledged publishes survive
    }, delayMs);
  }
}

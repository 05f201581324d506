import type { MqttClient } from 'mqtt';
import { EchosimError } from '../../core/errors.js';
import { maySubscribe, type Principal } from '../broker/acl.js';

/** How a SUBSCRIBE ended short of a refusal: acknowledged, or no SUBACK came (why, when mqtt.js said). */
export type SubscribeOutcome = { acked: true } | { acked: false; err: Error | null };

/**
 * The filters a device holds at QoS 1, re-subscribed on every connect (a broker without persistence,
 * or one that lost the session, would otherwise leave the device deaf). A filter outside the device's
 * own topics is refused before it is kept (MQTT_NOT_AUTHORIZED), so the set only ever holds filters
 * the broker's ACL should grant; a SUBACK that refuses one anyway is an MQTT_NOT_AUTHORIZED too.
 */
export class DeviceSubscriptions {
  private readonly filters: Set<string>;

  constructor(
    private readonly principal: Principal,
    initial: readonly string[] = [],
  ) {
    for (const f of initial) this.check(f);
    this.filters = new Set(initial);
  }

  /** Every filter held, in the order first added. */
  get all(): string[] {
    return [...this.filters];
  }

  /** Checks every filter, then keeps them all (none if one is refused); returns them as a list. */
  add(filters: string | readonly string[]): string[] {
    const list = typeof filters === 'string' ? [filters] : [...filters];
    for (const f of list) this.check(f);
    for (const f of list) this.filters.add(f);
    return list;
  }

  /** One SUBSCRIBE of `filters` at QoS 1; rejects with MQTT_NOT_AUTHORIZED naming the filters the SUBACK refused. */
  async subscribe(client: MqttClient, filters: string[]): Promise<SubscribeOutcome> {
    // mqtt.js fails the whole SUBSCRIBE when one filter is refused; the SUBACK says which.
    const { err, codes } = await new Promise<{ err: Error | null; codes: unknown[] | undefined }>((resolve) =>
      client.subscribe(filters, { qos: 1 }, (e, _granted, packet) => resolve({ err: e ?? null, codes: packet?.granted })),
    );
    if (!codes) return { acked: false, err };
    const refused = filters.filter((_, i) => typeof codes[i] !== 'number' || ((codes[i] as number) & 0x80) !== 0);
    if (refused.length > 0) {
      throw new EchosimError('MQTT_NOT_AUTHORIZED', `the broker refused the subscription to ${refused.join(', ')}`, {
        hint: `A device may subscribe only under echosim/v1/devices/${this.principal.username}/; check the broker's ACL for this device.`,
        details: { filters: refused },
      });
    }
    return { acked: true };
  }

  private check(filter: string): void {
    if (!maySubscribe(this.principal, filter)) {
      throw new EchosimError('MQTT_NOT_AUTHORIZED', `device ${this.principal.username} may not subscribe to ${filter}`, {
        hint: `A device subscribes only under echosim/v1/devices/${this.principal.username}/ (no wildcard above that level).`,
        details: { filter },
      });
    }
  }
}

import { MAX_CONTEXT_ITEMS, MAX_ITEM_CHARS, type DeviceContext } from '../../cloud-link/protocol/directives.js';
import type { InteractionHost } from '../device/interaction-host.js';

/**
 * What the device tells the cloud with each request so that an answer can use local state (as AVS
 * sends context with Recognize): running timers, the shopping list, volume, do-not-disturb and the
 * time zone. Bounded by the protocol's limits; undefined when the features are not open.
 */
export function deviceContext(device: {
  readonly clock: Pick<InteractionHost['clock'], 'wallNow'>;
  features: InteractionHost['features'];
  readonly speaker: Pick<InteractionHost['speaker'], 'volume'>;
}): DeviceContext | undefined {
  let features;
  try {
    features = device.features();
  } catch {
    return undefined;
  }
  const now = device.clock.wallNow(); // due times are wall-clock (they survive a restart in flash)
  const settings = features.settings.get();
  return {
    timeZone: features.settings.effectiveTimeZone().slice(0, 64),
    timers: features.timers
      .list()
      .map((t) => Math.max(0, Math.round(t.dueAt - now)))
      .sort((a, b) => a - b)
      .slice(0, MAX_CONTEXT_ITEMS)
      .map((remainingMs) => ({ remainingMs })),
    shoppingList: features.lists
      .items('shopping')
      .filter((i) => !i.completed && i.text.trim() !== '')
      .slice(0, MAX_CONTEXT_ITEMS)
      .map((i) => i.text.trim().slice(0, MAX_ITEM_CHARS)),
    volume: device.speaker.volume,
    doNotDisturb: settings.doNotDisturb,
  };
}

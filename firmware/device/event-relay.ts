import type { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import type { Subscriptions } from '../../core/subscriptions.js';
import type { LocalFeatures } from '../features/local-features.js';
import type { LedRing } from '../leds/led-ring.js';
import type { Speaker } from '../speaker/speaker.js';
import type { DeviceStateMachine } from '../state/state-machine.js';
import type { DeviceEvents } from './types.js';

/** The parts whose events the device restates as its own. */
export interface RelayedParts {
  readonly clock: Clock;
  readonly machine: DeviceStateMachine;
  readonly speaker: Speaker;
  readonly leds: LedRing;
  readonly features: LocalFeatures;
  /** Logs and emits a `warning` (the device's own). */
  warn(code: string, message: string): void;
}

/**
 * The device's events that only restate a part's: every state transition (`state`), the speaker's
 * volume changes and sounds (`volume`, `sound`), corrupt storage the local features found (a
 * `warning`), and the ring's frames (`leds`). The `state` listener is added first, so the device
 * reports a transition before anything reacts to it. Every listener comes off with `subs`.
 */
export function relayPartEvents(device: EventEmitter<DeviceEvents>, parts: RelayedParts, subs: Subscriptions): void {
  subs.on(parts.machine, 'transition', (t) => device.emit('state', t));
  forwardLedFramesWhenWatched(device, parts.leds, subs);
  subs.on(parts.speaker, 'volume', (v) => device.emit('volume', { ...v, at: parts.clock.now() }));
  subs.on(parts.speaker, 'play', (p) => device.emit('sound', { label: p.label, at: p.at, durationMs: p.durationMs }));
  subs.on(parts.features, 'storage-corrupt', (c) => parts.warn('SETTINGS_INVALID', `${c.store} slot ${c.slot}: ${c.reason}`));
}

/**
 * The ring's frames become 'leds' events once anyone listens for them. Until then nothing is
 * forwarded, so a headless device's ring (no renderer, as in a fleet) parks its 20 fps tick.
 */
function forwardLedFramesWhenWatched(device: EventEmitter<DeviceEvents>, leds: LedRing, subs: Subscriptions): void {
  let forwarding = false;
  const forward = (): void => {
    if (forwarding) return;
    forwarding = true;
    subs.on(leds, 'frame', (f) => device.emit('leds', f));
  };
  if (device.listenerCount('leds') > 0) forward();
  else {
    const self = device as EventEmitter;
    const onNew = (event: string | symbol): void => void (event === 'leds' && forward());
    self.on('newListener', onNew);
    subs.add(() => self.off('newListener', onNew));
  }
}

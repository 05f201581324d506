import type { Device } from '../firmware/device/device.js';
import { Subscriptions } from '../core/subscriptions.js';
import type { DeviceEvents } from '../firmware/device/types.js';
import type { FeaturesSnapshot } from '../firmware/features/local-features.js';
import { nearestLed } from '../firmware/leds/ring-geometry.js';
import { SAMPLE_RATE } from '../core/audio-format.js';

type Sink = (event: Record<string, unknown>) => void;

/** Device time (ms) as audio seconds, to the millisecond. */
export const audioSeconds = (ms: number): number => Math.round(ms) / 1000;
const indexSeconds = (index: number): number => Math.round((index / SAMPLE_RATE) * 1000) / 1000;
const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;

/**
 * The device's events as JSON lines (`echosim device --events jsonl`), each with the audio time it
 * happened at (`time`, seconds). LED frames are not here: a throttled JsonEventsRenderer adds them.
 * Returns a function that detaches the listeners.
 */
export function attachJsonEvents(device: Device, sink: Sink): () => void {
  const ledCount = device.model.leds.count;
  const subs = new Subscriptions();
  const on = <K extends keyof DeviceEvents & string>(event: K, fn: (...args: DeviceEvents[K]) => void): void => subs.on(device, event, fn);
  on('state', (t) => sink({ type: 'state', time: audioSeconds(t.at), from: t.from, to: t.to, input: t.input, ...(t.detail ? { detail: t.detail } : {}) }));
  on('detection', (d) =>
    sink({
      type: 'detection',
      time: indexSeconds(d.detectedIndex),
      keyword: d.keyword,
      score: round(d.score, 4),
      beginIndex: d.beginIndex,
      endIndex: d.endIndex,
      accepted: d.accepted,
    }),
  );
  on('stream-start', (s) =>
    sink({
      type: 'stream-start',
      time: audioSeconds(s.at),
      id: s.id,
      initiator: s.initiator,
      ...(s.keyword ? { keyword: s.keyword } : {}),
      startIndex: s.startIndex,
      ...(s.wakeWordIndices ? { wakeWordIndices: s.wakeWordIndices } : {}),
      preRoll: s.preRoll,
    }),
  );
  on('stream-end', (e) => sink({ type: 'stream-end', time: audioSeconds(e.at), id: e.id, endIndex: e.endIndex, reason: e.reason }));
  on('button', (b) => sink({ type: 'button', time: audioSeconds(b.at), button: b.button, action: b.action, effect: b.effect }));
  on('direction', (d) =>
    sink({ type: 'direction', time: audioSeconds(d.at), azimuthDeg: d.azimuthDeg, led: nearestLed(d.azimuthDeg, ledCount), confidence: d.confidence }),
  );
  on('microphones', (m) => sink({ type: 'microphones', time: audioSeconds(m.at), on: m.on, origin: m.origin }));
  on('volume', (v) => sink({ type: 'volume', time: audioSeconds(v.at), level: v.level, requested: v.requested, clamped: v.clamped }));
  on('sound', (s) => sink({ type: 'sound', time: audioSeconds(s.at), label: s.label, durationMs: s.durationMs }));
  on('notification', (n) => sink({ type: 'notification', time: audioSeconds(n.at), kind: n.kind, id: n.id, action: n.action, ...(n.label ? { label: n.label } : {}) }));
  on('false-wake', (f) => sink({ type: 'false-wake', time: audioSeconds(f.at), id: f.id, reason: f.reason }));
  on('refused', (r) => sink({ type: 'refused', time: audioSeconds(r.at), request: r.request, code: r.code, message: r.message }));
  on('warning', (w) => sink({ type: 'warning', time: audioSeconds(w.at), code: w.code, message: w.message }));
  on('intent', (i) =>
    sink({ type: 'intent', time: audioSeconds(i.at), id: i.id, name: i.name, slots: i.slots, confidence: i.confidence, heard: i.heard, latencyMs: i.latencyMs }),
  );
  on('directive', (d) => sink({ type: 'directive', time: audioSeconds(d.at), directive: d.type, ok: d.ok, detail: d.detail }));
  on('wake-word', (c) =>
    sink({ type: 'wake-word', time: audioSeconds(c.at), keywords: c.keywords, ...(c.wakeWord ? { wakeWord: c.wakeWord } : {}), previous: c.previous, deferred: c.deferred }),
  );
  return () => subs.removeAll();
}

/**
 * `echosim device --events jsonl`'s `features` event, printed once the device has booted (the flash is
 * loaded): the local features it holds: the volume, do-not-disturb, the request earcons, the running
 * timers, the alarms and both lists. Returns the detacher.
 */
export function attachFeaturesEvent(device: Device, sink: Sink): () => void {
  const onState = (t: DeviceEvents['state'][0]): void => {
    if (t.from === 'BOOTING') sink({ type: 'features', time: audioSeconds(t.at), ...featuresOnFlash(device.features.snapshot()) });
  };
  device.on('state', onState);
  return () => device.off('state', onState);
}

function featuresOnFlash(f: FeaturesSnapshot): Record<string, unknown> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    volume: f.volume.level,
    doNotDisturb: f.settings.doNotDisturb,
    earcons: f.settings.earcons,
    timers: f.notifications.timers.map((t) => ({ id: t.id, ...(t.label ? { label: t.label } : {}), durationMs: t.durationMs, dueAt: iso(t.dueAt) })),
    alarms: f.notifications.alarms.map((a) => ({ id: a.id, time: a.time, repeat: a.repeat, ...(a.label ? { label: a.label } : {}), dueAt: iso(a.dueAt) })),
    lists: { shopping: f.lists.shopping.map((i) => i.text), todo: f.lists.todo.map((i) => i.text) },
  };
}

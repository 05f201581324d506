/** An event map as node:events types it: name -> argument tuple (the harness records the first argument). */
export type EventMap<E> = { [K in keyof E]: unknown[] };

/** One recorded event: its name, its payload, the clock time it was recorded at and a sequence number. */
export type EventRecord<E extends EventMap<E>> = {
  [K in keyof E]: { readonly seq: number; readonly name: K; readonly payload: E[K][0]; readonly at: number };
}[keyof E];

/** Events kept per log; the oldest are dropped beyond it (a long soak test must not grow without bound). */
export const DEFAULT_EVENT_CAPACITY = 20_000;

/**
 * Everything one component (a device, the cloud) said, in order, numbered: what tests inspect after
 * the fact (`of('state')`), wait on (`find(..., after)`), and what a timeout error quotes as the last
 * events seen. Sequence numbers keep counting when old events are dropped, so a mark taken earlier
 * stays meaningful.
 */
export class EventLog<E extends EventMap<E>> {
  private readonly events: Array<EventRecord<E>> = [];
  private nextSeq = 1;
  private readonly listeners = new Set<(e: EventRecord<E>) => void>();

  constructor(private readonly capacity = DEFAULT_EVENT_CAPACITY) {}

  /** The sequence number of the newest event (0 before any): pass it as `after` to wait for later ones. */
  get mark(): number {
    return this.nextSeq - 1;
  }

  record<K extends keyof E>(name: K, payload: E[K][0], at: number): EventRecord<E> {
    const e = { seq: this.nextSeq++, name, payload, at } as EventRecord<E>;
    this.events.push(e);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const l of [...this.listeners]) l(e);
    return e;
  }

  /** Every kept event, oldest first. */
  all(): ReadonlyArray<EventRecord<E>> {
    return this.events;
  }

  /** The payloads of every kept event called `name`, oldest first. */
  of<K extends keyof E>(name: K): Array<E[K][0]> {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as E[K][0]);
  }

  /** The first event called `name` after sequence number `after` for which `match` holds. */
  find<K extends keyof E>(name: K, match: ((payload: E[K][0]) => boolean) | undefined, after = 0): E[K][0] | undefined {
    for (const e of this.events) {
      if (e.seq > after && e.name === name && (!match || match(e.payload as E[K][0]))) return e.payload as E[K][0];
    }
    return undefined;
  }

  /** Calls `listener` for every event recorded from now on; returns the function that stops it. */
  subscribe(listener: (e: EventRecord<E>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The last `n` events as short lines (`2000 ms state IDLE->LISTENING (WAKE_WORD)`), for error
   * messages. LED frames are counted, not listed: at 20 frames a second they would hide the rest.
   */
  describeRecent(n = 8): string {
    const recent: string[] = [];
    let frames = 0;
    for (let i = this.events.length - 1; i >= 0 && recent.length < n; i--) {
      const e = this.events[i]!;
      if (e.name === 'leds') frames++;
      else recent.unshift(`${Math.round(e.at)} ms ${describeEvent(String(e.name), e.payload)}`);
    }
    if (recent.length === 0) return frames > 0 ? `only LED frames (${frames})` : 'none';
    return recent.join('; ') + (frames > 0 ? ` (+${frames} LED frames)` : '');
  }

  clear(): void {
    this.events.length = 0;
    this.listeners.clear();
  }
}

/** One event in a few words. */
export function describeEvent(name: string, payload: unknown): string {
  if (name === 'state' && isObject(payload)) return `state ${String(payload.from)}->${String(payload.to)} (${String(payload.input)})`;
  if (payload === undefined) return name;
  let json: string;
  try {
    json = JSON.stringify(payload, (_k, v: unknown) => (ArrayBuffer.isView(v) ? `<${(v as Int16Array).length} samples>` : v));
  } catch {
    json = String(payload);
  }
  return `${name} ${json.length > 120 ? `${json.slice(0, 117)}...` : json}`;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/**
 * Subscribes `listener` to `name` on any EventEmitter and returns the unsubscribe. Loosely typed on
 * purpose: callers take the names from typed lists (device-events.ts) and type the payload there.
 */
export function forward(source: object, name: string, listener: (payload: unknown) => void): () => void {
  const emitter = source as { on(n: string, l: (p: unknown) => void): unknown; off(n: string, l: (p: unknown) => void): unknown };
  emitter.on(name, listener);
  return () => void emitter.off(name, listener);
}

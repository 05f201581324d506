import type { Clock, TimerHandle } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { rgbHex, sameFrame, type LedFrame, type LedRenderer } from './types.js';

/** The JSON event for one frame: `{ type: 'leds', at, leds: ['#rrggbb', ...], pattern? }`. */
export interface LedsEvent {
  readonly type: 'leds';
  /** The frame's clock time, ms. */
  readonly at: number;
  /** One colour per LED, LED 0 first (azimuth 360·k/L counter-clockwise from microphone 0). */
  readonly leds: string[];
  /** What the ring means (the frame's label, e.g. `listening+volume`), when known. */
  readonly pattern?: string;
}

export interface JsonEventsOptions {
  /** At most one event per this many ms of frame time. Default 250. */
  readonly minIntervalMs?: number;
  /**
   * When given, a frame held back by the throttle is also flushed by a timer once the interval has
   * passed, even if no further frame comes (the ring engine sends nothing while the ring is static).
   */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export const DEFAULT_LED_EVENT_INTERVAL_MS = 250;

/**
 * LED frames as JSON events, for headless device-in-the-loop tests (JSON events out). Throttled so a
 * 20 fps animation does not drown the event stream: at most one event per `minIntervalMs` of frame
 * time. A changed frame that arrives too early is held, and goes out on the first render call after
 * the interval (as that call's newer frame, or as the held frame if nothing changed since), on the
 * clock's timer if one was given, and at the latest on close(): the final state is never lost.
 */
export class JsonEventsRenderer implements LedRenderer {
  private readonly minIntervalMs: number;
  private readonly clock: Clock | undefined;
  private readonly log: Logger;
  private lastEmitted: LedFrame | undefined;
  private held: LedFrame | undefined;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly sink: (event: LedsEvent) => void,
    options: JsonEventsOptions = {},
  ) {
    const interval = options.minIntervalMs ?? DEFAULT_LED_EVENT_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < 0) {
      throw new EchosimError('LED_FRAME_INVALID', `LED event interval ${interval} ms is not a duration`, {
        hint: 'give minIntervalMs as a number of milliseconds, 0 or more (default 250)',
      });
    }
    this.minIntervalMs = interval;
    this.clock = options.clock;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/leds/events' });
  }

  async render(frame: LedFrame): Promise<void> {
    if (this.closed) return;
    const last = this.lastEmitted;
    if (last && sameFrame(last, frame)) {
      // Back to what was last reported: whatever was held in between is moot.
      this.drop();
      return;
    }
    if (!last || frame.at - last.at >= this.minIntervalMs) {
      this.drop();
      this.emit(frame);
      return;
    }
    this.held = frame;
    if (this.clock && !this.timer) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        // Nobody awaits a timer: a throwing sink is logged here rather than crashing the device.
        try {
          this.flush();
        } catch (err) {
          this.log.error({ err }, 'the LED event sink failed');
        }
      }, last.at + this.minIntervalMs - frame.at);
    }
  }

  /** Emits the held frame, if any (the final state), and stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  private flush(): void {
    const held = this.held;
    this.drop();
    if (held) this.emit(held);
  }

  private drop(): void {
    this.held = undefined;
    if (this.timer && this.clock) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(frame: LedFrame): void {
    this.lastEmitted = frame;
    const event: LedsEvent = {
      type: 'leds',
      at: frame.at,
      leds: frame.leds.map(rgbHex),
      ...(frame.label !== undefined ? { pattern: frame.label } : {}),
    };
    this.sink(event);
  }
}

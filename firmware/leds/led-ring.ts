import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { OFF, sameFrame, type LedFrame, type LedRenderer } from '../../hal/leds/types.js';
import { checkVolume, VOLUME_OVERLAY_MS } from './overlays.js';
import { isLedPattern, LED_PATTERNS, type LedPattern } from './patterns.js';
import { normalizeAzimuth } from './ring-geometry.js';
import { sceneFrame, withoutExpired, type RingScene } from './ring-scene.js';

export interface LedRingOptions {
  readonly ledCount: number;
  readonly clock: Clock;
  /** Where frames go (terminal, JSON events, APA102). Each gets every changed frame. */
  readonly renderers: readonly LedRenderer[];
  /** Frames computed per second while running. Default 20: smooth enough for a 12-LED pulse, cheap on SPI. */
  readonly fps?: number;
  readonly logger?: Logger;
}

export interface LedRingEvents {
  /** A frame was sent to the renderers (only frames that differ from the previous one). */
  frame: [LedFrame];
  /**
   * What the ring means changed (pattern, direction, volume arc, DND flash): every frame until the
   * next change follows from this scene and the time (ring-scene.ts). Listening for it does not wake
   * a parked tick.
   */
  scene: [RingScene];
}

export const DEFAULT_LED_FPS = 20;

/**
 * The light ring engine: holds what the ring should mean (a base pattern, the talker's direction, the
 * volume and Do-Not-Disturb overlays), computes the frame for any instant from the injected clock, and
 * on a fixed-rate tick sends it to the renderers.
 *
 * Renderers only get a frame that differs from the last one sent, so a static pattern (mic-off red,
 * listening) costs one SPI write, not 20 a second. A renderer that throws does not stop the ring or
 * the device: the failure is logged once, and the ring keeps sending it frames (a USB terminal or an
 * SPI bus may come back). Renderers never get overlapping frames: a tick that finds a render still
 * in progress is owed, and the latest state is sent as soon as that render ends, so a slow renderer
 * sets its own pace but never gets a queue of stale frames.
 */
export class LedRing extends EventEmitter<LedRingEvents> {
  readonly ledCount: number;
  readonly fps: number;
  private readonly clock: Clock;
  private readonly renderers: readonly LedRenderer[];
  private readonly log: Logger;
  private readonly intervalMs: number;

  private sceneNow: RingScene;

  private state: 'idle' | 'running' | 'stopped' = 'idle';
  /** The tick is parked: nothing renders and nobody listens, so no frame needs computing. */
  private parked = false;
  private timer: TimerHandle | undefined;
  private nextTickAt = 0;
  private lastSent: LedFrame | undefined;
  private inFlight: Promise<void> | undefined;
  /** A tick was skipped because a render was in progress. */
  private owed = false;
  private readonly failing = new Set<LedRenderer>();
  private stopping: Promise<void> | undefined;

  constructor(options: LedRingOptions) {
    super();
    const { ledCount, fps = DEFAULT_LED_FPS } = options;
    if (!Number.isInteger(ledCount) || ledCount < 1) {
      throw new EchosimError('LED_FRAME_INVALID', `an LED ring needs a whole number of LEDs, at least 1; got ${ledCount}`, {
        hint: 'take the count from the device model (leds.count), e.g. 12 for an Echo Dot',
      });
    }
    if (!Number.isFinite(fps) || fps <= 0 || fps > 1000) {
      throw new EchosimError('LED_FRAME_INVALID', `LED frame rate ${fps} is out of range`, {
        hint: 'give a frame rate above 0 and at most 1000 frames per second (default 20)',
      });
    }
    this.ledCount = ledCount;
    this.fps = fps;
    this.intervalMs = 1000 / fps;
    this.clock = options.clock;
    this.renderers = [...options.renderers];
    this.log = options.logger ?? rootLogger().child({ module: 'firmware/leds' });
    this.sceneNow = { pattern: 'off', since: this.clock.now() };
    // A parked tick resumes as soon as someone listens for frames.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event !== 'frame' || !this.parked || this.state !== 'running') return;
      this.parked = false;
      this.nextTickAt = this.clock.now();
      this.timer = this.clock.setTimeout(() => this.tick(), 0);
    });
  }

  /** The base pattern the ring shows (overlays aside). */
  get pattern(): LedPattern {
    return this.sceneNow.pattern;
  }

  /** What the ring means now: its frames follow from this and the time. */
  get scene(): RingScene {
    return this.sceneNow;
  }

  /** Starts the fixed-rate tick; the first frame is sent at once. Idempotent while running. */
  start(): void {
    if (this.state === 'running') return;
    if (this.state === 'stopped') {
      throw new EchosimError('DEVICE_NOT_RUNNING', 'the LED ring was stopped and its renderers are closed', {
        hint: 'create a new LedRing (and renderers) to show frames again',
      });
    }
    this.state = 'running';
    this.nextTickAt = this.clock.now();
    this.tick();
  }

  /**
   * Shows a base pattern. Setting the pattern already shown changes nothing (a spin does not restart
   * when the device re-reports its state); a new pattern starts its animation from the beginning.
   */
  setPattern(pattern: LedPattern): void {
    if (!isLedPattern(pattern)) {
      throw new EchosimError('LED_FRAME_INVALID', `unknown LED pattern ${JSON.stringify(pattern)}`, {
        hint: `use one of: ${LED_PATTERNS.join(', ')}`,
      });
    }
    if (pattern === this.sceneNow.pattern) return;
    this.change({ pattern, since: this.clock.now() });
  }

  /**
   * Where the talker is, for the listening segment: azimuth in degrees, counter-clockwise seen from
   * above, 0 = microphone 0 (any value, wrapped into [0, 360)). undefined = unknown: the segment
   * points to the front (LED 0).
   */
  setDirection(azimuthDeg: number | undefined): void {
    if (azimuthDeg === undefined) {
      if (this.sceneNow.direction !== undefined) this.change({ direction: undefined });
      return;
    }
    if (!Number.isFinite(azimuthDeg)) {
      throw new EchosimError('LED_FRAME_INVALID', `talker azimuth ${azimuthDeg} is not a number of degrees`, {
        hint: 'give degrees counter-clockwise from microphone 0, or undefined when the direction is unknown',
      });
    }
    const direction = normalizeAzimuth(azimuthDeg);
    if (direction !== this.sceneNow.direction) this.change({ direction });
  }

  /** Shows the white volume arc (level of max) on top of everything for VOLUME_OVERLAY_MS from now. */
  showVolume(level: number, max: number): void {
    checkVolume(level, max);
    this.change({ volume: { level, max, until: this.clock.now() + VOLUME_OVERLAY_MS } });
  }

  /** One purple flash (DND_FLASH_MS) telling the user Do Not Disturb is on, e.g. after an interaction. */
  flashDnd(): void {
    this.change({ dndSince: this.clock.now() });
  }

  private change(part: Partial<RingScene>): void {
    this.sceneNow = withoutExpired({ ...this.sceneNow, ...part }, this.clock.now());
    this.emit('scene', this.sceneNow);
  }

  /** The frame for clock.now(), whether or not it has been sent yet. */
  current(): LedFrame {
    const at = this.clock.now();
    return { ...sceneFrame(this.sceneNow, at, this.ledCount), at };
  }

  /**
   * Stops the tick, waits for a render in progress, sends one all-off frame (so no LED stays latched
   * on) and closes every renderer. Renderer errors are logged, never thrown. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    const off: LedFrame = { leds: Array.from({ length: this.ledCount }, () => OFF), at: this.clock.now(), label: 'off' };
    this.lastSent = off;
    this.emit('frame', off);
    await this.send(off);
    await Promise.all(
      this.renderers.map(async (r) => {
        try {
          await r.close();
        } catch (err) {
          this.log.warn({ err, renderer: r.constructor.name }, 'closing an LED renderer failed');
        }
      }),
    );
  }

  private tick(): void {
    if (this.state !== 'running') return;
    // A ring with no renderer and no frame listener (a headless fleet device) would compute frames
    // nobody sees, 20 times a second per device: park until a listener arrives. `current()` still
    // answers on demand.
    if (this.renderers.length === 0 && this.listenerCount('frame') === 0) {
      this.parked = true;
      this.timer = undefined;
      return;
    }
    // Schedule first, so nothing a listener or renderer does can stop the tick. Ticks sit on a fixed
    // grid (start + n·interval, no drift); ticks missed while the event loop was busy are skipped, not
    // replayed in a burst.
    const now = this.clock.now();
    this.nextTickAt += this.intervalMs;
    if (this.nextTickAt <= now) this.nextTickAt = now + this.intervalMs - ((now - this.nextTickAt) % this.intervalMs);
    this.timer = this.clock.setTimeout(() => this.tick(), this.nextTickAt - now);

    this.push();
  }

  /** Sends the current frame if it changed; while a render is in progress, only notes that one is owed. */
  private push(): void {
    if (this.inFlight) {
      this.owed = true;
      return;
    }
    const frame = this.current();
    if (this.lastSent && sameFrame(this.lastSent, frame)) return;
    this.lastSent = frame;
    this.inFlight = this.send(frame).finally(() => {
      this.inFlight = undefined;
      // A tick came while this render was in progress: catch up with the latest state now rather
      // than a whole interval later. One catch-up per busy period, so a slow renderer sets the pace.
      if (this.owed && this.state === 'running') {
        this.owed = false;
        this.push();
      }
    });
    this.emit('frame', frame);
  }

  /** Sends one frame to every renderer at once; failures are logged once per renderer, never thrown. */
  private async send(frame: LedFrame): Promise<void> {
    await Promise.all(
      this.renderers.map(async (r) => {
        try {
          await r.render(frame);
          if (this.failing.delete(r)) this.log.info({ renderer: r.constructor.name }, 'LED renderer works again');
        } catch (err) {
          if (this.failing.has(r)) return;
          this.failing.add(r);
          this.log.error({ err, renderer: r.constructor.name }, 'LED renderer failed; the ring keeps running without it until it recovers');
        }
      }),
    );
  }
}

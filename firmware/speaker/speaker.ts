import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import type { SpeakerDriver } from '../../hal/speaker/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { checkLevel, MAX_VOLUME, MIN_VOLUME, scalePcm, volumeGain } from './volume.js';

export interface SpeakerOptions {
  readonly driver: SpeakerDriver;
  readonly clock: Clock;
  /** Starting level 0..10. Default 5 (what a shared-device reset restores). */
  readonly volume?: number;
  /** The room profile's MaxVolumeLimit, 0..10. Default 10. */
  readonly maxVolume?: number;
  readonly logger?: Logger;
}

export interface SpeakerEvents {
  /** After every volume request (also when it changed nothing: the ring shows the level anyway). */
  volume: [{ level: number; requested: number; clamped: boolean }];
  /** The maximum volume changed. */
  limit: [{ maxVolume: number }];
  /** A sound started, at clock time `at`. */
  play: [{ label: string; at: number; durationMs: number }];
  /** A sound ended: played out, or cut by stop() after `durationMs`. */
  played: [{ label: string; at: number; durationMs: number; stopped: boolean }];
  /** The driver failed to play a sound (aplay missing or failing). */
  failed: [{ label: string; at: number; error: unknown }];
}

interface Queued {
  readonly sound: Int16Array;
  readonly label: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

interface Current extends Queued {
  readonly at: number;
  readonly durationMs: number;
  readonly timer: TimerHandle;
}

/**
 * The device's speaker: volume (0-10 on a dB curve, held under the room's MaxVolumeLimit) and one
 * sound at a time, 16 kHz mono.
 *
 * Sound timing runs on the Clock: `play()` resolves when the sound's duration has passed there, so
 * a virtual-clock run plays an answer in exactly its length of device time and never waits on real
 * time; the driver (aplay, a WAV timeline) gets the scaled samples and the start time. A sound given
 * while another plays waits its turn. `stop()` cuts the sound playing now; waiting ones still play
 * (an earcon queued behind a cut answer is still heard); `stopAll()` drops them too.
 *
 * The volume applies to sounds as they start. Invalid levels are 'FEATURE_INPUT_INVALID' and change
 * nothing.
 */
export class Speaker extends EventEmitter<SpeakerEvents> {
  private readonly driver: SpeakerDriver;
  private readonly clock: Clock;
  private readonly log: Logger;
  private level: number;
  private limit: number;
  private current: Current | undefined;
  private readonly queue: Queued[] = [];

  constructor(options: SpeakerOptions) {
    super();
    const volume = options.volume ?? 5;
    const maxVolume = options.maxVolume ?? MAX_VOLUME;
    checkLevel(volume, 'volume');
    checkLevel(maxVolume, 'maximum volume');
    this.driver = options.driver;
    this.clock = options.clock;
    this.log = options.logger ?? rootLogger().child({ module: 'firmware/speaker' });
    this.limit = maxVolume;
    this.level = Math.min(volume, maxVolume);
  }

  /** The level sounds play at now. */
  get volume(): number {
    return this.level;
  }

  get maxVolume(): number {
    return this.limit;
  }

  /** Amplitude factor of the current level. */
  get gain(): number {
    return volumeGain(this.level);
  }

  /** True while a sound is playing (or waiting to). */
  get playing(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** Label of the sound playing now, if any. */
  get nowPlaying(): string | undefined {
    return this.current?.label;
  }

  /** Sets the level, held at or below the maximum; returns the level applied. */
  setVolume(requested: number): number {
    checkLevel(requested, 'volume');
    this.level = Math.min(requested, this.limit);
    this.emit('volume', { level: this.level, requested, clamped: this.level !== requested });
    return this.level;
  }

  /** One step up or down (a volume button); stops at 0 and at the maximum. Returns the level applied. */
  stepVolume(step: 1 | -1): number {
    if (step !== 1 && step !== -1) {
      throw new EchosimError('FEATURE_INPUT_INVALID', `volume step ${String(step)} is not +1 or -1`, { hint: 'step the volume by +1 or -1' });
    }
    return this.setVolume(Math.max(MIN_VOLUME, Math.min(MAX_VOLUME, this.level + step)));
  }

  /**
   * Sets the maximum (the room profile's MaxVolumeLimit). A louder current level comes down to it at
   * once; raising the maximum leaves the level where it is. Returns the level applied.
   */
  setMaxVolume(max: number): number {
    checkLevel(max, 'maximum volume');
    const changed = max !== this.limit;
    this.limit = max;
    if (changed) this.emit('limit', { maxVolume: max });
    if (this.level > max) {
      const requested = this.level;
      this.level = max;
      this.emit('volume', { level: max, requested, clamped: true });
    }
    return this.level;
  }

  /**
   * Plays a 16 kHz mono sound at the current volume. Resolves when it has played out on the Clock
   * (or was cut by stop()); rejects if the driver fails to play it before then.
   */
  play(sound: Int16Array, label: string): Promise<void> {
    if (!(sound instanceof Int16Array)) {
      return Promise.reject(new EchosimError('FEATURE_INPUT_INVALID', 'a sound must be 16 kHz mono int16 samples (an Int16Array)', { hint: 'decode audio to Int16Array at 16 kHz before playing it' }));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ sound, label: String(label), resolve, reject });
      if (!this.current) this.next();
    });
  }

  /** Cuts the sound playing now (its play() resolves); sounds waiting behind it go on. */
  stop(): void {
    const c = this.current;
    if (!c) return;
    this.clock.clearTimeout(c.timer);
    const now = this.clock.now();
    this.driver.stop?.(now).catch((err: unknown) => this.log.warn({ err: String(err) }, 'speaker driver stop failed'));
    this.finish(c, { stopped: true, at: now });
  }

  /** Cuts the sound playing now and drops every waiting one (shutdown, reset); all their play() resolve. */
  stopAll(): void {
    const waiting = this.queue.splice(0);
    this.stop();
    for (const q of waiting) q.resolve();
  }

  private next(): void {
    const q = this.queue.shift();
    if (!q) return;
    const at = this.clock.now();
    const durationMs = (q.sound.length * 1000) / SAMPLE_RATE;
    const timer = this.clock.setTimeout(() => {
      if (this.current === current) this.finish(current, { stopped: false, at: this.clock.now() });
    }, durationMs);
    const current: Current = { ...q, at, durationMs, timer };
    this.current = current;
    this.emit('play', { label: q.label, at, durationMs });
    const pcm = scalePcm(q.sound, volumeGain(this.level));
    let driving: Promise<void>;
    try {
      driving = this.driver.play(pcm, SAMPLE_RATE, at);
    } catch (err) {
      driving = Promise.reject(err);
    }
    driving.catch((error: unknown) => this.driverFailed(current, error));
  }

  private driverFailed(c: Current, error: unknown): void {
    this.emit('failed', { label: c.label, at: c.at, error });
    if (this.current !== c) {
      // The sound already ended on the Clock; its caller has moved on, so this is only reported.
      this.log.warn({ label: c.label, err: String(error) }, 'speaker driver failed after the sound ended');
      return;
    }
    this.clock.clearTimeout(c.timer);
    this.current = undefined;
    c.reject(error);
    this.next();
  }

  private finish(c: Current, end: { stopped: boolean; at: number }): void {
    this.current = undefined;
    this.emit('played', { label: c.label, at: c.at, durationMs: end.stopped ? end.at - c.at : c.durationMs, stopped: end.stopped });
    c.resolve();
    this.next();
  }
}

import { AudioFeeder } from '../../firmware/audio/audio-feeder.js';
import type { Device } from '../../firmware/device/device.js';
import type { DeviceModel } from '../../firmware/device-model.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import { ScriptedButtons } from '../../hal/buttons/scripted.js';
import type { VirtualClock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { fromDirection, MemorySource, padWithQuiet, readWav, type HarnessAudio } from './audio.js';
import type { CloudGate } from './cloud-gate.js';
import type { CompiledTarget, DeviceWaitTarget } from './device-events.js';

/** What a device can hear: a WAV file's path, 16 kHz int16 samples (mono unless `channels` says), or HarnessAudio. */
export type AudioInput = string | Int16Array | HarnessAudio;

export interface PlayOptions {
  /** Interleaved channels of an Int16Array input (default 1). */
  readonly channels?: number;
  /** A quiet room (low noise) before the audio, ms (default 0). The spotter needs 500 ms before a wake word for the pre-roll. */
  readonly quietBeforeMs?: number;
  /** A quiet room after the audio, ms (default 0): lets end-of-speech be heard before the source ends. */
  readonly quietAfterMs?: number;
  /** The talker speaks from this azimuth (degrees counter-clockwise from microphone 0); mono input only. */
  readonly fromDegrees?: number;
  /** Button presses at audio times from the start of this playback, e.g. `"1.5:mic-off,3:mic-off,6:action:8"` (SECONDS:BUTTON[:HOLD]). */
  readonly buttons?: string;
  /** Pause before the first frame at which this holds (any stream stays open); `resume()` continues. */
  readonly until?: DeviceWaitTarget;
  /** After the audio, device time runs until the device has settled, at most this long (default 30 000 ms). */
  readonly settleMs?: number;
}

/** Where a playback stands. */
export interface Playback {
  /** `ended`: all the audio was heard and the device settled; `paused`: `until` held first. */
  readonly status: 'ended' | 'paused';
  /** Device time, ms. */
  readonly at: number;
  readonly state: DeviceState;
  /** Continues a paused playback from the next frame (optionally pausing again). */
  resume(options?: { until?: DeviceWaitTarget }): Promise<Playback>;
  /** Ends a paused playback where it stands: the source ends (an open stream closes) and the device settles. */
  end(): Promise<Playback>;
}

/** What the player needs from its device. */
export interface PlayerHost {
  readonly device: Device;
  readonly model: DeviceModel;
  readonly clock: VirtualClock;
  readonly gate: CloudGate;
  readonly who: string;
  compile(target: DeviceWaitTarget): CompiledTarget;
  assertRunning(): void;
}

interface Current {
  readonly feed: AudioFeeder;
  readonly script: ScriptedButtons | undefined;
  readonly settleMs: number;
}

const DEFAULT_SETTLE_MS = 30_000;

/**
 * A device's microphones as a test drives them: one playback at a time, which owns the device's
 * clock while it runs. A paused playback keeps the microphones (another `play` is refused until it
 * is resumed to its end or ended) but gives the clock back, so a test can look, press and advance.
 */
export class Player {
  private current: Current | undefined;
  private running = false;
  /** The run in progress, so stopping can wait for it to unwind. */
  private active: Promise<unknown> | undefined;
  /** The device's sample counter: where the next playback's first sample goes. */
  private nextIndex = 0;

  constructor(private readonly host: PlayerHost) {}

  /** Throws HARNESS_BUSY while a playback runs (it moves the clock; nothing else may). */
  assertClockFree(action: string): void {
    if (this.running) {
      throw new EchosimError('HARNESS_BUSY', `${this.host.who}: cannot ${action} while a playback is running: it drives the device's clock`, {
        hint: 'await play() first; to act in the middle of audio, pause it with `until` (or script buttons with `buttons`)',
      });
    }
  }

  async play(input: AudioInput, options: PlayOptions = {}): Promise<Playback> {
    this.host.assertRunning();
    this.assertClockFree('start another playback');
    if (this.current) {
      throw new EchosimError('HARNESS_BUSY', `${this.host.who}: a paused playback still holds the microphones`, {
        hint: 'call resume() or end() on the paused playback before playing something else',
      });
    }
    const { device, clock, model, gate } = this.host;
    this.running = true; // claimed before the first await: a second play() in the same tick is refused too
    let current: Current;
    let until: (() => boolean) | undefined;
    try {
      until = this.until(options.until);
      let audio = await toAudio(input, options.channels);
      if (options.fromDegrees !== undefined) audio = fromDirection(audio, model.micPositions, options.fromDegrees);
      audio = padWithQuiet(audio, options.quietBeforeMs ?? 0, options.quietAfterMs ?? 0);
      const script = options.buttons ? ScriptedButtons.fromScript(options.buttons, model.buttons, clock, { originMs: clock.now() }) : undefined;
      current = { feed: feedFor(device, clock, new MemorySource(audio), this.nextIndex, gate), script, settleMs: options.settleMs ?? DEFAULT_SETTLE_MS };
    } catch (err) {
      this.running = false;
      throw err;
    }
    this.current = current;
    current.script?.start((e) => device.buttonEdge(e));
    return this.run(current, (feed) => feed.run(until));
  }

  private run(current: Current, step: (feed: AudioFeeder) => Promise<'paused' | 'ended'>): Promise<Playback> {
    const run = this.runSteps(current, step);
    this.active = run.catch(() => undefined);
    return run;
  }

  private async runSteps(current: Current, step: (feed: AudioFeeder) => Promise<'paused' | 'ended'>): Promise<Playback> {
    const { device, gate } = this.host;
    this.running = true;
    try {
      const outcome = await step(current.feed);
      if (outcome === 'ended') {
        await current.feed.settle({
          maxMs: current.settleMs,
          settled: () => device.settled && !((current.script?.remaining ?? 0) > 0),
          beforeAdvance: () => gate.beforeAdvance(),
        });
        await this.finish(current);
      }
      return this.handle(current, outcome);
    } catch (err) {
      await current.feed.end().catch(() => undefined);
      await this.finish(current);
      throw err;
    } finally {
      this.running = false;
      this.nextIndex = Math.max(this.nextIndex, current.feed.position);
    }
  }

  private handle(current: Current, status: 'paused' | 'ended'): Playback {
    const { device, clock } = this.host;
    const ensurePaused = (what: string): void => {
      this.host.assertRunning();
      this.assertClockFree(what);
      if (this.current !== current) {
        throw new EchosimError('HARNESS_INVALID', `${this.host.who}: cannot ${what}: this playback has already ended`, {
          hint: 'only a playback paused with `until` can be resumed or ended; start a new one with play()',
        });
      }
    };
    return {
      status,
      at: clock.now(),
      state: device.state,
      resume: async (options = {}) => {
        ensurePaused('resume');
        const until = this.until(options.until);
        return this.run(current, (feed) => feed.run(until));
      },
      end: async () => {
        ensurePaused('end the playback');
        return this.run(current, async (feed) => {
          await feed.end();
          return 'ended';
        });
      },
    };
  }

  /**
   * Ends whatever is playing or paused (the simulation is stopping): the source ends at the next frame
   * and a running playback is waited for (its settling included) before the device is stopped.
   */
  async abandon(): Promise<void> {
    const current = this.current;
    if (!current) return;
    if (this.running) {
      current.feed.requestStop();
      await this.active;
    }
    await current.feed.end().catch(() => undefined);
    await this.finish(current);
  }

  private async finish(current: Current): Promise<void> {
    await current.script?.close();
    if (this.current === current) this.current = undefined;
  }

  private until(target: DeviceWaitTarget | undefined): (() => boolean) | undefined {
    return target === undefined ? undefined : this.host.compile(target).holds;
  }
}

/**
 * The device's microphones for one playback: the AudioFeeder on the device's clock, with what a test
 * harness adds. Frames are renumbered onto the device's own sample counter (`baseIndex`), so one
 * device hears many playbacks in a row without its ring buffer ever seeing an index go backwards;
 * before each frame the CloudGate holds device time until the cloud's answer is in; audio and device
 * time are re-aligned at every resume (time that passed during a pause passed without audio); the
 * source is closed when the playback ends.
 */
function feedFor(device: Device, clock: VirtualClock, source: MemorySource, baseIndex: number, gate: CloudGate): AudioFeeder {
  return new AudioFeeder(device, source, {
    clock,
    baseIndex,
    closeSource: true,
    beforeFrame: (index) => gate.beforeFrame(index),
    onSlice: (at) => gate.fed(at),
  });
}

async function toAudio(input: AudioInput, channels = 1): Promise<HarnessAudio> {
  if (typeof input === 'string') return readWav(input);
  if (input instanceof Int16Array) return { samples: input, channels };
  if (typeof input === 'object' && input !== null && input.samples instanceof Int16Array) return input;
  throw new EchosimError('HARNESS_INVALID', 'play() takes a WAV file path, an Int16Array of 16 kHz samples, or { samples, channels }', {
    hint: 'e.g. device.play(DEMO_WAV) or device.play(new Int16Array(16000))',
  });
}

import type { Clock, VirtualClock } from '../../core/clock.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import type { MicFrame, MicSource } from '../../hal/mic/types.js';
import { audioTimeline, type AudioTimeline } from './audio-timeline.js';

/** Where a feeder pushes audio: a Device, or a bare front end (frontEndSink, front-end-sink.ts). */
export interface AudioSink {
  pushFrame(frame: MicFrame): Promise<void>;
  /** The source has ended: close any stream where it stands. */
  endOfAudio(): Promise<void>;
}

export interface AudioFeederOptions {
  /**
   * The sink's clock, moved with the audio: device time is audio time, and frames are split at the
   * instants its timers fall due, so a button pressed at 1.5 s acts between samples 23 999 and
   * 24 000, not at the next 80 ms frame boundary. Without a clock frames go in as they come (a bare
   * front end has no timers).
   */
  clock?: VirtualClock;
  /**
   * Sample `index` is heard at clock time `ms`, for the whole feed. Default: audio and clock are
   * aligned at the first frame of each run() (its first sample plays at the clock's time then), so
   * time that passed during a pause passes without audio.
   */
  origin?: { ms: number; index: number };
  /** Added to every frame's index: one sink hears many sources in a row without its ring buffer seeing an index go backwards. */
  baseIndex?: number;
  /** Ends the feed at the next frame boundary (and ends settling). */
  signal?: AbortSignal;
  /** Awaited before each frame with its index (e.g. the harness's CloudGate holding device time for the cloud). */
  beforeFrame?: (index: number) => Promise<void>;
  /** Called after each slice reaches the sink, with the index reached. */
  onSlice?: (reached: number) => void;
  /** Called after each frame, with the index reached (progress displays, lag measurements). */
  onFrame?: (reached: number) => void;
  /** Close the source when the feed ends (default false: the caller owns it). */
  closeSource?: boolean;
}

export interface SettleOptions {
  /** At most this much device time passes, ms. */
  maxMs: number;
  /** Nothing is in progress any more (e.g. `device.settled` and no button press left). */
  settled: () => boolean;
  /** Awaited before each step of time (e.g. the CloudGate waiting for an answer). */
  beforeAdvance?: () => Promise<void>;
  /**
   * Let device time pass at this clock's pace (a person watching the ring sees THINKING last its
   * 5 s). Default: as fast as possible.
   */
  pace?: Clock;
}

/**
 * The one loop that feeds microphone audio into the pipeline (the device runner, the test harness's
 * playbacks and the bare front end of `echosim listen`): it pulls frames from a MicSource and pushes
 * them into an AudioSink, moving the sink's VirtualClock with the samples (sample i is heard at
 * origin + i/16 ms). Pacing is the source's (a live or paced source yields in real time, a file with
 * `fast` as fast as it can), so the same loop runs in real time and as fast as possible in tests.
 *
 * It can pause between frames (`run({ until })`) and resume later; after the audio, `settle` lets
 * device time run until nothing is in progress. On the fleet's hot path (hundreds of devices in one
 * process) a frame costs no allocation and no await beyond the sink's own, unless a frame must be
 * split at a timer.
 */
export class AudioFeeder {
  private readonly frames: AsyncIterator<MicFrame>;
  private readonly baseIndex: number;
  private ended = false;
  private stopRequested = false;
  private fedTo: number;

  constructor(
    private readonly sink: AudioSink,
    private readonly source: MicSource,
    private readonly options: AudioFeederOptions = {},
  ) {
    this.frames = source.frames()[Symbol.asyncIterator]();
    this.baseIndex = options.baseIndex ?? 0;
    this.fedTo = this.baseIndex;
  }

  /** Index just past the last sample given to the sink (baseIndex included). */
  get position(): number {
    return this.fedTo;
  }

  get finished(): boolean {
    return this.ended;
  }

  /** The feed was asked to stop (requestStop or the signal). */
  get stopped(): boolean {
    return this.stopRequested || this.options.signal?.aborted === true;
  }

  /**
   * Feeds frames until the source ends or the feed is stopped ('ended': the sink was told, and any
   * open stream closed with `source-ended`), or `until()` holds before a frame ('paused').
   */
  async run(until?: () => boolean): Promise<'paused' | 'ended'> {
    const { clock, origin, beforeFrame, onFrame } = this.options;
    let timeline: AudioTimeline | undefined = clock && origin ? audioTimeline(origin.ms, origin.index, SAMPLE_RATE) : undefined;
    while (!this.ended && !this.stopped) {
      if (until?.()) return 'paused';
      const next = await this.frames.next();
      if (next.done || this.stopped) break;
      const frame = this.baseIndex === 0 ? next.value : renumber(next.value, this.baseIndex);
      if (beforeFrame) await beforeFrame(frame.index);
      if (clock) {
        timeline ??= audioTimeline(clock.now(), frame.index, SAMPLE_RATE);
        await this.pushOnTime(clock, frame, timeline);
      } else {
        await this.sink.pushFrame(frame);
        this.fedTo = frame.index + frame.samples.length / frame.channels;
        this.options.onSlice?.(this.fedTo);
      }
      onFrame?.(this.fedTo);
    }
    await this.end();
    return 'ended';
  }

  /** Asks a running feed to end at the next frame boundary, and settling to stop. */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Ends the feed where it stands: the sink hears that its source ended. Idempotent. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.options.closeSource) await this.source.close();
    await this.frames.return?.();
    await this.sink.endOfAudio();
  }

  /** After the audio: lets device time run (timer to timer) until `settled()` or `maxMs` have passed. */
  async settle(o: SettleOptions): Promise<void> {
    const clock = this.options.clock;
    if (!clock) return;
    const deadline = clock.now() + o.maxMs;
    while (clock.now() < deadline && !this.stopped) {
      if (o.settled()) return;
      if (o.beforeAdvance) await o.beforeAdvance();
      const target = Math.min(clock.nextDueTime() ?? deadline, deadline);
      if (o.pace) await o.pace.sleep(Math.max(0, target - clock.now()));
      await clock.advanceTo(target);
    }
  }

  /**
   * Gives one frame to the sink with the clock following its samples: samples [at, cut) that were
   * all captured before the next timer falls due reach the sink with its clock at the slice's end
   * (when its last sample arrived), then the timer runs.
   */
  private async pushOnTime(clock: VirtualClock, frame: MicFrame, t: AudioTimeline): Promise<void> {
    const stop = frame.index + frame.samples.length / frame.channels;
    let at = frame.index;
    await clock.advanceTo(t.toMs(at));
    while (at < stop) {
      const due = clock.nextDueTime();
      const cut = due !== undefined && due < t.toMs(stop) ? Math.min(stop, Math.max(at + 1, t.toIndex(due))) : stop;
      clock.jumpTo(t.toMs(cut));
      await this.sink.pushFrame(sliceFrame(frame, at - frame.index, cut - frame.index));
      at = cut;
      this.fedTo = at;
      this.options.onSlice?.(at);
      await clock.advanceTo(t.toMs(at));
    }
  }
}

function renumber(frame: MicFrame, base: number): MicFrame {
  return { index: frame.index + base, channels: frame.channels, samples: frame.samples };
}

function sliceFrame(frame: MicFrame, from: number, to: number): MicFrame {
  if (from === 0 && to * frame.channels === frame.samples.length) return frame;
  return { index: frame.index + from, channels: frame.channels, samples: frame.samples.subarray(from * frame.channels, to * frame.channels) };
}

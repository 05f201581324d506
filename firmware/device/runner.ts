import type { VirtualClock } from '../../hal/clock.js';
import { SAMPLE_RATE, type MicFrame, type MicSource } from '../../hal/mic/types.js';
import type { DeviceState } from '../state/device-states.js';
import type { Device } from './device.js';

export interface RunOptions {
  /** The device's clock; the runner moves it with the audio, so device time is audio time. */
  clock: VirtualClock;
  signal?: AbortSignal;
  /**
   * After the source ends, time keeps running (without audio) until the device has settled (no
   * request in progress, nothing playing or ringing, `busy` false), at most this long. Default 30 s.
   */
  settleMs?: number;
  /** Work still scheduled outside the device, e.g. a button script with presses left. */
  busy?: () => boolean;
  /**
   * After the source ends, let device time pass at the wall clock's pace (a person watching the ring
   * sees THINKING last its 5 s). Default false: as fast as possible.
   */
  realTime?: boolean;
  /** Called after every frame with the index reached (progress displays). */
  onProgress?: (index: number) => void;
}

export interface RunSummary {
  /** Samples per channel consumed from the source. */
  samples: number;
  endedBy: 'source' | 'signal';
  /** Device time when the run finished, ms. */
  finishedAt: number;
  finalState: DeviceState;
}

const SETTLED: ReadonlySet<DeviceState> = new Set(['IDLE', 'MIC_OFF', 'SETUP', 'ERROR']);

/**
 * Feeds a microphone source into a device, with device time driven by the audio: sample index i is
 * time origin + i/16 ms. Frames are split at the instants timers fall due, so a button pressed at
 * 1.5 s acts between sample 23,999 and sample 24,000, not at the next 80 ms frame boundary; this is
 * what makes "no sample captured after the press reaches any reader" exact and runs deterministic.
 */
export async function runDevice(device: Device, source: MicSource, options: RunOptions): Promise<RunSummary> {
  const { clock, signal } = options;
  const origin = clock.now();
  const toMs = (index: number): number => origin + (index * 1000) / SAMPLE_RATE;
  const toIndex = (ms: number): number => Math.ceil(((ms - origin) * SAMPLE_RATE) / 1000);
  let consumed = 0;
  let endedBy: RunSummary['endedBy'] = 'source';

  for await (const frame of source.frames()) {
    if (signal?.aborted) {
      endedBy = 'signal';
      break;
    }
    const perChannel = frame.samples.length / frame.channels;
    const stop = frame.index + perChannel;
    let at = frame.index;
    await clock.advanceTo(toMs(at));
    while (at < stop) {
      // Samples [at, cut) were all captured before the next timer falls due; the device sees them
      // with its clock at the slice's end (when its last sample arrived), then the timer runs.
      const due = clock.nextDueTime();
      const cut = due !== undefined && due < toMs(stop) ? Math.min(stop, Math.max(at + 1, toIndex(due))) : stop;
      clock.jumpTo(toMs(cut));
      await device.pushFrame(slice(frame, at - frame.index, cut - frame.index));
      at = cut;
      await clock.advanceTo(toMs(at));
    }
    consumed = stop;
    options.onProgress?.(stop);
  }
  if (signal?.aborted) endedBy = 'signal';
  await device.endOfAudio();

  const deadline = clock.now() + (options.settleMs ?? 30_000);
  while (endedBy === 'source' && clock.now() < deadline && !signal?.aborted) {
    const settled = SETTLED.has(device.state) && !device.speaker.playing && !device.ringer.ringing && !(options.busy?.() ?? false);
    if (settled) break;
    const target = Math.min(clock.nextDueTime() ?? deadline, deadline);
    if (options.realTime) await new Promise((resolve) => setTimeout(resolve, Math.max(0, target - clock.now())));
    await clock.advanceTo(target);
  }
  return { samples: consumed, endedBy, finishedAt: clock.now(), finalState: device.state };
}

function slice(frame: MicFrame, from: number, to: number): MicFrame {
  if (from === 0 && to * frame.channels === frame.samples.length) return frame;
  return { index: frame.index + from, channels: frame.channels, samples: frame.samples.subarray(from * frame.channels, to * frame.channels) };
}

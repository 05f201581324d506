import type { VirtualClock } from '../../core/clock.js';
import type { MicSource } from '../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import { audioTimeline, deviceSettled, pushFrameOnTime } from './audio-time.js';
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

/**
 * Feeds a microphone source into a device, with device time driven by the audio: sample index i is
 * time origin + i/16 ms, and frames are split at the instants timers fall due (audio-time.ts), so
 * button presses act at exact samples and runs are deterministic.
 */
export async function runDevice(device: Device, source: MicSource, options: RunOptions): Promise<RunSummary> {
  const { clock, signal } = options;
  const timeline = audioTimeline(clock.now(), 0, SAMPLE_RATE);
  let consumed = 0;
  let endedBy: RunSummary['endedBy'] = 'source';

  for await (const frame of source.frames()) {
    if (signal?.aborted) {
      endedBy = 'signal';
      break;
    }
    await pushFrameOnTime(device, clock, frame, timeline);
    const stop = frame.index + frame.samples.length / frame.channels;
    consumed = stop;
    options.onProgress?.(stop);
  }
  if (signal?.aborted) endedBy = 'signal';
  await device.endOfAudio();

  const deadline = clock.now() + (options.settleMs ?? 30_000);
  while (endedBy === 'source' && clock.now() < deadline && !signal?.aborted) {
    if (deviceSettled(device, options.busy)) break;
    const target = Math.min(clock.nextDueTime() ?? deadline, deadline);
    if (options.realTime) await new Promise((resolve) => setTimeout(resolve, Math.max(0, target - clock.now())));
    await clock.advanceTo(target);
  }
  return { samples: consumed, endedBy, finishedAt: clock.now(), finalState: device.state };
}

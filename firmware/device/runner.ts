import { SystemClock, type VirtualClock } from '../../core/clock.js';
import type { MicSource } from '../../hal/mic/types.js';
import { AudioFeeder } from '../audio/audio-feeder.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
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
 * Feeds a microphone source into a device with the AudioFeeder (firmware/audio/audio-feeder.ts),
 * device time driven by the audio from the clock's time now: sample index i is time origin + i/16 ms,
 * and frames are split at the instants timers fall due, so button presses act at exact samples and
 * runs are deterministic. Then lets time run until the device has settled.
 */
export async function runDevice(device: Device, source: MicSource, options: RunOptions): Promise<RunSummary> {
  const { clock, signal } = options;
  const feeder = new AudioFeeder(device, source, {
    clock,
    origin: { ms: clock.now(), index: 0 },
    ...(signal ? { signal } : {}),
    ...(options.onProgress ? { onFrame: options.onProgress } : {}),
  });
  await feeder.run();
  const endedBy: RunSummary['endedBy'] = signal?.aborted ? 'signal' : 'source';
  if (endedBy === 'source') {
    const busy = options.busy;
    await feeder.settle({
      maxMs: options.settleMs ?? 30_000,
      settled: busy ? () => device.settled && !busy() : () => device.settled,
      ...(options.realTime ? { pace: new SystemClock() } : {}),
    });
  }
  return { samples: feeder.position, endedBy, finishedAt: clock.now(), finalState: device.state };
}

import type { VirtualClock } from '../../core/clock.js';
import type { MicFrame } from '../../hal/mic/types.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { Device } from './device.js';

/**
 * Device time driven by audio, shared by the runner and the test harness: sample index i is heard at
 * `toMs(i)`, and frames are split at the instants timers fall due, so a button pressed at 1.5 s acts
 * between sample 23,999 and sample 24,000, not at the next 80 ms frame boundary. This is what makes
 * "no sample captured after the press reaches any reader" exact and runs deterministic.
 */
export interface AudioTimeline {
  /** Clock time (ms) at which sample `index` has been captured. */
  toMs(index: number): number;
  /** The first sample index captured at or after clock time `ms`. */
  toIndex(ms: number): number;
}

/** Sample `originIndex` is heard at clock time `originMs`, and time runs with the samples from there. */
export function audioTimeline(originMs: number, originIndex = 0, sampleRate = 16_000): AudioTimeline {
  return {
    toMs: (index) => originMs + ((index - originIndex) * 1000) / sampleRate,
    toIndex: (ms) => originIndex + Math.ceil(((ms - originMs) * sampleRate) / 1000),
  };
}

/**
 * Gives one frame to the device with the clock following its samples: samples [at, cut) that were all
 * captured before the next timer falls due reach the device with its clock at the slice's end (when
 * its last sample arrived), then the timer runs. `onSlice` hears the index reached after each slice.
 */
export async function pushFrameOnTime(
  device: Device,
  clock: VirtualClock,
  frame: MicFrame,
  t: AudioTimeline,
  onSlice?: (reached: number) => void,
): Promise<void> {
  const stop = frame.index + frame.samples.length / frame.channels;
  let at = frame.index;
  await clock.advanceTo(t.toMs(at));
  while (at < stop) {
    const due = clock.nextDueTime();
    const cut = due !== undefined && due < t.toMs(stop) ? Math.min(stop, Math.max(at + 1, t.toIndex(due))) : stop;
    clock.jumpTo(t.toMs(cut));
    await device.pushFrame(sliceFrame(frame, at - frame.index, cut - frame.index));
    at = cut;
    onSlice?.(at);
    await clock.advanceTo(t.toMs(at));
  }
}

/** States in which nothing is left in progress once the audio has ended. */
const SETTLED_STATES: ReadonlySet<DeviceState> = new Set(['IDLE', 'MIC_OFF', 'SETUP', 'ERROR']);

/** Nothing in progress: no request, nothing playing or ringing, and `busy` (work outside the device) false. */
export function deviceSettled(device: Device, busy: () => boolean = () => false): boolean {
  return SETTLED_STATES.has(device.state) && !device.speaker.playing && !device.ringer.ringing && !busy();
}

function sliceFrame(frame: MicFrame, from: number, to: number): MicFrame {
  if (from === 0 && to * frame.channels === frame.samples.length) return frame;
  return { index: frame.index + from, channels: frame.channels, samples: frame.samples.subarray(from * frame.channels, to * frame.channels) };
}

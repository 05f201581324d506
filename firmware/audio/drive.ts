import type { ChannelPolicy, MicSource } from '../../hal/mic/types.js';
import { AudioFeeder } from './audio-feeder.js';
import { frontEndSink } from './front-end-sink.js';
import type { AudioFrontEnd } from './front-end.js';

/**
 * Runs a microphone source through a bare front end (no device, no clock) until the source ends or
 * `signal` aborts, with the one AudioFeeder. Returns the number of samples (per channel) consumed.
 */
export async function driveFrontEnd(
  source: MicSource,
  frontEnd: AudioFrontEnd,
  policy: ChannelPolicy,
  signal?: AbortSignal,
): Promise<number> {
  const feeder = new AudioFeeder(frontEndSink(frontEnd, policy), source, signal ? { signal } : {});
  await feeder.run();
  return feeder.position;
}

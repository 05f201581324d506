import { toMono } from '../../hal/mic/channel-policy.js';
import type { ChannelPolicy, MicSource } from '../../hal/mic/types.js';
import type { AudioFrontEnd } from './front-end.js';

/**
 * Runs a microphone source through the front end until the source ends or `signal` aborts.
 * Returns the number of samples (per channel) consumed.
 */
export async function driveFrontEnd(
  source: MicSource,
  frontEnd: AudioFrontEnd,
  policy: ChannelPolicy,
  signal?: AbortSignal,
): Promise<number> {
  let consumed = 0;
  let mono: Int16Array | undefined;
  for await (const frame of source.frames()) {
    if (signal?.aborted) break;
    const perChannel = frame.samples.length / frame.channels;
    if (!mono || mono.length !== perChannel) mono = new Int16Array(perChannel);
    await frontEnd.push(toMono(frame, policy, mono));
    consumed = frame.index + perChannel;
  }
  await frontEnd.end();
  return consumed;
}

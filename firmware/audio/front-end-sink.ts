import { toMono } from '../../hal/mic/channel-policy.js';
import type { ChannelPolicy } from '../../hal/mic/types.js';
import type { AudioSink } from './audio-feeder.js';
import type { AudioFrontEnd } from './front-end.js';

/**
 * A bare front end (no device around it, as in `echosim listen`) as an AudioSink: each frame is
 * reduced to the spotter's mono by `policy`, into one buffer reused while the frame size holds.
 */
export function frontEndSink(frontEnd: AudioFrontEnd, policy: ChannelPolicy): AudioSink {
  let mono: Int16Array | undefined;
  return {
    pushFrame: async (frame) => {
      const perChannel = frame.samples.length / frame.channels;
      if (!mono || mono.length !== perChannel) mono = new Int16Array(perChannel);
      await frontEnd.push(toMono(frame, policy, mono));
    },
    endOfAudio: () => frontEnd.end(),
  };
}

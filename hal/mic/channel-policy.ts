import { EchosimError } from '../../core/errors.js';
import type { ChannelPolicy, MicFrame, MonoFrame } from './types.js';

/**
 * Makes the spotter's mono frame from an array frame: one channel, or the rounded mean of all of
 * them. Writes into `out` when it is given and long enough (the result is then `out` itself, or a
 * view of its start for a shorter frame), so a steady stream allocates nothing but that view.
 */
export function toMono(frame: MicFrame, policy: ChannelPolicy, out?: Int16Array): MonoFrame {
  const C = frame.channels;
  const src = frame.samples;
  const n = Math.floor(src.length / C);
  const dst = out && out.length >= n ? (out.length === n ? out : out.subarray(0, n)) : new Int16Array(n);
  if (policy.kind === 'channel') {
    const ch = policy.index;
    if (!Number.isInteger(ch) || ch < 0 || ch >= C) {
      throw new EchosimError('AUDIO_FORMAT_INVALID', `channel ${ch} does not exist: the microphone array has ${C} channel(s)`, {
        hint: `choose a channel from 0 to ${C - 1}, or "mean"`,
        details: { channel: ch, channels: C },
      });
    }
    if (C === 1) dst.set(src.subarray(0, n));
    else for (let i = 0, k = ch; i < n; i++, k += C) dst[i] = src[k]!;
  } else if (C === 1) {
    dst.set(src.subarray(0, n));
  } else {
    for (let i = 0, k = 0; i < n; i++) {
      let sum = 0;
      for (let c = 0; c < C; c++, k++) sum += src[k]!;
      // Halves round away from zero (no DC bias). The mean of int16 values is in range; the clamp
      // guards against foreign frames.
      const v = sum >= 0 ? Math.round(sum / C) : -Math.round(-sum / C);
      dst[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
  }
  return { index: frame.index, samples: dst };
}

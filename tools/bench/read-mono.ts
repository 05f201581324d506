import { toMono } from '../../hal/mic/channel-policy.js';
import type { ChannelPolicy } from '../../hal/mic/types.js';
import { WavSource } from '../../hal/mic/wav-source.js';

/** A whole WAV file (any common format) as the spotter's 16 kHz mono stream. */
export async function readWavMono(file: string, policy: ChannelPolicy): Promise<Int16Array> {
  const source = new WavSource(file, { fast: true });
  const pieces: Int16Array[] = [];
  let total = 0;
  try {
    for await (const frame of source.frames()) {
      const mono = toMono(frame, policy);
      pieces.push(mono.samples);
      total += mono.samples.length;
    }
  } finally {
    await source.close();
  }
  const out = new Int16Array(total);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

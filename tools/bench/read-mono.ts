import { toMono } from '../../hal/mic/channel-policy.js';
import { concatSamples } from '../../hal/mic/samples.js';
import type { ChannelPolicy } from '../../hal/mic/types.js';
import { WavSource } from '../../hal/mic/wav-source.js';

/** A whole WAV file (any common format) as the spotter's 16 kHz mono stream. */
export async function readWavMono(file: string, policy: ChannelPolicy): Promise<Int16Array> {
  const source = new WavSource(file, { fast: true });
  const pieces: Int16Array[] = [];
  try {
    for await (const frame of source.frames()) pieces.push(toMono(frame, policy).samples);
  } finally {
    await source.close();
  }
  return concatSamples(pieces);
}

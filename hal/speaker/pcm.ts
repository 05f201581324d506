import { endianness } from 'node:os';
import { EchosimError } from '../../core/errors.js';

/** Throws 'AUDIO_FORMAT_INVALID' unless `rate` is a usable sample rate (integer Hz, 1..384 kHz). */
export function checkSampleRate(rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > 384_000) {
    throw new EchosimError('AUDIO_FORMAT_INVALID', `speaker: ${rate} is not a sample rate`, {
      hint: 'give the sound\'s sample rate in Hz as a whole number, e.g. 16000',
    });
  }
}

/** int16 samples as S16_LE bytes, whatever the host's byte order. */
export function s16leBytes(pcm: Int16Array): Buffer {
  const bytes = Buffer.from(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  if (endianness() === 'LE') return bytes;
  return Buffer.from(bytes).swap16();
}

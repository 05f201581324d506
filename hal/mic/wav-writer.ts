import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { finished } from 'node:stream/promises';
import wav from 'wav';
import { PRIVATE_FILE_MODE } from '../../core/private-files.js';

export interface WavFormat {
  /** WAV format tag: 1 PCM (default), 3 IEEE float, 7 mu-law, ... written as given. */
  readonly audioFormat?: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitDepth: number;
}

/**
 * Writes interleaved int16 samples as a 16-bit PCM WAV file (for recordings, tests and fixture
 * tools). Resolves once the file is complete, sizes in the header included.
 */
export async function writeWav16(path: string, samples: Int16Array, channels: number, sampleRate: number): Promise<void> {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}`);
  if (samples.length % channels !== 0) {
    throw new RangeError(`${samples.length} samples do not split into ${channels} channels`);
  }
  const bytes = Buffer.from(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  if (endianness() === 'BE') bytes.swap16();
  await writeWavBytes(path, bytes, { channels, sampleRate, bitDepth: 16 });
}

/**
 * Writes already-encoded sample bytes under a WAV header made by the `wav` package's Writer.
 *
 * The package's FileWriter is not used: it patches the header (sizes) through a second file
 * descriptor as soon as the Writer ends, which can land before the piped stream has written the
 * provisional header and before the data is flushed. Here the header is patched after the file
 * stream has finished.
 */
export async function writeWavBytes(path: string, data: Uint8Array, format: WavFormat): Promise<void> {
  const writer = new wav.Writer({
    format: format.audioFormat ?? 1,
    channels: format.channels,
    sampleRate: format.sampleRate,
    bitDepth: format.bitDepth,
  });
  const header = new Promise<Buffer>((resolve) => writer.once('header', resolve));
  const file = createWriteStream(path, { mode: PRIVATE_FILE_MODE }); // recorded audio: for this user only
  writer.pipe(file);
  writer.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  await finished(file);
  const final = await header;
  const fd = await open(path, 'r+');
  try {
    await fd.write(final, 0, final.length, 0);
  } finally {
    await fd.close();
  }
}

/**
 * TEST-ONLY minimal WAV reader for the wake-word fixtures: RIFF/WAVE, PCM (format 1), mono, 16 kHz, 16-bit.
 * Anything else throws, so a fixture regenerated in the wrong format fails loudly.
 */
export function readWav16kMono(file: Buffer): Int16Array {
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let format: { audioFormat: number; channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        audioFormat: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        rate: file.readUInt32LE(body + 4),
        bits: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (format === undefined) throw new Error('data chunk before fmt chunk');
      const { audioFormat, channels, rate, bits } = format;
      // 0xfffe = WAVE_FORMAT_EXTENSIBLE, which sox writes for some outputs; the sample layout is the same.
      if ((audioFormat !== 1 && audioFormat !== 0xfffe) || channels !== 1 || rate !== 16000 || bits !== 16) {
        throw new Error(`expected 16 kHz mono 16-bit PCM, got format ${audioFormat}, ${channels} ch, ${rate} Hz, ${bits} bit`);
      }
      const n = Math.floor(Math.min(size, file.length - body) / 2);
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = file.readInt16LE(body + 2 * i);
      return out;
    }
    offset = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

import { spawn } from 'node:child_process';
import { EchosimError } from '../../../core/errors.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';

/** Longest recording read (10 minutes): real-speech clips are seconds long; anything larger is not one. */
export const MAX_CLIP_SAMPLES = 10 * 60 * SAMPLE_RATE;

/**
 * Any audio file sox reads (WAV, FLAC, Ogg Vorbis, ...) as 16 kHz mono int16, the first 10 minutes
 * at most. Resolves undefined for a file sox cannot read (one bad file in a package is skipped, not
 * fatal); throws TRAIN_TOOL_MISSING when sox itself is missing.
 */
export function decodeAudio(file: string): Promise<Int16Array | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn('sox', ['-q', file, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-c', '1', '-r', String(SAMPLE_RATE), '-'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pieces: Buffer[] = [];
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (bytes >= MAX_CLIP_SAMPLES * 2) return;
      pieces.push(d);
      bytes += d.length;
    });
    child.on('error', (cause) => reject(new EchosimError('TRAIN_TOOL_MISSING', `cannot run sox: ${cause.message}`, { cause, hint: 'install sox (bash tools/setup.sh does)' })));
    child.on('close', (code) => {
      if (code !== 0) return resolve(undefined);
      const all = Buffer.concat(pieces).subarray(0, Math.min(bytes, MAX_CLIP_SAMPLES * 2) & ~1);
      const out = new Int16Array(all.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = all.readInt16LE(i * 2);
      resolve(out);
    });
  });
}

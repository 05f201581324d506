import { execFile } from 'node:child_process';
import { EchosimError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { APLAY_INSTALL_HINT, AplayDriver } from './aplay.js';
import { NullSpeakerDriver } from './null.js';
import type { SpeakerDriver } from './types.js';
import { WavSinkDriver } from './wav-sink.js';

export interface OpenSpeakerOptions {
  /** Environment of aplay. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The playback program. Default 'aplay'. */
  readonly command?: string;
  readonly logger?: Logger;
  /** Clock time that is the start of a wav: file, ms. Default 0. */
  readonly originMs?: number;
}

const FORMS = '`none`, `alsa` or `alsa:DEVICE` (e.g. alsa:plughw:CARD=seeed2micvoicec,DEV=0), or `wav:FILE`';

/**
 * The speaker named by a `--speaker` spec, like `--mic` specs:
 * - `none` (or `null`): no sound, events only;
 * - `alsa[:DEVICE]`: ALSA playback through aplay; aplay is checked here, so a missing alsa-utils
 *   fails at startup ('SPEAKER_UNAVAILABLE') rather than at the first earcon;
 * - `wav:FILE`: every sound laid on the device timeline, written to FILE (16 kHz mono) on close.
 */
export async function openSpeaker(spec: string, options: OpenSpeakerOptions = {}): Promise<SpeakerDriver> {
  const s = spec.trim();
  if (s === 'none' || s === 'null') return new NullSpeakerDriver();
  if (s === 'alsa' || s.startsWith('alsa:')) {
    const device = s === 'alsa' ? undefined : s.slice('alsa:'.length);
    if (device === '') throw badSpec(spec);
    const command = options.command ?? 'aplay';
    await checkCommand(command, options.env);
    return new AplayDriver({
      command,
      ...(device === undefined ? {} : { device }),
      ...(options.env ? { env: options.env } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  const file = speakerWavFile(s);
  if (file !== undefined) return new WavSinkDriver(file, options.originMs === undefined ? {} : { originMs: options.originMs });
  throw badSpec(spec);
}

/** The file a `wav:FILE` speaker spec writes, or undefined for any other spec. */
export function speakerWavFile(spec: string): string | undefined {
  return spec.startsWith('wav:') && spec.length > 'wav:'.length ? spec.slice('wav:'.length) : undefined;
}

function badSpec(spec: string): EchosimError {
  return new EchosimError('CLI_ARGUMENT_INVALID', `"${spec}" is not a speaker`, { hint: `give --speaker as ${FORMS}` });
}

function checkCommand(command: string, env: NodeJS.ProcessEnv | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, ['--version'], { ...(env ? { env } : {}) }, (err) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new EchosimError('SPEAKER_UNAVAILABLE', `cannot play sound: ${command} was not found`, { hint: APLAY_INSTALL_HINT, cause: err }));
      } else {
        // Any other outcome means the program exists; playback errors are reported per sound.
        resolve();
      }
    });
  });
}

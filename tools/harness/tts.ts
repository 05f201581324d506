import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import { runTool } from '../../core/run-tool.js';
import { readWav, type HarnessAudio } from './audio.js';

export interface SpeakOptions {
  /**
   * espeak-ng voice, e.g. `en-gb`, `en-us`, `en-gb-x-rp`. Default `en-gb`: the bundled alexa model fires on
   * its "Alexa" more reliably than on en-us's (measured on a few short requests).
   */
  readonly voice?: string;
  /** Words per minute (espeak-ng default 175). */
  readonly wordsPerMinute?: number;
  /** Directory for the temporary WAV (default the system temp directory); it is removed again. */
  readonly tmpDir?: string;
}

const INSTALL_HINT = 'install it (`sudo apt install espeak-ng` on Debian/Raspberry Pi OS), or play a recorded WAV instead; tests can skip with `(espeakAvailable() ? test : test.skip)(...)`';

let available: boolean | undefined;

/** Whether the espeak-ng binary can be run (checked once per process). */
export function espeakAvailable(): boolean {
  available ??= spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

/**
 * `text` spoken by espeak-ng, as 16 kHz mono int16 (espeak-ng writes 22.05 kHz; the WAV reader
 * resamples). The voice is synthetic, so the wake word may score lower than a recorded one; the
 * committed fixtures (test/fixtures/wakeword) were made with the same engine and some of them fire.
 * Throws TTS_UNAVAILABLE when espeak-ng is not installed, TTS_FAILED when it fails.
 */
export async function speak(text: string, options: SpeakOptions = {}): Promise<HarnessAudio> {
  if (text.trim() === '') {
    throw new EchosimError('HARNESS_INVALID', 'nothing to say: the text is empty', { hint: 'give the words to speak, e.g. "Alexa, what time is it?"' });
  }
  if (!espeakAvailable()) throw new EchosimError('TTS_UNAVAILABLE', 'espeak-ng is not installed, so text cannot be spoken', { hint: INSTALL_HINT });
  const dir = mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), 'echosim-tts-'));
  const file = path.join(dir, 'speech.wav');
  try {
    const args = ['-v', options.voice ?? 'en-gb', ...(options.wordsPerMinute ? ['-s', String(Math.round(options.wordsPerMinute))] : []), '-w', file, '--', text];
    await run('espeak-ng', args);
    const audio = await readWav(file);
    if (audio.channels !== 1) return { samples: firstChannel(audio), channels: 1 };
    return audio;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return runTool(cmd, args, {
    notStarted: (cause) => new EchosimError('TTS_UNAVAILABLE', `cannot run ${cmd}: ${cause.message}`, { hint: INSTALL_HINT, cause }),
    failed: (code, stderr) =>
      new EchosimError('TTS_FAILED', `${cmd} exited with status ${String(code)}: ${stderr}`, {
        hint: 'check the voice name (`espeak-ng --voices=en` lists them) and the text',
        details: { args },
      }),
  });
}

function firstChannel(audio: HarnessAudio): Int16Array {
  const n = audio.samples.length / audio.channels;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = audio.samples[i * audio.channels] ?? 0;
  return out;
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import { runTool } from '../../../core/run-tool.js';
import { probeWav } from '../../../hal/mic/wav-header.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';

/** Turns an answer's text into 16 kHz mono PCM. */
export interface SpeechSynthesizer {
  synthesize(text: string): Promise<Int16Array>;
}

export const MAX_ANSWER_CHARS = 300;
const HINT = 'sudo apt install flite (tools/setup.sh does); without it answers carry no audio.';

/**
 * Answers spoken by CMU Flite (`flite -voice slt`, a 16 kHz US English voice), one short process per
 * answer (~0.07 s of CPU for a sentence). The text is passed as one argument, never through a shell,
 * and bounded to MAX_ANSWER_CHARS; the WAV goes to a private temporary folder that is removed again.
 */
export class FliteSynthesizer implements SpeechSynthesizer {
  constructor(
    private readonly voice = 'slt',
    private readonly binary = 'flite',
  ) {}

  async synthesize(text: string): Promise<Int16Array> {
    const clean = text.replace(/\s+/g, ' ').trim().slice(0, MAX_ANSWER_CHARS);
    if (clean === '') throw new EchosimError('ANSWER_SYNTHESIS_FAILED', 'nothing to say', { hint: 'An answer needs words.' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-answer-'));
    const file = path.join(dir, 'answer.wav');
    try {
      await run(this.binary, ['-voice', this.voice, '-o', file, '-t', clean]);
      const h = probeWav(file);
      if (h.sampleRate !== SAMPLE_RATE || h.channels !== 1 || h.bitsPerSample !== 16) {
        throw new EchosimError('ANSWER_SYNTHESIS_FAILED', `flite voice ${this.voice} speaks ${h.sampleRate} Hz, ${h.channels} channel(s), ${h.bitsPerSample} bit`, { hint: 'Use a 16 kHz flite voice (slt, rms, awb).' });
      }
      const bytes = readFileSync(file).subarray(h.dataOffset, h.dataOffset + h.dataBytes);
      const samples = new Int16Array(bytes.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(2 * i);
      return samples;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return runTool(cmd, args, {
    notStarted: (cause) => new EchosimError('ANSWER_SYNTHESIS_FAILED', `cannot run ${cmd}: ${cause.message}`, { cause, hint: HINT }),
    failed: (code, stderr) => new EchosimError('ANSWER_SYNTHESIS_FAILED', `${cmd} exited with status ${String(code)}: ${stderr.slice(0, 200)}`, { hint: HINT }),
  });
}

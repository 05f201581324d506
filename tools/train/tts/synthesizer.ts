import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { trimToSpeech } from '../dsp/levels.js';
import type { Voice } from './voices.js';

/**
 * One thing to say. `pitch` and `rate` are in [0, 1] and map onto each engine's own controls:
 * espeak-ng -p 20..80 and -s 130..210 words a minute (slower voices no longer fit the 1.28 s a head
 * sees), flite's and festival's duration stretch 1.2..0.8, flite's mean pitch ±15 %.
 */
export interface SpeechRequest {
  readonly voice: Voice;
  readonly text: string;
  readonly pitch: number;
  readonly rate: number;
}

/** The engine's arguments for a request: the request's identity for caching, too. */
export function engineArguments(r: SpeechRequest): string[] {
  const { voice, pitch, rate } = r;
  if (voice.engine === 'espeak-ng') return ['-v', voice.name, '-p', String(Math.round(20 + 60 * pitch)), '-s', String(Math.round(130 + 80 * rate))];
  const stretch = (1.2 - 0.4 * rate).toFixed(3);
  if (voice.engine === 'flite') {
    const base = voice.name === 'slt' ? 170 : voice.name === 'awb' ? 110 : 105;
    return ['-voice', voice.name, '--setf', `duration_stretch=${stretch}`, '--setf', `int_f0_target_mean=${Math.round(base * (0.85 + 0.3 * pitch))}`];
  }
  return [`(voice_${voice.name})`, `(Parameter.set 'Duration_Stretch ${stretch})`];
}

/** A shell word: single-quoted, inner quotes escaped. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Converts a TTS engine's WAV to 16 kHz mono 16-bit raw (sox's default high-quality resampler). */
const toRaw = (wav: string, raw: string): string => `sox -q ${shellQuote(wav)} -t raw -e signed-integer -b 16 -c 1 -r ${SAMPLE_RATE} ${shellQuote(raw)} && rm -f ${shellQuote(wav)}`;

/**
 * Runs the TTS engines for a batch of requests. Each batch is a few shell scripts (espeak-ng and
 * flite lines shared among `concurrency` - 1 scripts, festival one process for all its clips, since
 * loading a voice costs over a second), each line followed by sox's conversion to 16 kHz raw: the
 * trainer starts a handful of processes per batch, not one per clip (starting a process from a large
 * Node process costs tens of milliseconds of its time), and the engines run beside it on the other
 * core. Each result is 16 kHz mono int16, trimmed to the speech.
 */
export class Synthesizer {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-tts-'));
  private batch = 0;

  constructor(private readonly concurrency = 2) {}

  /** Synthesises every request; results in request order. */
  async synthesize(requests: readonly SpeechRequest[]): Promise<Int16Array[]> {
    const dir = path.join(this.dir, `b${this.batch++}`);
    mkdirSync(dir);
    try {
      const raw = requests.map((_, i) => path.join(dir, `${i}.raw`));
      const single = requests.flatMap((r, i) => (r.voice.engine === 'festival' ? [] : [i]));
      const festival = requests.flatMap((r, i) => (r.voice.engine === 'festival' ? [i] : []));
      const lanes = Math.max(1, this.concurrency - (festival.length > 0 ? 1 : 0));
      const scripts: string[][] = Array.from({ length: lanes }, () => []);
      single.forEach((i, k) => scripts[k % lanes]!.push(singleLine(requests[i]!, path.join(dir, `${i}.wav`), raw[i]!)));
      if (festival.length > 0) scripts.push(festivalLines(festival.map((i) => requests[i]!), festival.map((i) => path.join(dir, `${i}.wav`)), festival.map((i) => raw[i]!), dir));
      await Promise.all(
        scripts.filter((lines) => lines.length > 0).map((lines, k) => {
          const file = path.join(dir, `run${k}.sh`);
          writeFileSync(file, `set -e\n${lines.join('\n')}\n`);
          return runShell(file);
        }),
      );
      return requests.map((r, i) => {
        if (!existsSync(raw[i]!)) throw new EchosimError('TTS_FAILED', `${r.voice.engine} produced nothing for "${r.text}" (${r.voice.name})`);
        const bytes = readFileSync(raw[i]!);
        return trimToSpeech(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function singleLine(r: SpeechRequest, wav: string, raw: string): string {
  const args = engineArguments(r).map(shellQuote).join(' ');
  const speak = r.voice.engine === 'espeak-ng' ? `espeak-ng ${args} -w ${shellQuote(wav)} -- ${shellQuote(r.text)}` : `flite ${args} -t ${shellQuote(r.text)} -o ${shellQuote(wav)}`;
  return `${speak} && ${toRaw(wav, raw)}`;
}

/** One festival process over a Scheme script saying every request, then the conversions. */
function festivalLines(requests: readonly SpeechRequest[], wavs: readonly string[], raws: readonly string[], dir: string): string[] {
  const lines: string[] = [];
  let voice = '';
  requests.forEach((r, i) => {
    const [select, stretch] = engineArguments(r);
    if (select !== voice) lines.push((voice = select!));
    lines.push(stretch!, `(utt.save.wave (utt.synth (Utterance Text ${schemeString(r.text)})) ${schemeString(wavs[i]!)} 'riff)`);
  });
  const script = path.join(dir, 'festival.scm');
  writeFileSync(script, `${lines.join('\n')}\n`);
  return [`festival -b ${shellQuote(script)}`, ...wavs.map((w, i) => toRaw(w, raws[i]!))];
}

function schemeString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function runShell(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (cause) => reject(new EchosimError('TTS_UNAVAILABLE', `cannot run sh: ${cause.message}`, { cause })));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const missing = /(espeak-ng|flite|festival|sox): (not found|No such file)/.exec(stderr);
      reject(
        missing
          ? new EchosimError('TTS_UNAVAILABLE', `${missing[1]!} is not installed`, { hint: 'install the TTS engines and sox with bash tools/setup.sh (espeak-ng, flite, festival and its voices, sox)' })
          : new EchosimError('TTS_FAILED', `a TTS batch failed (status ${String(code)}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`),
      );
    });
  });
}

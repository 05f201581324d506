import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EchosimError } from '../../../hal/errors.js';
import { SAMPLE_RATE } from '../../../hal/mic/types.js';
import { writeWav16 } from '../../../hal/mic/wav-writer.js';

/** A phrase to listen for and how sure the recognizer must be (pocketsphinx's kws_threshold: smaller finds more). */
export interface Keyphrase {
  readonly text: string;
  readonly kwsThreshold: number;
}

/**
 * The cloud's second opinion on a wake word it is unsure of: does a speech recognizer trained on real
 * speech hear the keyphrase in this window? Errors: KEYPHRASE_UNAVAILABLE (not installed, or a word it
 * has no pronunciation for), KEYPHRASE_BUSY (too many checks waiting), KEYPHRASE_FAILED.
 */
export interface KeyphraseSpotter {
  /** Whether `phrase` is spoken in `audio` (16 kHz mono), decoded as one utterance, searching that phrase only. */
  spot(audio: Int16Array, phrase: Keyphrase): Promise<boolean>;
  /** Why it cannot run at all here, if it cannot. */
  unavailable(): EchosimError | undefined;
  close(): void;
}

export interface PocketsphinxOptions {
  /** The CLI (default pocketsphinx_continuous, found on PATH). */
  binary?: string;
  /** The US English model folder of Debian's pocketsphinx-en-us. */
  modelDir?: string;
  /** Checks running at once (default 2: one per core of a small machine). */
  maxConcurrent?: number;
  /** Checks waiting beyond those (default 32); more are refused with KEYPHRASE_BUSY. */
  maxQueued?: number;
  /** A check taking longer is killed: KEYPHRASE_FAILED (default 10 s). */
  timeoutMs?: number;
}

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const INSTALL_HINT = 'Install it: sudo apt install pocketsphinx pocketsphinx-en-us (tools/setup.sh does). Until then the cloud decides on the verifier head alone.';
/** The longest window a check is given: a claimed wake word, its pre-roll and tolerance are far shorter. */
const MAX_SECONDS = 4;

/**
 * Keyphrase spotting with Debian's pocketsphinx (0.8+5prealpha) through its CLI: each check writes
 * the window to a temporary WAV and decodes it with `pocketsphinx_continuous -keyphrase` as its own
 * utterance (a long-running decoder carries its cepstral normalisation over from one window to the
 * next and misses words), searching only the configured phrase (several keyphrases in one search
 * pre-empt each other) with a dictionary of just its words (3x faster to start than the full one).
 * About 0.12 s of CPU per check. The CLI cannot read a pipe Node opens (it is a socket), hence the file.
 */
export class PocketsphinxSpotter implements KeyphraseSpotter {
  private readonly binary: string;
  private readonly modelDir: string;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly dicts = new Map<string, string>();
  private dir: string | undefined;
  private running = 0;
  private nextFile = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(options: PocketsphinxOptions = {}) {
    this.binary = options.binary ?? 'pocketsphinx_continuous';
    this.modelDir = options.modelDir ?? POCKETSPHINX_MODEL_DIR;
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 2);
    this.maxQueued = Math.max(0, options.maxQueued ?? 32);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  unavailable(): EchosimError | undefined {
    const found = path.isAbsolute(this.binary)
      ? existsSync(this.binary)
      : (process.env.PATH ?? '').split(path.delimiter).some((d) => d !== '' && existsSync(path.join(d, this.binary)));
    if (!found) return new EchosimError('KEYPHRASE_UNAVAILABLE', `${this.binary} (pocketsphinx) is not installed`, { hint: INSTALL_HINT });
    if (!existsSync(path.join(this.modelDir, 'en-us', 'mdef')) || !existsSync(this.dictionary())) {
      return new EchosimError('KEYPHRASE_UNAVAILABLE', `pocketsphinx's US English model is not in ${this.modelDir}`, { hint: INSTALL_HINT });
    }
    return undefined;
  }

  async spot(audio: Int16Array, phrase: Keyphrase): Promise<boolean> {
    const missing = this.unavailable();
    if (missing) throw missing;
    if (audio.length > MAX_SECONDS * SAMPLE_RATE) audio = audio.subarray(audio.length - MAX_SECONDS * SAMPLE_RATE);
    if (!(phrase.kwsThreshold > 0) || !/^[a-z][a-z' ]{0,63}$/.test(phrase.text)) {
      throw new EchosimError('KEYPHRASE_FAILED', `"${phrase.text}" at ${phrase.kwsThreshold} is not a keyphrase pocketsphinx can search`, { hint: 'Use 1-4 lowercase words and a threshold above 0, e.g. 1e-20.' });
    }
    const dict = this.dictionaryFor(phrase.text);
    await this.slot();
    const wav = path.join(this.workDir(), `window-${this.nextFile++}.wav`);
    try {
      await writeWav16(wav, audio, 1, SAMPLE_RATE);
      const out = await this.run(['-hmm', path.join(this.modelDir, 'en-us'), '-dict', dict, '-keyphrase', phrase.text, '-kws_threshold', String(phrase.kwsThreshold), '-infile', wav, '-logfn', '/dev/null']);
      return out.split('\n').some((line) => line.trim() === phrase.text);
    } finally {
      rmSync(wav, { force: true });
      this.release();
    }
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.dicts.clear();
  }

  private dictionary(): string {
    return path.join(this.modelDir, 'cmudict-en-us.dict');
  }

  private workDir(): string {
    this.dir ??= mkdtempSync(path.join(os.tmpdir(), 'echosim-keyphrase-'));
    return this.dir;
  }

  /** A dictionary of the phrase's words (every pronunciation), cut from the model's; written once per phrase. */
  private dictionaryFor(text: string): string {
    const known = this.dicts.get(text);
    if (known && existsSync(known)) return known;
    const words = [...new Set(text.split(' '))];
    const lines = readFileSync(this.dictionary(), 'utf8').split('\n');
    const entries: string[] = [];
    for (const w of words) {
      const own = lines.filter((l) => l.startsWith(`${w} `) || l.startsWith(`${w}(`));
      if (own.length === 0) {
        throw new EchosimError('KEYPHRASE_UNAVAILABLE', `pocketsphinx's dictionary has no pronunciation for "${w}"`, {
          hint: 'Choose a keyphrase of dictionary words, or drop the keyphrase from the head description.',
        });
      }
      entries.push(...own);
    }
    const file = path.join(this.workDir(), `${words.join('_')}.dict`);
    writeFileSync(file, `${entries.join('\n')}\n`);
    this.dicts.set(text, file);
    return file;
  }

  private slot(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(new EchosimError('KEYPHRASE_BUSY', `${this.waiting.length} keyphrase checks are already waiting`, { hint: 'The cloud is busier than its recognizer: it decided on the verifier head alone.' }));
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes on
    else this.running--;
  }

  private run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => void (out.length < 65_536 && (out += d.toString())));
      child.stderr.on('data', (d: Buffer) => void (err.length < 4096 && (err += d.toString())));
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      child.on('error', (cause) => {
        clearTimeout(timer);
        reject(new EchosimError('KEYPHRASE_UNAVAILABLE', `cannot run ${this.binary}: ${cause.message}`, { hint: INSTALL_HINT, cause }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve(out);
        const why = signal ? `killed (${signal}) after ${this.timeoutMs} ms` : `exit status ${String(code)}: ${err.trim().slice(0, 200)}`;
        reject(new EchosimError('KEYPHRASE_FAILED', `${this.binary} failed: ${why}`, { hint: 'Check the pocketsphinx installation (pocketsphinx_continuous -h).' }));
      });
    });
  }
}

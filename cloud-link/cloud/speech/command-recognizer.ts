import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EchosimError, isEchosimError } from '../../../core/errors.js';
import type { Intent } from '../../protocol/intent.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { ResidentDecoder } from '../verification/resident-decoder.js';
import { commandGrammar, type CommandGrammar } from './command-grammar.js';
import { slotValues } from './slot-values.js';

/** Understands one request (the audio after the wake word) as an intent, or NoMatch. */
export interface CommandRecognizer {
  recognize(audio: Int16Array): Promise<Intent>;
  /** Why it cannot run here, if it cannot (SPEECH_UNAVAILABLE). */
  unavailable(): EchosimError | undefined;
  close(): void;
}

export interface PocketsphinxRecognizerOptions {
  binary?: string;
  modelDir?: string;
  /**
   * Below this confidence a recognized command is a no-match. The confidence is the logistic of the
   * per-frame log-likelihood ratio between the command grammar's path and a free phone loop's over
   * the same audio, in pocketsphinx's score units (0.5: both explain it equally well). Chosen on the tuning voices only
   * (BENCHMARKS.md, "Speech recognition"); default 0.3.
   */
  minConfidence?: number;
  /** Requests waiting beyond the one being decoded (default 16); more: SPEECH_FAILED (busy). */
  maxQueued?: number;
  /** A decode taking longer restarts its decoder: SPEECH_FAILED (default 10 s). */
  timeoutMs?: number;
}

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
/** A request is at most this long (the device's stream cap is 8 s plus its pre-roll). */
export const MAX_REQUEST_SECONDS = 10;
/** How many of pocketsphinx's path-score units per frame move the confidence by one logit. */
const SCORE_PER_LOGIT = 4;
const FRAMES_PER_SECOND = 100;
const INSTALL_HINT = 'sudo apt install pocketsphinx pocketsphinx-en-us (tools/setup.sh does); until then every request is answered "Sorry, I don\'t know that one".';

/**
 * Offline command recognition with Debian's pocketsphinx and its US English model: one resident
 * decoder constrained by the JSGF grammar of the commands (command-grammar.ts) and one with a free
 * phone loop, each a `pocketsphinx_batch` kept running between requests (resident-decoder.ts, shared
 * with the wake-word verifier), so a request costs two decodes (in parallel) and no model load, and an
 * idle cloud costs nothing (both processes block on their control FIFO). The ratio of the two paths'
 * likelihoods per frame is the confidence: speech that the grammar explains much worse than free
 * phones do is not a command, and is answered as a no-match, never as the nearest command.
 */
export class PocketsphinxRecognizer implements CommandRecognizer {
  readonly grammar: CommandGrammar = commandGrammar();
  private readonly binary: string;
  private readonly modelDir: string;
  private readonly minConfidence: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private decoders: { commands: ResidentDecoder; filler: ResidentDecoder } | undefined;

  constructor(options: PocketsphinxRecognizerOptions = {}) {
    this.binary = options.binary ?? 'pocketsphinx_batch';
    this.modelDir = options.modelDir ?? POCKETSPHINX_MODEL_DIR;
    this.minConfidence = options.minConfidence ?? 0.3;
    if (!(this.minConfidence >= 0 && this.minConfidence <= 1)) throw new EchosimError('CLI_ARGUMENT_INVALID', `minConfidence ${this.minConfidence} is not in [0, 1]`, { hint: 'e.g. 0.3' });
    this.maxQueued = Math.max(0, options.maxQueued ?? 16);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  unavailable(): EchosimError | undefined {
    const found = path.isAbsolute(this.binary)
      ? existsSync(this.binary)
      : (process.env.PATH ?? '').split(path.delimiter).some((d) => d !== '' && existsSync(path.join(d, this.binary)));
    if (!found) return new EchosimError('SPEECH_UNAVAILABLE', `${this.binary} (pocketsphinx) is not installed`, { hint: INSTALL_HINT });
    if (!existsSync(path.join(this.modelDir, 'en-us', 'mdef')) || !existsSync(path.join(this.modelDir, 'cmudict-en-us.dict'))) {
      return new EchosimError('SPEECH_UNAVAILABLE', `pocketsphinx's US English model is not in ${this.modelDir}`, { hint: INSTALL_HINT });
    }
    return undefined;
  }

  async recognize(audio: Int16Array): Promise<Intent> {
    const window = audio.length > MAX_REQUEST_SECONDS * SAMPLE_RATE ? audio.subarray(0, MAX_REQUEST_SECONDS * SAMPLE_RATE) : audio;
    const frames = (window.length / SAMPLE_RATE) * FRAMES_PER_SECOND;
    if (frames < 10) return noMatch();
    const { commands, filler } = this.ensureDecoders();
    let said: { hyp: string; score: number };
    let free: { hyp: string; score: number };
    try {
      [said, free] = await Promise.all([commands.decodeScored(window), filler.decodeScored(window)]);
    } catch (err) {
      throw new EchosimError(isEchosimError(err, 'KEYPHRASE_UNAVAILABLE') ? 'SPEECH_UNAVAILABLE' : 'SPEECH_FAILED', `speech recognition failed: ${(err as Error).message}`, {
        cause: err,
        hint: isEchosimError(err, 'KEYPHRASE_BUSY') ? 'The cloud is busier than its recognizer; the request is answered as not understood.' : INSTALL_HINT,
      });
    }
    const matched = this.grammar.match(said.hyp);
    if (!matched) return noMatch();
    const confidence = logistic((said.score - free.score) / frames / SCORE_PER_LOGIT);
    const slots = slotValues(matched.intent, matched.slotWords);
    if (!slots || confidence < this.minConfidence) return noMatch(confidence);
    return { name: matched.intent, slots, confidence: round3(confidence), heard: said.hyp.slice(0, 200) };
  }

  /** Process ids of the running decoders (CPU accounting in bench). */
  get pids(): number[] {
    const d = this.decoders;
    return d ? [d.commands.pid, d.filler.pid].filter((p): p is number => p !== undefined) : [];
  }

  close(): void {
    this.decoders?.commands.close();
    this.decoders?.filler.close();
    this.decoders = undefined;
  }

  private ensureDecoders(): { commands: ResidentDecoder; filler: ResidentDecoder } {
    if (this.decoders) return this.decoders;
    const missing = this.unavailable();
    if (missing) throw missing;
    const g = this.grammar;
    const dictionary = [...pronunciations(path.join(this.modelDir, 'cmudict-en-us.dict'), g.words), ...g.fillerDictionary];
    const make = (name: string, jsgf: string): ResidentDecoder =>
      new ResidentDecoder({
        binary: this.binary,
        hmm: path.join(this.modelDir, 'en-us'),
        dictionary,
        search: (dir) => {
          const file = path.join(dir, `${name}.gram`);
          writeFileSync(file, jsgf, { mode: 0o600 });
          // Wide beams: with the defaults a grammar path often dies before the end of a synthetic voice's
          // request, which leaves no hypothesis at all (measured: 26 of 74 espeak-ng requests).
          return ['-jsgf', file, '-beam', '1e-80', '-wbeam', '1e-60', '-pbeam', '1e-80'];
        },
        maxQueued: this.maxQueued,
        timeoutMs: this.timeoutMs,
      });
    this.decoders = { commands: make('commands', g.jsgf), filler: make('filler', g.fillerJsgf) };
    return this.decoders;
  }
}

/** The dictionary lines (every pronunciation) of `words`; SPEECH_UNAVAILABLE when one has none. */
function pronunciations(dictFile: string, words: readonly string[]): string[] {
  const want = new Set(words);
  const found = new Set<string>();
  const lines: string[] = [];
  for (const line of readFileSync(dictFile, 'utf8').split('\n')) {
    const head = line.slice(0, line.indexOf(' '));
    const word = head.replace(/\(\d+\)$/, '');
    if (want.has(word)) {
      lines.push(line.trim());
      found.add(word);
    }
  }
  const missing = words.filter((w) => !found.has(w));
  if (missing.length > 0) throw new EchosimError('SPEECH_UNAVAILABLE', `pocketsphinx's dictionary has no pronunciation for ${missing.join(', ')}`, { hint: 'Use dictionary words in command-rules.ts.' });
  return lines;
}

export function noMatch(confidence = 0): Intent {
  return { name: 'NoMatch', slots: {}, confidence: round3(Math.min(confidence, 1)), heard: '' };
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

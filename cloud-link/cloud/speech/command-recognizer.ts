import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EchosimError, isEchosimError } from '../../../core/errors.js';
import type { Intent, IntentName } from '../../protocol/intent.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { ResidentDecoder } from '../verification/resident-decoder.js';
import { commandGrammar, type CommandGrammar } from './command-grammar.js';
import { denoise } from './denoise.js';
import { withNoiseFloor } from './noise-floor.js';
import { speechFrames } from './speech-frames.js';
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
   * log-likelihood ratio between the command grammar's path and a free phone loop's over the same
   * audio, per 10 ms frame of speech (speech-frames.ts), in pocketsphinx's score units (0.5: both
   * explain it equally well). Chosen on the validation voices and real non-command speech only, from
   * the curve of `tools/fixtures/score-commands.mjs --curve` (BENCHMARKS.md section 12); default
   * DEFAULT_MIN_CONFIDENCE. It applies to the commands that only answer or are undone by a word
   * (ANSWER_ONLY_INTENTS); the others must reach minActionConfidence.
   */
  minConfidence?: number;
  /**
   * The threshold for the commands that act (timers, alarms, lists, do-not-disturb, the volume level,
   * deletions, bookings, meetings): a wrong one costs more than a needless "Sorry", so they must be
   * surer. Chosen with minConfidence on the same curve; default DEFAULT_MIN_ACTION_CONFIDENCE.
   */
  minActionConfidence?: number;
  /** Requests waiting beyond the one being decoded (default 16); more: SPEECH_FAILED (busy). */
  maxQueued?: number;
  /** A decode taking longer restarts its decoder: SPEECH_FAILED (default 10 s). */
  timeoutMs?: number;
}

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
/** The confidence thresholds (see PocketsphinxRecognizerOptions), chosen on validation, clean and with noise (BENCHMARKS.md section 12.3). */
export const DEFAULT_MIN_CONFIDENCE = 0.23;
export const DEFAULT_MIN_ACTION_CONFIDENCE = 0.27;
/** Commands that only answer, or whose effect one word undoes (stop, a volume step): the lower threshold. */
export const ANSWER_ONLY_INTENTS: ReadonlySet<IntentName> = new Set<IntentName>(['WhatTime', 'TimeLeft', 'ReadList', 'RoomFree', 'WhoBooked', 'Stop', 'VolumeUp', 'VolumeDown']);
/** A request is at most this long (the device's stream cap is 8 s plus its pre-roll). */
export const MAX_REQUEST_SECONDS = 10;
/** How many of pocketsphinx's path-score units per frame of speech move the confidence by one logit. */
const SCORE_PER_LOGIT = 16;
/** The ratio is spread over at least this many frames (100 ms), so a click is not a confident word. */
const MIN_SPEECH_FRAMES = 10;
const FRAMES_PER_SECOND = 100;
const INSTALL_HINT = 'sudo apt install pocketsphinx pocketsphinx-en-us (tools/setup.sh does); until then every request is answered "Sorry, I don\'t know that one".';

/**
 * Offline command recognition with Debian's pocketsphinx and its US English model: one resident
 * decoder constrained by the JSGF grammar of the commands (command-grammar.ts) and one with a free
 * phone loop, each a `pocketsphinx_batch` kept running between requests (resident-decoder.ts, shared
 * with the wake-word verifier), so a request costs two decodes (in parallel) and no model load, and an
 * idle cloud costs nothing (both processes block on their control FIFO). Both hear the request with
 * stationary noise removed by a Wiener filter (denoise.ts: broadband noise otherwise turns words into
 * others) and then a noise floor 25 dB under it (noise-floor.ts: synthetic voices' empty mel bands
 * otherwise decode as the wrong words). The ratio of the two paths' likelihoods per frame of speech (speech-frames.ts) is
 * the confidence: speech that the grammar explains much worse than free phones do is not a command,
 * and is answered as a no-match, never as the nearest command.
 */
export class PocketsphinxRecognizer implements CommandRecognizer {
  readonly grammar: CommandGrammar = commandGrammar();
  private readonly binary: string;
  private readonly modelDir: string;
  readonly minConfidence: number;
  readonly minActionConfidence: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private decoders: { commands: ResidentDecoder; filler: ResidentDecoder } | undefined;

  constructor(options: PocketsphinxRecognizerOptions = {}) {
    this.binary = options.binary ?? 'pocketsphinx_batch';
    this.modelDir = options.modelDir ?? POCKETSPHINX_MODEL_DIR;
    this.minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    this.minActionConfidence = options.minActionConfidence ?? Math.max(this.minConfidence, DEFAULT_MIN_ACTION_CONFIDENCE);
    for (const [name, value] of [['minConfidence', this.minConfidence], ['minActionConfidence', this.minActionConfidence]] as const) {
      if (!(value >= 0 && value <= 1)) throw new EchosimError('CLI_ARGUMENT_INVALID', `${name} ${value} is not in [0, 1]`, { hint: 'e.g. 0.3' });
    }
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
    const heard = withNoiseFloor(denoise(window));
    let said: { hyp: string; score: number };
    let free: { hyp: string; score: number };
    try {
      [said, free] = await Promise.all([commands.decodeScored(heard), filler.decodeScored(heard)]);
    } catch (err) {
      throw new EchosimError(isEchosimError(err, 'KEYPHRASE_UNAVAILABLE') ? 'SPEECH_UNAVAILABLE' : 'SPEECH_FAILED', `speech recognition failed: ${(err as Error).message}`, {
        cause: err,
        hint: isEchosimError(err, 'KEYPHRASE_BUSY') ? 'The cloud is busier than its recognizer; the request is answered as not understood.' : INSTALL_HINT,
      });
    }
    const matched = this.grammar.match(said.hyp);
    if (!matched) return noMatch();
    const confidence = logistic((said.score - free.score) / Math.max(MIN_SPEECH_FRAMES, speechFrames(window)) / SCORE_PER_LOGIT);
    const slots = slotValues(matched.intent, matched.slotWords);
    if (!slots || confidence < this.threshold(matched.intent)) return noMatch(confidence);
    return { name: matched.intent, slots, confidence: round3(confidence), heard: said.hyp.slice(0, 200) };
  }

  /** The confidence a recognized `intent` must reach. */
  threshold(intent: IntentName): number {
    return ANSWER_ONLY_INTENTS.has(intent) ? this.minConfidence : this.minActionConfidence;
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

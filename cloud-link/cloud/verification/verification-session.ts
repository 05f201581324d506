import { isEchosimError, EchosimError } from '../../../core/errors.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import type { Logger } from '../../../core/log.js';
import type { StreamStart } from '../../protocol/stream.js';
import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { CHUNK_SAMPLES, OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import type { ScorerSource } from '../../../models/wakeword/scorer.js';
import type { KeyphraseSpotter } from './keyphrase-spotter.js';
import { UtteranceAssembler, type UtteranceAssemblerOptions, type UtteranceChunk } from './utterance-assembler.js';
import { ms, planVerification, type VerificationCaveat, type VerificationPlan } from './verification-plan.js';
import { REORDER_WINDOW_SAMPLES } from './verification-rule.js';
import type { WordVerification } from './word-verification.js';

/** What the device said about the utterance (the fields of its stream start). */
export interface VerifyOptions {
  /** The keyword the device heard, e.g. `alexa` (case-insensitive: `ALEXA` from a room profile works). */
  readonly keyword: string;
  readonly wakeWordIndices?: StreamStart['wakeWordIndices'];
  readonly preRoll?: StreamStart['preRoll'];
  /** Cap on the audio kept for the utterance (default 8 s plus the pre-roll). */
  readonly maxSamples?: UtteranceAssemblerOptions['maxSamples'];
}

export interface VerificationVerdict {
  readonly confirmed: boolean;
  readonly keyword: string;
  /**
   * The decisive statistic: the lowest score within the best run of `patience` consecutive chunks
   * completing inside the window (at confirmation by the head, the run that confirmed).
   */
  readonly score: number;
  /** At or above it the head confirms (the grey zone's top, `high`). */
  readonly threshold: number;
  /** Below it the head rejects; between it and `threshold` the recognizer decides (equal: no grey zone). */
  readonly low: number;
  readonly patience: number;
  /** What decided: the head's score, or the speech recognizer in the grey zone. */
  readonly stage: 'head' | 'recognizer';
  /** The recognizer's check, when one ran. */
  readonly recognizer?: RecognizerResult;
  /** Highest single-chunk score inside the window. */
  readonly peakScore: number;
  /** Where the confirming run completed (confirmed by the recognizer: the best run), in samples from the stream start. */
  readonly detectedAtSample?: number;
  /** How far (samples from the stream start) the audio had been scored when the verdict was reached. */
  readonly decidedAtSample: number;
  /** Where the confirming run had to complete, in samples from the stream start. */
  readonly window: { readonly startSample: number; readonly endSample: number };
  readonly caveats: readonly VerificationCaveat[];
  /** Why it was rejected and/or what the verdict could not rely on; absent for a clean confirmation. */
  readonly reason?: string;
}

export type RecognizerResult =
  | { readonly kind: 'keyphrase'; readonly text: string; readonly kwsThreshold: number; readonly found: boolean }
  /** `heard`: the word or the near miss that fitted best; none when nothing fitted (no objection: the head decides). */
  | { readonly kind: 'near-misses'; readonly word: string; readonly heard?: string; readonly found: boolean };

export interface SessionDeps {
  readonly models: OpenWakeWordModels | ScorerSource;
  readonly spec: WordVerification;
  readonly keyphrase: KeyphraseSpotter | undefined;
  readonly log: Logger;
  /** The recognizer could not run: the verdict falls back to the head (the verifier warns). */
  readonly keyphraseFailed: (err: EchosimError) => void;
}

/**
 * One utterance's verification. Chunks may arrive out of order or not at all; the engine consumes
 * the gap-free prefix, and a gap is given up (scored as the noise floor) once audio well past it has
 * arrived. `assembler` keeps the whole utterance for the recording store. The word's head is loaded
 * (once per process) before the first chunk is scored; the work is queued per session, so a verdict
 * that waits for the recognizer holds up only this utterance.
 */
export class VerificationSession {
  readonly assembler: UtteranceAssembler;
  /** The verdict is due once audio up to here (samples from the stream start) has been scored. */
  readonly decisionSample: number;
  readonly keyword: string;
  private engine: OpenWakeWordEngine | undefined;
  private readonly plan: VerificationPlan;
  /** Engine samples fed so far; engine sample e is stream sample plan.origin + e. */
  private fed = 0;
  private readonly recent: number[] = [];
  private best = 0;
  private bestAt: number | undefined;
  private peak = 0;
  private earlyRun: number | undefined;
  private missingScored = 0;
  private endedEarly = false;
  /** The window ended in the grey zone: the recognizer decides. */
  private grey: number | undefined;
  private result: VerificationVerdict | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: SessionDeps,
    options: VerifyOptions,
  ) {
    this.keyword = deps.spec.keyword;
    this.assembler = new UtteranceAssembler(options.maxSamples === undefined ? {} : { maxSamples: options.maxSamples });
    this.plan = planVerification(options.wakeWordIndices, options.preRoll, deps.spec.rule);
    this.decisionSample = decisionSampleOf(this.plan);
  }

  get verdict(): VerificationVerdict | undefined {
    return this.result;
  }

  /**
   * Adds a chunk and scores whatever it made available. Resolves to the verdict on the push that
   * reaches it, and to undefined on every other push (the verdict stays in `verdict`). Chunks after
   * the verdict are still collected in `assembler`.
   */
  async push(chunk: UtteranceChunk): Promise<VerificationVerdict | undefined> {
    const added = this.assembler.add(chunk);
    // A retransmission or audio past the cap brings nothing new to score: queue no work for it.
    if (added === 'duplicate' || added === 'overflow') return undefined;
    return this.enqueue(() => this.advance(false));
  }

  /** The stream has ended: decides on what arrived (the rest of the window scored as silence). */
  async finish(): Promise<VerificationVerdict> {
    await this.enqueue(() => this.advance(true));
    return this.result!;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async advance(final: boolean): Promise<VerificationVerdict | undefined> {
    if (this.result) return undefined;
    const engine = (this.engine ??= await this.openEngine());
    const ready = final ? Number.POSITIVE_INFINITY : this.readyUntil();
    while (!this.result) {
      const from = this.plan.origin + this.fed;
      const to = from + CHUNK_SAMPLES;
      if (to > ready) return undefined;
      const samples = this.readForEngine(from, to, final);
      const { scores } = await engine.process({ index: this.fed, samples });
      this.fed += CHUNK_SAMPLES;
      this.judge(scores[0]?.scores[this.deps.spec.head.keyword] ?? 0, to);
      if (this.grey !== undefined) await this.askRecognizer(this.grey);
    }
    return this.result;
  }

  private async openEngine(): Promise<OpenWakeWordEngine> {
    const { models, spec } = this.deps;
    await (models instanceof OpenWakeWordModels ? models.ensureHeads([spec.head]) : models.ensureHeads([spec.head]));
    // Only its scores are used: the decisions inside the engine do not matter (any valid threshold).
    return new OpenWakeWordEngine(models, { keywords: [spec.head.keyword], threshold: 0.5 });
  }

  /** Stream position up to which audio can be scored now: up to the first gap still worth waiting for. */
  private readyUntil(): number {
    const extent = this.assembler.extentSamples;
    for (const gap of this.assembler.gaps(extent)) {
      if (gap.offset + gap.samples + REORDER_WINDOW_SAMPLES > extent) return gap.offset;
    }
    return extent;
  }

  private readForEngine(from: number, to: number, final: boolean): Int16Array {
    const out = new Int16Array(to - from);
    const a = Math.max(0, from);
    if (a < to) {
      out.set(this.assembler.read(a, to), a - from);
      const extent = this.assembler.extentSamples;
      for (const gap of this.assembler.gaps(Math.min(to, extent))) {
        const overlap = Math.min(to, gap.offset + gap.samples) - Math.max(a, gap.offset);
        if (overlap > 0) this.missingScored += overlap;
      }
      if (final && to > extent) this.endedEarly = true;
    }
    return out;
  }

  private judge(score: number, chunkEnd: number): void {
    const { rule, high, low } = this.deps.spec;
    this.recent.push(score);
    if (this.recent.length > rule.patience) this.recent.shift();
    const run = this.recent.length === rule.patience ? Math.min(...this.recent) : 0;
    const { windowStart, windowEnd } = this.plan;
    if (chunkEnd < windowStart) {
      if (run >= high) this.earlyRun ??= chunkEnd;
      return;
    }
    this.peak = Math.max(this.peak, score);
    if (run > this.best || this.bestAt === undefined) {
      this.best = Math.max(this.best, run);
      this.bestAt = chunkEnd;
    }
    if (run >= high) this.decide(true, run, chunkEnd, chunkEnd);
    else if (chunkEnd + CHUNK_SAMPLES > windowEnd) {
      if (this.best < low) this.decide(false, this.best, undefined, chunkEnd);
      else this.grey = chunkEnd;
    }
  }

  /** The window ended in the grey zone [low, high): the recognizer decides, or the head alone when it cannot run. */
  private async askRecognizer(decidedAt: number): Promise<void> {
    this.grey = undefined;
    const { spec, keyphrase: spotter } = this.deps;
    const check = spec.check;
    if (!check) return this.decide(true, this.best, this.bestAt, decidedAt); // a grey zone without a check confirms
    try {
      if (!spotter) throw new EchosimError('KEYPHRASE_UNAVAILABLE', 'this verifier has no speech recognizer', { hint: 'Give it one (PocketsphinxSpotter).' });
      let result: RecognizerResult;
      if (check.kind === 'keyphrase') {
        const audio = this.assembler.read(Math.max(0, this.plan.origin), Math.min(decidedAt, this.assembler.extentSamples));
        result = { kind: 'keyphrase', ...check.phrase, found: await spotter.spot(audio, check.phrase) };
      } else {
        const end = Math.min(this.plan.windowEnd - spec.rule.toleranceAfterEndSamples, this.assembler.extentSamples);
        const audio = this.assembler.read(Math.max(0, end - Math.round(check.seconds * SAMPLE_RATE)), end);
        const { heard } = await spotter.choose(audio, check.word);
        result = { kind: 'near-misses', word: check.word, ...(heard ? { heard } : {}), found: heard === undefined || heard === check.word };
      }
      this.decide(result.found, this.best, result.found ? this.bestAt : undefined, decidedAt, result);
    } catch (err) {
      const e = isEchosimError(err) ? err : new EchosimError('KEYPHRASE_FAILED', String((err as Error).message ?? err));
      this.deps.keyphraseFailed(e);
      this.decide(true, this.best, this.bestAt, decidedAt, undefined, e);
    }
  }

  private decide(
    confirmed: boolean,
    score: number,
    detectedAt: number | undefined,
    decidedAt: number,
    recognizer?: RecognizerResult,
    recognizerError?: EchosimError,
  ): void {
    const { rule, high, low } = this.deps.spec;
    const caveats = [...this.plan.caveats];
    const notes = [...this.plan.notes];
    if (this.missingScored > 0) {
      caveats.push('audio-missing');
      notes.push(`${ms(this.missingScored)} ms of the scored audio never arrived and was scored as the noise floor`);
    }
    if (this.endedEarly) {
      caveats.push('stream-ended-early');
      notes.push(`the stream ended before ${ms(this.decisionSample)} ms; the rest was scored as silence`);
    }
    const where = `${ms(this.plan.windowStart)}-${ms(this.plan.windowEnd)} ms`;
    const runOf = `best run of ${rule.patience} chunk${rule.patience > 1 ? 's' : ''} inside the claimed wake word (${where}) scored ${score.toFixed(3)}`;
    if (recognizerError) {
      caveats.push('keyphrase-unavailable');
      notes.unshift(`${runOf}, between ${low} and ${high}; the speech recognizer could not run (${recognizerError.code}: ${recognizerError.message}), so the head alone confirmed it`);
    } else if (recognizer?.kind === 'keyphrase' && !recognizer.found) {
      notes.unshift(`${runOf}, between ${low} and ${high}, and the keyphrase "${recognizer.text}" was not heard`);
    } else if (recognizer?.kind === 'near-misses' && !recognizer.found) {
      notes.unshift(`${runOf}, between ${low} and ${high}, and the speech recognizer heard "${recognizer.heard ?? ''}", a near miss of "${recognizer.word}"`);
    } else if (!confirmed) {
      notes.unshift(`${runOf}, below ${low}` + (this.earlyRun !== undefined ? `; a run reached ${high} at ${ms(this.earlyRun)} ms, before the claimed wake word began` : ''));
    }
    this.result = {
      confirmed,
      keyword: this.keyword,
      score,
      threshold: high,
      low,
      patience: rule.patience,
      stage: recognizer ? 'recognizer' : 'head',
      ...(recognizer ? { recognizer } : {}),
      peakScore: this.peak,
      ...(detectedAt === undefined ? {} : { detectedAtSample: detectedAt }),
      decidedAtSample: decidedAt,
      window: { startSample: this.plan.windowStart, endSample: this.plan.windowEnd },
      caveats,
      ...(notes.length > 0 ? { reason: notes.join('; ') } : {}),
    };
    // The engine's buffers are no longer needed; the models stay shared.
    void this.engine?.dispose();
    this.deps.log.debug({ keyword: this.keyword, confirmed, score, stage: this.result.stage, caveats }, 'wake word verified');
  }
}

/** Where a plan's verdict is due: the end of the last whole chunk inside its window. */
export function decisionSampleOf(plan: VerificationPlan): number {
  return plan.origin + Math.floor((plan.windowEnd - plan.origin) / CHUNK_SAMPLES) * CHUNK_SAMPLES;
}

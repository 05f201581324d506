import type { Logger } from '../../../core/log.js';
import { rootLogger } from '../../../core/log.js';
import { EchosimError } from '../../../core/errors.js';
import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { CHUNK_SAMPLES, type OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import type { ScorerSource } from '../../../models/wakeword/scorer.js';
import type { StreamStart } from '../../protocol/stream.js';
import { UtteranceAssembler, type UtteranceAssemblerOptions, type UtteranceChunk } from './utterance-assembler.js';
import { ms, planVerification, type VerificationCaveat, type VerificationPlan } from './verification-plan.js';
import { REORDER_WINDOW_SAMPLES, ruleFor, type VerificationRule } from './verification-rule.js';

export type { VerificationCaveat } from './verification-plan.js';

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
   * completing inside the window (at confirmation, the run that confirmed).
   */
  readonly score: number;
  readonly threshold: number;
  readonly patience: number;
  /** Highest single-chunk score inside the window. */
  readonly peakScore: number;
  /** Where the confirming run completed, in samples from the stream start. */
  readonly detectedAtSample?: number;
  /** How far (samples from the stream start) the audio had been scored when the verdict was reached. */
  readonly decidedAtSample: number;
  /** Where the confirming run had to complete, in samples from the stream start. */
  readonly window: { readonly startSample: number; readonly endSample: number };
  readonly caveats: readonly VerificationCaveat[];
  /** Why it was rejected and/or what the verdict could not rely on; absent for a clean confirmation. */
  readonly reason?: string;
}

export interface WakeWordVerifierOptions {
  /**
   * Loaded once and shared by every session (and by simulated devices in the same process), or a
   * SpotterPool so verification runs on worker threads.
   */
  readonly models: OpenWakeWordModels | ScorerSource;
  /** Override or add rules per keyword (tests, tuning); the measured ones are in verification-rule.ts. */
  readonly rules?: Readonly<Record<string, VerificationRule>>;
  readonly log?: Logger;
}

/**
 * Cloud verification of the wake word: re-runs openWakeWord on what the device streamed, with a
 * stricter decision than the device's (see verification-rule.ts for the rule and its measured
 * margins). Each utterance gets a fresh engine (its own feature history) over the shared models,
 * so a fleet loads the models once and no utterance's audio leaks into another's score.
 */
export class WakeWordVerifier {
  readonly models: OpenWakeWordModels | ScorerSource;
  private readonly rules: Readonly<Record<string, VerificationRule>> | undefined;
  private readonly log: Logger;

  constructor(options: WakeWordVerifierOptions) {
    this.models = options.models;
    this.rules = options.rules;
    this.log = options.log ?? rootLogger().child({ module: 'wakeword-verifier' });
  }

  /** True when the keyword's model is loaded and a rule has been measured for it. */
  supports(keyword: string): boolean {
    const k = keyword.toLowerCase();
    return this.models.keywords.includes(k) && this.ruleOf(k) !== undefined;
  }

  /**
   * Starts verifying one utterance incrementally: push its chunks as they arrive; the verdict comes
   * from the push that completes the audio up to the decision point (at most 300 ms of audio after
   * the claimed end of the wake word), or from `finish()` when the stream ends first.
   */
  start(options: VerifyOptions): VerificationSession {
    const keyword = options.keyword.toLowerCase();
    const rule = this.ruleOf(keyword);
    if (!this.models.keywords.includes(keyword) || !rule) {
      throw new EchosimError('VERIFICATION_UNAVAILABLE', `cannot verify the wake word "${options.keyword}"`, {
        hint: this.models.keywords.includes(keyword)
          ? `no verification rule is measured for "${keyword}"; add one to VERIFICATION_RULES (verification-rule.ts) after measuring its fixtures`
          : `load its model (OpenWakeWordModels.load({ keywords: [..., '${keyword}'] })), or let utterances with this wake word through unverified`,
        details: { keyword, loaded: this.models.keywords },
      });
    }
    return new VerificationSession(this.models, keyword, rule, options, this.log);
  }

  /** Verifies a whole utterance at once (same decision as the incremental session). */
  async verify(audio: Int16Array, options: VerifyOptions): Promise<VerificationVerdict> {
    const session = this.start(options);
    return (await session.push({ seq: 0, offset: 0, samples: audio })) ?? session.finish();
  }

  private ruleOf(keyword: string): VerificationRule | undefined {
    return this.rules && Object.hasOwn(this.rules, keyword) ? this.rules[keyword] : ruleFor(keyword);
  }
}

/**
 * One utterance's verification. Chunks may arrive out of order or not at all; the engine consumes
 * the gap-free prefix, and a gap is given up (scored as the noise floor) once audio well past it has
 * arrived. `assembler` keeps the whole utterance for the recording store.
 */
export class VerificationSession {
  readonly assembler: UtteranceAssembler;
  /** The verdict is due once audio up to here (samples from the stream start) has been scored. */
  readonly decisionSample: number;
  private engine: OpenWakeWordEngine | undefined;
  private readonly plan: VerificationPlan;
  /** Engine samples fed so far; engine sample e is stream sample plan.origin + e. */
  private fed = 0;
  private readonly recent: number[] = [];
  private best = 0;
  private peak = 0;
  private earlyRun: number | undefined;
  private missingScored = 0;
  private endedEarly = false;
  private result: VerificationVerdict | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    models: OpenWakeWordModels | ScorerSource,
    readonly keyword: string,
    readonly rule: VerificationRule,
    options: VerifyOptions,
    private readonly log: Logger,
  ) {
    this.assembler = new UtteranceAssembler(options.maxSamples === undefined ? {} : { maxSamples: options.maxSamples });
    this.engine = new OpenWakeWordEngine(models);
    this.plan = planVerification(options.wakeWordIndices, options.preRoll, rule);
    const chunks = Math.floor((this.plan.windowEnd - this.plan.origin) / CHUNK_SAMPLES);
    this.decisionSample = this.plan.origin + chunks * CHUNK_SAMPLES;
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
    const ready = final ? Number.POSITIVE_INFINITY : this.readyUntil();
    while (!this.result && this.engine) {
      const from = this.plan.origin + this.fed;
      const to = from + CHUNK_SAMPLES;
      if (to > ready) return undefined;
      const samples = this.readForEngine(from, to, final);
      const { scores } = await this.engine.process({ index: this.fed, samples });
      this.fed += CHUNK_SAMPLES;
      const score = scores[0]?.scores[this.keyword] ?? 0;
      this.judge(score, to);
    }
    return this.result;
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
    const { threshold, patience } = this.rule;
    this.recent.push(score);
    if (this.recent.length > patience) this.recent.shift();
    const run = this.recent.length === patience ? Math.min(...this.recent) : 0;
    const { windowStart, windowEnd } = this.plan;
    if (chunkEnd < windowStart) {
      if (run >= threshold) this.earlyRun ??= chunkEnd;
      return;
    }
    this.peak = Math.max(this.peak, score);
    this.best = Math.max(this.best, run);
    if (run >= threshold) this.decide(true, run, chunkEnd, chunkEnd);
    else if (chunkEnd + CHUNK_SAMPLES > windowEnd) this.decide(false, this.best, undefined, chunkEnd);
  }

  private decide(confirmed: boolean, score: number, detectedAt: number | undefined, decidedAt: number): void {
    const { threshold, patience } = this.rule;
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
    if (!confirmed) {
      const where = `${ms(this.plan.windowStart)}-${ms(this.plan.windowEnd)} ms`;
      notes.unshift(
        `best run of ${patience} chunk${patience > 1 ? 's' : ''} inside the claimed wake word (${where}) scored ${score.toFixed(3)}, below ${threshold}` +
          (this.earlyRun !== undefined ? `; a run reached the threshold at ${ms(this.earlyRun)} ms, before the claimed wake word began` : ''),
      );
    }
    this.result = {
      confirmed,
      keyword: this.keyword,
      score,
      threshold,
      patience,
      peakScore: this.peak,
      ...(detectedAt === undefined ? {} : { detectedAtSample: detectedAt }),
      decidedAtSample: decidedAt,
      window: { startSample: this.plan.windowStart, endSample: this.plan.windowEnd },
      caveats,
      ...(notes.length > 0 ? { reason: notes.join('; ') } : {}),
    };
    // The engine's buffers are no longer needed; the models stay shared.
    this.engine = undefined;
    this.log.debug({ keyword: this.keyword, confirmed, score, caveats }, 'wake word verified');
  }
}

import type { Logger } from '../../../core/log.js';
import { rootLogger } from '../../../core/log.js';
import { EchosimError } from '../../../core/errors.js';
import type { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { WakeWordRegistry } from '../../../models/wakeword/registry.js';
import type { ScorerSource } from '../../../models/wakeword/scorer.js';
import { PocketsphinxSpotter, type KeyphraseSpotter } from './keyphrase-spotter.js';
import { planVerification } from './verification-plan.js';
import type { VerificationRule } from './verification-rule.js';
import { decisionSampleOf, VerificationSession, type VerificationVerdict, type VerifyOptions } from './verification-session.js';
import { wordVerification, type WordVerification } from './word-verification.js';

export type { VerificationCaveat } from './verification-plan.js';
export type { VerificationVerdict, VerifyOptions } from './verification-session.js';
export { VerificationSession } from './verification-session.js';

export interface WakeWordVerifierOptions {
  /**
   * Loaded once and shared by every session (and by simulated devices in the same process), or a
   * SpotterPool so verification runs on worker threads. Heads a word needs are loaded on first use.
   */
  readonly models: OpenWakeWordModels | ScorerSource;
  /** Where each word's heads and second stage come from (default: the shipped registry). */
  readonly registry?: WakeWordRegistry;
  /** Override or add rules per keyword (tests, tuning); the measured ones are in verification-rule.ts. */
  readonly rules?: Readonly<Record<string, VerificationRule>>;
  /**
   * The speech recognizer that decides the grey zone (keyphrase-spotter.ts): default a
   * PocketsphinxSpotter of the verifier's own, closed by `close()`; one passed in is the caller's to
   * close. With `false`, or when pocketsphinx is not installed, a grey-zone verdict is the head's
   * alone, reported with the `keyphrase-unavailable` caveat.
   */
  readonly keyphrase?: KeyphraseSpotter | false;
  readonly log?: Logger;
}

/**
 * Cloud verification of the wake word, the second stage of the cascade whose first stage is the
 * device's head: re-runs openWakeWord on what the device streamed with a stricter decision than the
 * device's (word-verification.ts: the word's verifier head and keyphrase check when it ships them,
 * otherwise the device's head under a measured rule, verification-rule.ts). Each utterance gets a
 * fresh engine (its own feature history) over the shared models, so a fleet loads the models once
 * and no utterance's audio leaks into another's score.
 */
export class WakeWordVerifier {
  readonly models: OpenWakeWordModels | ScorerSource;
  private readonly registry: WakeWordRegistry;
  private readonly rules: Readonly<Record<string, VerificationRule>> | undefined;
  private readonly keyphrase: KeyphraseSpotter | undefined;
  private readonly ownsKeyphrase: boolean;
  private readonly log: Logger;
  private readonly specs = new Map<string, WordVerification | undefined>();
  private readonly warned = new Set<string>();

  constructor(options: WakeWordVerifierOptions) {
    this.models = options.models;
    this.registry = options.registry ?? WakeWordRegistry.load();
    this.rules = options.rules;
    this.ownsKeyphrase = options.keyphrase === undefined;
    this.keyphrase = options.keyphrase === undefined ? new PocketsphinxSpotter() : options.keyphrase || undefined;
    this.log = options.log ?? rootLogger().child({ module: 'wakeword-verifier' });
  }

  /** True when the word can be verified: it ships a verifier head, or a rule has been measured for its head. */
  supports(keyword: string): boolean {
    return this.specOf(keyword.toLowerCase()) !== undefined;
  }

  /** How a word is verified (its head, rule, grey zone and keyphrase), when it can be. */
  verificationOf(keyword: string): WordVerification | undefined {
    return this.specOf(keyword.toLowerCase());
  }

  /** Where a session for this utterance will decide, in samples from the stream start; undefined when the word cannot be verified. */
  decisionSample(options: VerifyOptions): number | undefined {
    const spec = this.specOf(options.keyword.toLowerCase());
    return spec ? decisionSampleOf(planVerification(options.wakeWordIndices, options.preRoll, spec.rule)) : undefined;
  }

  /**
   * Starts verifying one utterance incrementally: push its chunks as they arrive; the verdict comes
   * from the push that completes the audio up to the decision point (at most 300 ms of audio after
   * the claimed end of the wake word, plus the keyphrase check in the grey zone), or from `finish()`
   * when the stream ends first.
   */
  start(options: VerifyOptions): VerificationSession {
    const keyword = options.keyword.toLowerCase();
    const spec = this.specOf(keyword);
    if (!spec) {
      const known = this.registry.has(keyword);
      throw new EchosimError('VERIFICATION_UNAVAILABLE', `cannot verify the wake word "${options.keyword}"`, {
        hint: known
          ? `"${keyword}" ships no verifier head and no verification rule is measured for its head; train one (echosim train wakeword) or add a rule to VERIFICATION_RULES (verification-rule.ts) after measuring its fixtures`
          : `no shipped model is named "${keyword}" (a custom --model head): let its utterances through unverified, or ship it under models/wakeword/heads/`,
        details: { keyword, known: this.registry.keywords },
      });
    }
    return new VerificationSession(
      { models: this.models, spec, keyphrase: this.keyphrase, log: this.log, keyphraseFailed: (err) => this.keyphraseFailed(keyword, err) },
      options,
    );
  }

  /** Verifies a whole utterance at once (same decision as the incremental session). */
  async verify(audio: Int16Array, options: VerifyOptions): Promise<VerificationVerdict> {
    const session = this.start(options);
    return (await session.push({ seq: 0, offset: 0, samples: audio })) ?? session.finish();
  }

  /** Stops the recognizer's resident processes if the verifier started them. */
  close(): void {
    if (this.ownsKeyphrase) this.keyphrase?.close();
  }

  private specOf(keyword: string): WordVerification | undefined {
    if (!this.specs.has(keyword)) this.specs.set(keyword, wordVerification(this.registry, keyword, this.rules));
    return this.specs.get(keyword);
  }

  /** Warns once per word and error code: a missing recognizer would otherwise log on every utterance. */
  private keyphraseFailed(keyword: string, err: EchosimError): void {
    const key = `${keyword}:${err.code}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn({ keyword, code: err.code, hint: err.hint }, `keyphrase check unavailable (${err.message}); the verifier head decides alone`);
  }
}

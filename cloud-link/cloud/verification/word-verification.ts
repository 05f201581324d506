import { SAMPLE_RATE } from '../../../core/audio-format.js';
import type { HeadSpec, WakeWordRegistry } from '../../../models/wakeword/registry.js';
import type { Keyphrase } from './keyphrase-spotter.js';
import { ruleFor, type VerificationRule } from './verification-rule.js';

/**
 * How the cloud verifies one word: the second stage of the cascade whose first stage is the device's
 * head. A window of the stream ([claimed start - 500 ms, claimed end + 300 ms], verification-plan.ts)
 * is scored with a head; the statistic is the best run of `rule.patience` chunks completing in it.
 * At or above `high` it confirms, below `low` it rejects, in between (the grey zone) a speech
 * recognizer trained on real speech decides (`check`).
 *
 * - A word whose head description has a verifier (models/wakeword/heads/<word>/<word>.json): its
 *   stricter verifier head, its grey zone [low, high) and its keyphrase.
 * - A word with a measured rule for the device's own head (verification-rule.ts: the bundled alexa):
 *   that head under the stricter rule; with `certainAbove`, a grey zone [threshold, certainAbove)
 *   where the word must beat its near misses in the recognizer.
 * - Any other word cannot be verified (its utterances are let through, as a custom `--model` head's).
 */
export interface WordVerification {
  /** The word, as the device's utterances name it. */
  readonly keyword: string;
  /** The head the window is scored with. */
  readonly head: HeadSpec;
  /** Its patience and how far past the claimed end the run may complete (`threshold` is `high`). */
  readonly rule: VerificationRule;
  readonly high: number;
  readonly low: number;
  /** What decides the grey zone: the keyphrase spotted, or the word heard rather than a near miss; none: the head confirms. */
  readonly check?: RecognizerCheck;
}

export type RecognizerCheck =
  /** The head description's keyphrase over the scored window (from 500 ms before the word to the decision). */
  | { readonly kind: 'keyphrase'; readonly phrase: Keyphrase }
  /** The word against its near misses over the `seconds` that end at the claimed end of the word. */
  | { readonly kind: 'near-misses'; readonly word: string; readonly seconds: number };

/** The near-miss choice listens to this much audio before the claimed end of the word. */
export const NEAR_MISS_WINDOW_SECONDS = 1.5;

/** The stage-2 run may complete at most this long after the claimed end of the word. */
const TOLERANCE_AFTER_END_SAMPLES = Math.round(0.3 * SAMPLE_RATE);

export function wordVerification(
  registry: WakeWordRegistry,
  keyword: string,
  rules?: Readonly<Record<string, VerificationRule>>,
): WordVerification | undefined {
  if (!registry.has(keyword)) return undefined;
  const second = registry.secondStage(keyword);
  const verifier = second?.verifier;
  const override = rules && Object.hasOwn(rules, keyword) ? rules[keyword] : undefined;
  if (verifier && !override) {
    return {
      keyword,
      head: verifier.head,
      rule: { threshold: verifier.high, patience: verifier.patience, toleranceAfterEndSamples: TOLERANCE_AFTER_END_SAMPLES },
      high: verifier.high,
      low: verifier.low,
      ...(second?.keyphrase ? { check: { kind: 'keyphrase', phrase: second.keyphrase } } : {}),
    };
  }
  const rule = override ?? ruleFor(keyword);
  if (!rule) return undefined;
  const high = Math.max(rule.threshold, rule.certainAbove ?? rule.threshold);
  return {
    keyword,
    head: registry.head(keyword),
    rule,
    high,
    low: rule.threshold,
    ...(high > rule.threshold ? { check: { kind: 'near-misses', word: keyword, seconds: NEAR_MISS_WINDOW_SECONDS } } : {}),
  };
}

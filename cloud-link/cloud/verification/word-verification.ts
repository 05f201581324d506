import { SAMPLE_RATE } from '../../../hal/mic/types.js';
import type { HeadSpec, WakeWordRegistry } from '../../../models/wakeword/registry.js';
import type { Keyphrase } from './keyphrase-spotter.js';
import { ruleFor, type VerificationRule } from './verification-rule.js';

/**
 * How the cloud verifies one word: the second stage of the cascade whose first stage is the device's
 * head. A window of the stream ([claimed start - 500 ms, claimed end + 300 ms], verification-plan.ts)
 * is scored with a head; the statistic is the best run of `rule.patience` chunks completing in it.
 * At or above `high` it confirms, below `low` it rejects, in between (the grey zone) the keyphrase
 * check decides: a speech recognizer trained on real speech listens for the word in that window.
 *
 * - A word whose head description has a verifier (models/wakeword/heads/<word>/<word>.json): its
 *   stricter verifier head, its grey zone [low, high) and its keyphrase.
 * - A word with a measured rule for the device's own head (verification-rule.ts: the bundled alexa):
 *   that head under the stricter rule, no grey zone (high = low = the rule's threshold).
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
  readonly keyphrase?: Keyphrase;
}

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
      ...(second?.keyphrase ? { keyphrase: second.keyphrase } : {}),
    };
  }
  const rule = override ?? ruleFor(keyword);
  if (!rule) return undefined;
  return { keyword, head: registry.head(keyword), rule, high: rule.threshold, low: rule.threshold };
}

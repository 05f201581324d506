import { SAMPLE_RATE } from '../../../core/audio-format.js';
import type { StreamStart } from '../../protocol/stream.js';
import { MAX_WAKE_WORD_SAMPLES, VERIFIER_PRE_ROLL_SAMPLES, type VerificationRule } from './verification-rule.js';

/**
 * Why a verdict rests on less than the full contract:
 * - `pre-roll-incomplete`: less than 500 ms preceded the wake word; the rest was scored as the noise floor;
 * - `no-wake-word-indices`: missing or unusable indices; the position was assumed and the window widened;
 * - `wake-word-clamped`: the claimed wake word was longer than any real one; its end was pulled in;
 * - `leading-audio-trimmed`: more than 500 ms preceded the wake word; the extra was not scored;
 * - `audio-missing`: chunks inside the scored audio never arrived; they were scored as the noise floor;
 * - `stream-ended-early`: the stream ended before the decision point; the rest was scored as silence;
 * - `keyphrase-unavailable`: the score fell in the grey zone but the keyphrase check could not run; the head alone decided.
 */
export type VerificationCaveat =
  | 'pre-roll-incomplete'
  | 'no-wake-word-indices'
  | 'wake-word-clamped'
  | 'leading-audio-trimmed'
  | 'audio-missing'
  | 'stream-ended-early'
  | 'keyphrase-unavailable';

/** Where the session scores, in samples from the stream start. */
export interface VerificationPlan {
  /** Stream position of the engine's first sample: exactly the pre-roll before the claimed start (may be negative: padded). */
  readonly origin: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly caveats: VerificationCaveat[];
  readonly notes: string[];
}

/** Where the engine starts and where the wake word must be, from what the device claimed. */
export function planVerification(
  wakeWordIndices: StreamStart['wakeWordIndices'] | undefined,
  preRoll: StreamStart['preRoll'] | undefined,
  rule: VerificationRule,
): VerificationPlan {
  const caveats: VerificationCaveat[] = [];
  const notes: string[] = [];
  const idx = wakeWordIndices;
  let start: number;
  let end: number;
  const usable =
    idx !== undefined &&
    Number.isSafeInteger(idx.startIndexInSamples) &&
    Number.isSafeInteger(idx.endIndexInSamples) &&
    idx.startIndexInSamples >= 0 &&
    idx.endIndexInSamples > idx.startIndexInSamples;
  if (idx && usable) {
    start = idx.startIndexInSamples;
    end = idx.endIndexInSamples;
    if (end - start > MAX_WAKE_WORD_SAMPLES) {
      caveats.push('wake-word-clamped');
      notes.push(`the claimed wake word (${ms(end - start)} ms) is longer than any real one; judged as its first ${ms(MAX_WAKE_WORD_SAMPLES)} ms`);
      end = start + MAX_WAKE_WORD_SAMPLES;
    }
  } else {
    // Judge on what there is: the AVS contract puts the wake word right after the pre-roll.
    const available = preRoll?.availableSamples;
    const known = available !== undefined && Number.isSafeInteger(available) && available >= 0;
    start = known ? Math.min(available, VERIFIER_PRE_ROLL_SAMPLES) : VERIFIER_PRE_ROLL_SAMPLES;
    end = start + MAX_WAKE_WORD_SAMPLES;
    caveats.push('no-wake-word-indices');
    notes.push(
      `${idx ? 'unusable' : 'no'} wakeWordIndices: assumed the wake word starts at ${ms(start)} ms ` +
        `and searched up to ${ms(end + rule.toleranceAfterEndSamples)} ms`,
    );
  }
  if (start < VERIFIER_PRE_ROLL_SAMPLES) {
    caveats.push('pre-roll-incomplete');
    notes.push(`pre-roll incomplete: ${ms(start)} of ${ms(VERIFIER_PRE_ROLL_SAMPLES)} ms before the wake word; the rest scored as the noise floor`);
  } else if (start > VERIFIER_PRE_ROLL_SAMPLES) {
    caveats.push('leading-audio-trimmed');
  }
  return { origin: start - VERIFIER_PRE_ROLL_SAMPLES, windowStart: start, windowEnd: end + rule.toleranceAfterEndSamples, caveats, notes };
}

/** Samples to whole milliseconds, for messages. */
export function ms(samples: number): number {
  return Math.round((samples / SAMPLE_RATE) * 1000);
}

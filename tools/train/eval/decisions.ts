import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { KeywordDecision } from '../../../models/wakeword/decision.js';
import { CHUNK_SAMPLES } from '../../../models/wakeword/oww-models.js';

/** The device's decision: threshold and patience; a keyword cannot fire again within 1 s (the engine's default). */
export interface DecisionRule {
  readonly threshold: number;
  readonly patience: number;
}

export const REFRACTORY_SAMPLES = SAMPLE_RATE;

/**
 * The chunks at which the engine's decision (models/wakeword/decision.ts) fires on a score sequence
 * that started afresh: threshold, patience, refractory time (1 s by default, the engine's), re-armed
 * only after a dip.
 */
export function fires(scores: Float32Array, rule: DecisionRule, refractorySamples = REFRACTORY_SAMPLES): number[] {
  const decision = new KeywordDecision({ threshold: rule.threshold, patience: rule.patience, refractorySamples });
  const out: number[] = [];
  for (let t = 0; t < scores.length; t++) if (decision.update(scores[t]!, (t + 1) * CHUNK_SAMPLES)) out.push(t);
  return out;
}

/**
 * The best a run of `patience` consecutive chunks reaches: the highest, over runs ending in chunks
 * [from, to], of the lowest score in the run. The decision fires at threshold t inside that range
 * exactly when this is at least t (ignoring the refractory time), so one number per clip serves a
 * whole threshold sweep.
 */
export function bestRun(scores: Float32Array, patience: number, from = 0, to = scores.length - 1): number {
  let best = 0;
  for (let t = Math.max(from, patience - 1); t <= Math.min(to, scores.length - 1); t++) {
    let low = Infinity;
    for (let k = 0; k < patience; k++) low = Math.min(low, scores[t - k]!);
    best = Math.max(best, low);
  }
  return best;
}

import { round } from './sweep.js';

/**
 * One device detection on validation audio, as the cloud judges it: the verifier head's statistic
 * on the streamed window and whether pocketsphinx spots the keyphrase there at each threshold of
 * the ladder. `where` is what was detected: a true wake word (`positive`, with its voice group), a
 * near miss or prose clip (`near-miss`), or a real-speech source's name (`real`).
 */
export interface FireRecord {
  readonly where: 'positive' | 'near-miss' | 'real' | 'real-word';
  readonly label: string;
  /** How many detections it stands for (a sample of a source's many detections). */
  readonly weight: number;
  readonly verifier: number;
  /** Per ladder threshold; empty when pocketsphinx was not run (no keyphrase check). */
  readonly keyphrase: readonly boolean[];
}

/** The second stage: confirm at or above `high`, reject below `low`, in between ask pocketsphinx (ladder index `kws`, -1: reject). */
export interface CascadeRule {
  readonly high: number;
  readonly low: number;
  readonly kws: number;
}

export function accepts(r: FireRecord, rule: CascadeRule): boolean {
  if (r.verifier >= rule.high) return true;
  if (r.verifier < rule.low) return false;
  return rule.kws >= 0 && (r.keyphrase[rule.kws] ?? false);
}

export interface CascadeTotals {
  readonly positives: number;
  readonly nearMissHours: number;
  readonly realHours: Readonly<Record<string, number>>;
  /** Clips of real speech that say the word (the real-speech recall check). */
  readonly realWordClips: number;
}

export interface CascadePoint extends CascadeRule {
  readonly recall: number;
  readonly nearMissPerHour: number;
  readonly realPerHour: number;
  readonly realBySource: Record<string, number>;
  readonly realWordRecall: number;
}

export function evaluateCascade(records: readonly FireRecord[], totals: CascadeTotals, rule: CascadeRule): CascadePoint {
  let found = 0;
  let near = 0;
  let wordFound = 0;
  const real: Record<string, number> = {};
  for (const r of records) {
    if (!accepts(r, rule)) continue;
    if (r.where === 'positive') found += r.weight;
    else if (r.where === 'near-miss') near += r.weight;
    else if (r.where === 'real-word') wordFound += r.weight;
    else real[r.label] = (real[r.label] ?? 0) + r.weight;
  }
  const realHours = Object.values(totals.realHours).reduce((a, b) => a + b, 0);
  const realCount = Object.values(real).reduce((a, b) => a + b, 0);
  return {
    ...rule,
    recall: round(totals.positives > 0 ? found / totals.positives : 0),
    nearMissPerHour: round(totals.nearMissHours > 0 ? near / totals.nearMissHours : 0),
    realPerHour: round(realHours > 0 ? realCount / realHours : 0),
    realBySource: Object.fromEntries(Object.entries(totals.realHours).map(([k, h]) => [k, round(h > 0 ? (real[k] ?? 0) / h : 0)])),
    realWordRecall: round(totals.realWordClips > 0 ? wordFound / totals.realWordClips : 0),
  };
}

/**
 * The verifier's confirm-alone thresholds tried. The last is 1, the most a head description allows:
 * only a saturated score (float32 sigmoid of a large logit) confirms alone there, as at run time.
 */
export const HIGHS: readonly number[] = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 1];
export const LOWS: readonly number[] = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99];

export interface CascadeTargets {
  readonly nearMissPerHour: number;
  readonly realPerHour: number;
}

/** Recall the cascade must keep on held-out synthetic voices (issue 14's target: at least 85 %). */
export const CASCADE_RECALL_TARGET = 0.85;

/**
 * The second stage's thresholds by grid search: the highest synthetic recall whose near-miss and
 * real-speech false accepts per hour stay within the targets (ties: fewer false accepts, then a
 * higher `high`); when nothing meets them, the fewest false accepts (near-miss per hour over its
 * target plus real per hour over its target) among points that keep 85 % recall, else the best
 * recall. Returns the choice and the Pareto front it was picked from (the curve that justifies it).
 */
export function chooseCascade(records: readonly FireRecord[], totals: CascadeTotals, ladder: number, targets: CascadeTargets): { chosen: CascadePoint; front: CascadePoint[]; met: boolean } {
  const points: CascadePoint[] = [];
  for (const high of HIGHS) {
    for (const low of LOWS.filter((l) => l <= high)) {
      for (let kws = -1; kws < ladder; kws++) points.push(evaluateCascade(records, totals, { high, low, kws }));
    }
  }
  const cost = (p: CascadePoint): number => p.nearMissPerHour / Math.max(targets.nearMissPerHour, 1e-9) + p.realPerHour / Math.max(targets.realPerHour, 1e-9);
  const feasible = points.filter((p) => p.nearMissPerHour <= targets.nearMissPerHour && p.realPerHour <= targets.realPerHour);
  const order = (a: CascadePoint, b: CascadePoint): number => b.recall - a.recall || cost(a) - cost(b) || b.high - a.high || a.kws - b.kws;
  let chosen = [...feasible].sort(order)[0];
  const met = chosen !== undefined;
  if (!chosen) {
    const keeping = points.filter((p) => p.recall >= CASCADE_RECALL_TARGET);
    chosen = keeping.length > 0 ? [...keeping].sort((a, b) => cost(a) - cost(b) || b.recall - a.recall)[0]! : [...points].sort(order)[0]!;
  }
  const front = points
    .filter((p) => !points.some((q) => q !== p && q.recall >= p.recall && cost(q) < cost(p)))
    .sort((a, b) => a.recall - b.recall)
    .filter((p, i, all) => i === 0 || p.recall !== all[i - 1]!.recall);
  return { chosen, front, met };
}

import { detSvg, type DetCurve } from '../../bench/det-svg.js';
import type { CascadePoint } from '../eval/cascade.js';
import type { CurvePoint } from '../eval/sweep.js';
import type { TrainingReport } from './report.js';

type Against = 'real' | 'near-miss';

const rate = (p: CurvePoint | CascadePoint, against: Against): number => (against === 'real' ? p.realPerHour : p.nearMissPerHour);

function headCurves(name: string, curve: readonly CurvePoint[], against: Against, chosen?: { threshold: number; patience: number }): DetCurve[] {
  const patiences = [...new Set(curve.map((p) => p.patience))].sort();
  return patiences.map((patience) => {
    const points = curve.filter((p) => p.patience === patience).map((p) => ({ threshold: p.threshold, recall: p.recall, perHour: rate(p, against) }));
    const at = chosen && chosen.patience === patience ? curve.find((p) => p.patience === patience && p.threshold === chosen.threshold) : undefined;
    return { name: `${name}, patience ${patience}`, points, ...(at ? { chosen: { threshold: at.threshold, recall: at.recall, perHour: rate(at, against) } } : {}) };
  });
}

/**
 * The validation curves of a training run as two DET plots (SVG): recall on the held-out voices
 * against false accepts per hour on the real-speech validation streams, and against near-miss
 * prose. One line per stage (and per patience), the cascade's best points, the bundled head when
 * the word has one; the shipped defaults ringed.
 */
export function validationSvgs(r: TrainingReport): Record<Against, string> {
  const v = r.validation;
  const hours = {
    real: Object.values(v.stage1.chosen.realBySource).reduce((n, s) => n + s.hours, 0),
    'near-miss': v.stage1.chosen.nearMiss.hours,
  };
  const plot = (against: Against): string => {
    const c = v.cascade.chosen;
    const cascade: DetCurve = {
      name: 'cascade (best points)',
      points: [...v.cascade.front].sort((a, b) => a.recall - b.recall).map((p) => ({ threshold: p.high, recall: p.recall, perHour: rate(p, against) })),
      chosen: { threshold: c.high, recall: c.recall, perHour: rate(c, against) },
    };
    const curves = [
      ...headCurves('stage 1', v.stage1.curve, against, { threshold: r.chosen.threshold, patience: r.chosen.patience }),
      ...headCurves('verifier alone', v.verifierAlone.curve, against),
      cascade,
      ...(v.bundled ? headCurves('bundled head', v.bundled.curve, against, { threshold: v.bundled.atDefault.rule.threshold, patience: 1 }) : []),
    ];
    return detSvg({
      title: `"${r.word}": held-out voices against ${against === 'real' ? 'real speech of other words' : 'near-miss prose'}`,
      negHours: hours[against],
      xLabel: `false accepts per hour (${hours[against].toFixed(2)} h of ${against === 'real' ? 'real speech, continuous streams' : 'near-miss prose'}, log scale)`,
      yLabel: `recall (${v.stage1.chosen.recall.total} held-out synthetic wake words)`,
      note: 'ring: shipped default',
      curves,
    });
  };
  return { real: plot('real'), 'near-miss': plot('near-miss') };
}

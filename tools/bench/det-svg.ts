import type { SweepResult } from './wakeword-sweep.js';

/** One curve of a DET plot: a model's recall and false accepts per hour at each threshold. */
export interface DetCurve {
  readonly name: string;
  readonly points: ReadonlyArray<{ readonly threshold: number; readonly recall: number; readonly perHour: number }>;
  /** The model's default operating point (ringed). */
  readonly chosen?: { readonly threshold: number; readonly recall: number; readonly perHour: number };
}

export interface DetPlot {
  readonly title: string;
  /** Hours of negative audio (the smallest non-zero rate is one false accept in them). */
  readonly negHours: number;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly note: string;
  readonly curves: readonly DetCurve[];
}

/** A `bench wakeword --sweep` result as a plot. */
export function sweepPlot(result: SweepResult, title = 'Wake word: recall against false accepts per hour'): DetPlot {
  return {
    title,
    negHours: result.neg_hours,
    xLabel: `false accepts per hour (${result.neg_hours.toFixed(2)} h of negatives, log scale)`,
    yLabel: `recall (${result.positives} positives)`,
    note: `ring: default threshold; patience ${result.patience}`,
    curves: result.models.map((m) => ({
      name: m.model,
      points: m.points.map((p) => ({ threshold: p.threshold, recall: p.recall, perHour: p.fa_per_hour })),
      chosen: { threshold: m.default_threshold, recall: m.at_default.recall, perHour: m.at_default.fa_per_hour },
    })),
  };
}

const WIDTH = 720;
const HEIGHT = 480;
const MARGIN = { left: 70, right: 200, top: 40, bottom: 60 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Decades of false accepts per hour on the x axis; points at 0 per hour sit on the axis's left edge. */
function xDecades(plot: DetPlot): [number, number] {
  const positive = plot.curves.flatMap((m) => m.points.map((p) => p.perHour)).filter((x) => x > 0);
  const floor = plot.negHours > 0 ? 1 / plot.negHours : 0.1;
  const low = Math.floor(Math.log10(Math.min(floor, ...positive)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(10, ...positive))));
  return [low - 1, high];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * A DET-style plot as SVG: false accepts per hour (log scale; 0 per hour on the left edge, labelled
 * "0") against recall, one line per model through its thresholds, its default operating point
 * marked with a ring, thresholds written beside every other point.
 */
export function detSvg(plot: DetPlot): string {
  const [d0, d1] = xDecades(plot);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (fa: number): number => MARGIN.left + (fa > 0 ? ((Math.log10(fa) - d0) / (d1 - d0)) * plotW : 0);
  const y = (recall: number): number => MARGIN.top + (1 - recall) * plotH;
  const f = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escapeXml(plot.title)}</text>`,
  ];
  for (let d = d0; d <= d1; d++) {
    const px = f(x(10 ** d));
    out.push(`<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`);
    const label = d === d0 ? '0' : d >= 0 ? String(10 ** d) : (10 ** d).toFixed(-d);
    out.push(`<text x="${px}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${label}</text>`);
  }
  for (let r = 0; r <= 10; r++) {
    const py = f(y(r / 10));
    out.push(`<line x1="${MARGIN.left}" y1="${py}" x2="${MARGIN.left + plotW}" y2="${py}" stroke="#eee"/>`);
    if (r % 2 === 0) out.push(`<text x="${MARGIN.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${r * 10} %</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">${escapeXml(plot.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(plot.yLabel)}</text>`,
  );
  plot.curves.forEach((m, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const pts = m.points.map((p) => `${f(x(p.perHour))},${f(y(p.recall))}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    m.points.forEach((p, k) => {
      out.push(`<circle cx="${f(x(p.perHour))}" cy="${f(y(p.recall))}" r="2.5" fill="${colour}"><title>${escapeXml(m.name)} @ ${p.threshold}: ${(p.recall * 100).toFixed(1)} %, ${p.perHour.toFixed(2)}/h</title></circle>`);
      if (k % 2 === 0) out.push(`<text x="${f(x(p.perHour) + 4)}" y="${f(y(p.recall) - 4)}" font-size="9" fill="${colour}">${p.threshold}</text>`);
    });
    const ly = MARGIN.top + 16 + i * 36;
    out.push(
      `<line x1="${WIDTH - MARGIN.right + 14}" y1="${ly}" x2="${WIDTH - MARGIN.right + 38}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${WIDTH - MARGIN.right + 44}" y="${ly}" dominant-baseline="middle">${escapeXml(m.name)}</text>`,
    );
    const d = m.chosen;
    if (d) {
      out.push(
        `<circle cx="${f(x(d.perHour))}" cy="${f(y(d.recall))}" r="6" fill="none" stroke="${colour}" stroke-width="2"/>`,
        `<text x="${WIDTH - MARGIN.right + 44}" y="${ly + 15}" font-size="10" fill="#555">default ${d.threshold}: ${(d.recall * 100).toFixed(1)} %, ${d.perHour.toFixed(2)}/h</text>`,
      );
    }
  });
  out.push(`<text x="${WIDTH - MARGIN.right + 14}" y="${HEIGHT - MARGIN.bottom}" font-size="10" fill="#555">${escapeXml(plot.note)}</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}

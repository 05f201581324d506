import type { SweepResult } from './wakeword-sweep.js';

const WIDTH = 720;
const HEIGHT = 480;
const MARGIN = { left: 70, right: 200, top: 40, bottom: 60 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Decades of false accepts per hour on the x axis; points at 0 per hour sit on the axis's left edge. */
function xDecades(result: SweepResult): [number, number] {
  const positive = result.models.flatMap((m) => m.points.map((p) => p.fa_per_hour)).filter((x) => x > 0);
  const floor = result.neg_hours > 0 ? 1 / result.neg_hours : 0.1;
  const low = Math.floor(Math.log10(Math.min(floor, ...positive)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(10, ...positive))));
  return [low - 1, high];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * The sweep drawn as a DET-style plot: false accepts per hour (log scale; 0 per hour on the left
 * edge, labelled "0") against recall, one line per model through its thresholds, its default
 * threshold marked with a ring, thresholds written beside every other point.
 */
export function detSvg(result: SweepResult, title = 'Wake word: recall against false accepts per hour'): string {
  const [d0, d1] = xDecades(result);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (fa: number): number => MARGIN.left + (fa > 0 ? ((Math.log10(fa) - d0) / (d1 - d0)) * plotW : 0);
  const y = (recall: number): number => MARGIN.top + (1 - recall) * plotH;
  const f = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
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
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">false accepts per hour (${result.neg_hours.toFixed(2)} h of negatives, log scale)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">recall (${result.positives} positives)</text>`,
  );
  result.models.forEach((m, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const pts = m.points.map((p) => `${f(x(p.fa_per_hour))},${f(y(p.recall))}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    m.points.forEach((p, k) => {
      out.push(`<circle cx="${f(x(p.fa_per_hour))}" cy="${f(y(p.recall))}" r="2.5" fill="${colour}"><title>${escapeXml(m.model)} @ ${p.threshold}: ${(p.recall * 100).toFixed(1)} %, ${p.fa_per_hour.toFixed(2)}/h</title></circle>`);
      if (k % 2 === 0) out.push(`<text x="${f(x(p.fa_per_hour) + 4)}" y="${f(y(p.recall) - 4)}" font-size="9" fill="${colour}">${p.threshold}</text>`);
    });
    const d = m.at_default;
    out.push(`<circle cx="${f(x(d.fa_per_hour))}" cy="${f(y(d.recall))}" r="6" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const ly = MARGIN.top + 16 + i * 36;
    out.push(
      `<line x1="${WIDTH - MARGIN.right + 14}" y1="${ly}" x2="${WIDTH - MARGIN.right + 38}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${WIDTH - MARGIN.right + 44}" y="${ly}" dominant-baseline="middle">${escapeXml(m.model)}</text>`,
      `<text x="${WIDTH - MARGIN.right + 44}" y="${ly + 15}" font-size="10" fill="#555">default ${m.default_threshold}: ${(d.recall * 100).toFixed(1)} %, ${d.fa_per_hour.toFixed(2)}/h</text>`,
    );
  });
  out.push(`<text x="${WIDTH - MARGIN.right + 14}" y="${HEIGHT - MARGIN.bottom}" font-size="10" fill="#555">ring: default threshold; patience ${result.patience}</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}

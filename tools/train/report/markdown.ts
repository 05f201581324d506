import { CASCADE_RECALL_TARGET, type CascadePoint } from '../eval/cascade.js';
import type { CurvePoint, Recall } from '../eval/sweep.js';
import type { HeadMetrics } from '../eval/validate.js';
import type { TrainingReport } from './report.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const num = (x: number, d = 2): string => x.toFixed(d);
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The validation figures of a report as markdown sections (the training report and the model card share them). */
export function metricsMarkdown(r: TrainingReport): string {
  const v = r.validation;
  const c = v.cascade.chosen;
  const parts = [
    `### Held-out voices, near-miss prose and real speech at the shipped defaults`,
    '',
    `Stage 1 (device) threshold ${r.chosen.threshold}, patience ${r.chosen.patience}; stage 2 (cloud) verifier high ${r.chosen.verifier.high}, low ${r.chosen.verifier.low}` +
      (r.chosen.keyphrase ? `, pocketsphinx "${r.chosen.keyphrase.text}" at ${r.chosen.keyphrase.kwsThreshold.toExponential(0)} in between.` : ', no keyphrase check (between low and high it rejects).'),
    '',
    table(
      ['', 'synthetic recall (held-out voices)', 'near-miss prose FA/h', 'real speech FA/h (all validation sources)', 'real recordings saying the word'],
      [
        ['stage 1 alone', pct(v.stage1.chosen.recall.recall), num(v.stage1.chosen.nearMiss.perHour), num(v.stage1.chosen.realPerHour), wordHits(v.stage1.chosen)],
        [`stage 2 alone (verifier ≥ ${v.verifierAlone.atHigh.rule.threshold}, continuous)`, pct(v.verifierAlone.atHigh.recall.recall), num(v.verifierAlone.atHigh.nearMiss.perHour), num(v.verifierAlone.atHigh.realPerHour), wordHits(v.verifierAlone.atHigh)],
        ['cascade', pct(c.recall), num(c.nearMissPerHour), num(c.realPerHour), c.realWordRecall > 0 || totalWordClips(v.stage1.chosen) > 0 ? pct(c.realWordRecall) : 'none here'],
        ...(v.bundled ? [[`bundled head alone (threshold ${v.bundled.atDefault.rule.threshold})`, pct(v.bundled.atDefault.recall.recall), num(v.bundled.atDefault.nearMiss.perHour), num(v.bundled.atDefault.realPerHour), wordHits(v.bundled.atDefault)]] : []),
      ],
    ),
    '',
    cascadeVerdict(v.cascade.targetsMet, c.recall),
    '',
    `#### Recall by held-out voice`,
    '',
    table(
      ['voice', 'stage 1', 'cascade', ...(v.bundled ? ['bundled'] : [])],
      Object.entries(v.stage1.chosen.recallByVoice).map(([g, rec]) => [g, recallCell(rec), recallCell(v.cascade.recallByVoice[g]), ...(v.bundled ? [recallCell(v.bundled.atDefault.recallByVoice[g])] : [])]),
    ),
    '',
    `#### False accepts per hour by real validation source (continuous streams)`,
    '',
    table(
      ['source', 'hours', 'stage 1', 'stage 2 alone', 'cascade', ...(v.bundled ? ['bundled'] : [])],
      Object.entries(v.stage1.chosen.realBySource).map(([name, rate]) => [
        name,
        num(rate.hours),
        `${num(rate.perHour)} (${rate.count})`,
        num(v.verifierAlone.atHigh.realBySource[name]?.perHour ?? 0),
        num(c.realBySource[name] ?? 0),
        ...(v.bundled ? [num(v.bundled.atDefault.realBySource[name]?.perHour ?? 0)] : []),
      ]),
    ),
    '',
    `#### Stage 1 across thresholds (the curve its default comes from: the highest recall-keeping point, at least the required recall, with the fewest false accepts)`,
    '',
    curveTable(v.stage1.curve),
    '',
    `#### Cascade: the best points found (recall against false accepts), the chosen one marked`,
    '',
    cascadeTable(v.cascade.front, c, v.cascade.ladder),
    '',
    `#### Stage 2 alone across thresholds (the verifier head run continuously)`,
    '',
    curveTable(v.verifierAlone.curve),
  ];
  if (v.bundled) parts.push('', '#### The bundled head across thresholds (patience 1)', '', curveTable(v.bundled.curve));
  return parts.join('\n');
}

/** training-report.md */
export function reportMarkdown(r: TrainingReport): string {
  const stage = Object.entries(r.time.stages).map(([name, t]) => [name, num(t.wallSeconds, 0), num(t.cpuSeconds, 0)]);
  return [
    `# Training report: "${r.word}"`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Seed ${r.seed}, budget ${r.minutes} min. Wall time ${num(r.time.wallSeconds / 60, 1)} min; CPU ${num(r.time.cpuSeconds / 60, 1)} min in this process and ${num(r.time.childCpuSeconds / 60, 1)} min in the TTS, sox and pocketsphinx processes.`,
    '',
    table(['stage', 'wall s', 'CPU s (this process)'], stage),
    '',
    r.lacks.length > 0 ? `**Missing in this run:** ${r.lacks.join('; ')}.\n` : '',
    '## Data',
    '',
    table(['clips', 'count'], Object.entries(r.counts.clips).map(([k, n]) => [k, n])),
    '',
    `Voices: ${r.voices.train} in training, ${r.voices.val} held out (${r.voices.heldOut.join(', ')}).`,
    '',
    table(['voice', 'clips'], Object.entries(r.counts.clipsByVoice).map(([k, n]) => [k, n])),
    '',
    '### Real speech (split by source)',
    '',
    table(
      ['source', 'split', 'language', 'clips', 'hours', 'saying the word', 'licence'],
      r.counts.real.map((s) => [s.name, s.split, s.language, s.clips, num(s.hours), s.wordClips, s.licence]),
    ),
    '',
    '### Training windows',
    '',
    table(['class', 'stage 1', 'verifier'], Object.keys(r.counts.windows.stage1).map((k) => [k, r.counts.windows.stage1[k as keyof typeof r.counts.windows.stage1], r.counts.windows.verifier[k as keyof typeof r.counts.windows.verifier]])),
    '',
    ...miningMarkdown(r),
    `Near misses (${r.nearMisses.length}): ${r.nearMisses.join(', ')}.`,
    '',
    '## Training',
    '',
    table(['epoch', 'stage 1 loss', 'verifier loss', 'negative weight (stage 1 / verifier)'], r.training.stage1.map((e, i) => [e.epoch, num(e.loss, 4), num(r.training.verifier[i]?.loss ?? Number.NaN, 4), `${num(e.negativeWeight, 1)} / ${num(r.training.verifier[i]?.negativeWeight ?? Number.NaN, 1)}`])),
    '',
    `Exported: ${Object.values(r.export).map((e) => `${e.file} (${e.bytes} bytes, ONNX vs tfjs ${e.maxDiffVsTfjs.toExponential(1)})`).join(', ')}.`,
    '',
    '## Validation',
    '',
    metricsMarkdown(r),
    '',
  ].join('\n');
}

function recallCell(r: Recall | undefined): string {
  return r ? `${pct(r.recall)} (${r.found}/${r.total})` : '';
}

function totalWordClips(m: HeadMetrics): number {
  return Object.values(m.realBySource).reduce((n, s) => n + s.wordClips, 0);
}

function wordHits(m: HeadMetrics): string {
  const total = totalWordClips(m);
  if (total === 0) return 'none here';
  const hits = Object.values(m.realBySource).reduce((n, s) => n + s.wordHits, 0);
  return `${hits}/${total}`;
}

function curveTable(curve: readonly CurvePoint[]): string {
  return table(
    ['threshold', 'patience', 'recall', 'near-miss FA/h', 'real FA/h'],
    curve.map((p) => [p.threshold, p.patience, pct(p.recall), num(p.nearMissPerHour), num(p.realPerHour)]),
  );
}

function cascadeTable(front: readonly CascadePoint[], chosen: CascadePoint, ladder: readonly number[]): string {
  return table(
    ['verifier high', 'low', 'keyphrase threshold', 'recall', 'near-miss FA/h', 'real FA/h', ''],
    front.map((p) => [p.high, p.low, p.kws < 0 ? 'none' : (ladder[p.kws] ?? 0).toExponential(0), pct(p.recall), num(p.nearMissPerHour), num(p.realPerHour), p.high === chosen.high && p.low === chosen.low && p.kws === chosen.kws ? '**chosen**' : '']),
  );
}

/** One sentence: both false-accept targets and the recall target, each said as met or not. */
function cascadeVerdict(falseAcceptsMet: boolean, recall: number): string {
  const recallMet = recall >= CASCADE_RECALL_TARGET;
  if (falseAcceptsMet && recallMet) return `The cascade meets both false-accept targets and keeps at least ${pct(CASCADE_RECALL_TARGET)} recall on this validation split.`;
  const missed = [
    ...(falseAcceptsMet ? [] : ['both false-accept targets']),
    ...(recallMet ? [] : [`${pct(CASCADE_RECALL_TARGET)} recall (it keeps ${pct(recall)})`]),
  ];
  return `**The cascade does not meet ${missed.join(' nor ')} on this validation split**; the defaults are the closest point found.`;
}

/** How the verifier's hard negatives were mined (reports written before mining existed have none). */
function miningMarkdown(r: TrainingReport): string[] {
  const m = r.mining as TrainingReport['mining'] | undefined;
  if (!m) return [];
  return [
    `### Hard negatives for the verifier (stage 1 at threshold ${m.rule.threshold}, patience ${m.rule.patience}, on the training audio)`,
    '',
    table(
      ['', 'stage 1 detections', 'cloud windows rebuilt'],
      [
        ['training positives found', `${m.positives.found} of ${m.positives.train}${m.positives.allKept ? ' (too few: the verifier learns all of them)' : ''}`, `${m.positives.exactWindows} positive windows`],
        ['synthetic negatives', m.syntheticFires.found, m.syntheticFires.rebuilt],
        ...Object.entries(m.realFires).map(([name, f]) => [`real: ${name}`, f.found, f.rebuilt]),
      ],
    ),
    '',
    `Hard windows: ${m.hardWindows} (${m.hotCloudWindows} of them cloud views stage 1 scores at or above ${m.rule.threshold}, with the windows either side)${m.skippedClips > 0 ? `; ${m.skippedClips} clips left out (rendered again to another length)` : ''}.`,
    '',
  ];
}

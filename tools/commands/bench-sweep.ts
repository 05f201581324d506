import { writeFileSync } from 'node:fs';
import { readVerifiedFile } from '../../models/manifest.js';
import type { HeadSpec } from '../../models/wakeword/registry.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import type { Corpus } from '../bench/corpus.js';
import { detSvg, sweepPlot } from '../bench/det-svg.js';
import { readWavMono } from '../bench/read-mono.js';
import { headName, runWakewordSweep, type SweepHead, type SweepResult } from '../bench/wakeword-sweep.js';
import { modelLoadOptions, selectedWords, spotterRegistry, type SpotterCliOptions } from '../spotter-options.js';

export interface BenchSweepOptions extends SpotterCliOptions {
  json?: boolean;
  progress: boolean;
  svg?: string;
}

/** A head to sweep, read and (for a shipped head) checked against its sha256; --threshold and --patience override its own. */
async function sweepHead(spec: HeadSpec, name: string, { threshold, patience }: Pick<SpotterCliOptions, 'threshold' | 'patience'>): Promise<SweepHead> {
  return {
    name,
    bytes: await readVerifiedFile(spec.file, spec.sha256),
    defaultThreshold: threshold ?? spec.threshold,
    ...((patience ?? spec.patience) === undefined ? {} : { patience: patience ?? spec.patience }),
  };
}

/**
 * `bench wakeword --sweep`: across thresholds, every head of each --keyword word (a project head
 * beside the bundled one of the same word, so a user sees both) and each --model file.
 */
export async function runBenchSweep(corpus: Corpus, opts: BenchSweepOptions): Promise<void> {
  const registry = spotterRegistry(opts);
  const heads: SweepHead[] = [];
  for (const keyword of selectedWords(opts)) {
    for (const spec of registry.alternatives(keyword)) heads.push(await sweepHead(spec, `${keyword} (${spec.source})`, opts));
  }
  for (const file of opts.modelFiles ?? []) {
    const spec = registry.fileHead(file);
    heads.push(await sweepHead(spec, spec.source === 'custom' ? headName(file) : `${spec.keyword} (${spec.source})`, opts));
  }
  const models = await OpenWakeWordModels.load({ keywords: [], ...modelLoadOptions(opts) });
  let result: SweepResult;
  try {
    result = await runWakewordSweep(corpus, heads, models, (f) => readWavMono(f, opts.channel), { patience: opts.patience ?? 1, refractoryMs: opts.refractoryMs, showProgress: opts.progress });
  } finally {
    await models.dispose();
  }
  if (opts.svg) writeFileSync(opts.svg, detSvg(sweepPlot(result)));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const lines = [`${result.positives} positives, ${result.negatives} negative files (${(result.neg_hours * 60).toFixed(1)} min), patience ${result.patience}`];
  for (const m of result.models) {
    lines.push('', `${m.model} (default threshold ${m.default_threshold}: recall ${(m.at_default.recall * 100).toFixed(1)} %, ${m.at_default.fa_per_hour.toFixed(2)} false accepts/h)`, 'threshold  recall   FA/h');
    for (const p of m.points) lines.push(`${String(p.threshold).padEnd(9)}  ${`${(p.recall * 100).toFixed(1)} %`.padStart(7)}  ${p.fa_per_hour.toFixed(2)}`);
  }
  if (opts.svg) lines.push('', `plot: ${opts.svg}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

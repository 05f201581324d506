import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';
import { keywordEntryFor, loadManifest, readVerifiedModel, resolveModelDir } from '../../models/manifest.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import type { Corpus } from '../bench/corpus.js';
import { detSvg, sweepPlot } from '../bench/det-svg.js';
import { readWavMono } from '../bench/read-mono.js';
import { headName, runWakewordSweep, type SweepHead, type SweepResult } from '../bench/wakeword-sweep.js';
import type { SpotterCliOptions } from '../spotter-options.js';

export interface BenchSweepOptions extends SpotterCliOptions {
  json?: boolean;
  progress: boolean;
  svg?: string;
  model?: string[];
}

/** The default threshold a trained head's description (`<word>.json` beside it) gives; 0.5 without one. */
const DescribedThreshold = z.object({ threshold: z.number().gt(0).lt(1) });

function fileHead(file: string): SweepHead {
  if (!existsSync(file)) throw new EchosimError('MODEL_FILE_MISSING', `model file ${file} is missing`, { hint: 'Pass the path of an openWakeWord keyword head (.onnx).' });
  const name = headName(file);
  const description = path.join(path.dirname(file), `${name}.json`);
  let defaultThreshold = 0.5;
  if (existsSync(description)) {
    const parsed = DescribedThreshold.safeParse(JSON.parse(readFileSync(description, 'utf8')));
    if (parsed.success) defaultThreshold = parsed.data.threshold;
  }
  return { name, bytes: readFileSync(file), defaultThreshold };
}

/** `bench wakeword --sweep`: every --keyword model and --model file over the corpus, across thresholds. */
export async function runBenchSweep(corpus: Corpus, opts: BenchSweepOptions): Promise<void> {
  const manifest = loadManifest();
  const dir = resolveModelDir(manifest, opts.modelDir);
  const heads: SweepHead[] = [];
  for (const keyword of opts.keyword) {
    const entry = keywordEntryFor(manifest, keyword);
    heads.push({ name: `${keyword} (bundled)`, bytes: await readVerifiedModel(dir, entry), defaultThreshold: opts.threshold ?? entry.threshold });
  }
  for (const file of opts.model ?? []) {
    const head = fileHead(file);
    heads.push(opts.threshold === undefined ? head : { ...head, defaultThreshold: opts.threshold });
  }
  const models = await OpenWakeWordModels.load({ keywords: [], ...(opts.modelDir ? { modelDir: opts.modelDir } : {}) });
  let result: SweepResult;
  try {
    result = await runWakewordSweep(corpus, heads, models, (f) => readWavMono(f, opts.channel), { patience: opts.patience, refractoryMs: opts.refractoryMs, showProgress: opts.progress });
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

import type { Command } from 'commander';
import { EchosimError } from '../../core/errors.js';
import { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { loadCorpus } from '../bench/corpus.js';
import { readWavMono } from '../bench/read-mono.js';
import { runWakewordBench, type WakewordBenchResult } from '../bench/wakeword-bench.js';
import { runBenchSweep } from './bench-sweep.js';
import { registerBenchAuthFlood } from './bench-auth-flood.js';
import { registerBenchFuzzMqtt } from './bench-fuzz-mqtt.js';
import { registerBenchOutages } from './bench-outages.js';
import { registerBenchOwwjs } from './bench-owwjs.js';
import { registerBenchProfileApply } from './bench-profile-apply.js';
import { registerBenchRegister } from './bench-register.js';
import { registerBenchRtf } from './bench-rtf.js';
import { registerBenchPool } from './bench-pool.js';
import { registerBenchQuietGate } from './bench-quiet-gate.js';
import { registerBenchMqtt } from './bench-mqtt.js';
import { registerBenchSoak } from './bench-soak.js';
import { registerBenchRecognizer } from './bench-recognizer.js';
import { registerBenchAnswers } from './bench-answers.js';
import { registerBenchWeb } from './bench-web.js';
import { addSpotterOptions, modelLoadOptions, openWakeWordOptions, selectedHeads, spotterRegistry, withModelFiles, type SpotterCliOptions } from '../spotter-options.js';

interface BenchWakewordOptions extends SpotterCliOptions {
  model?: string[];
  pos: string;
  neg: string;
  json?: boolean;
  files?: boolean;
  progress: boolean;
  sweep?: boolean;
  svg?: string;
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('measure echosim on this machine');
  registerBenchRtf(bench);
  registerBenchPool(bench);
  registerBenchQuietGate(bench);
  registerBenchMqtt(bench);
  registerBenchOwwjs(bench);
  registerBenchProfileApply(bench);
  registerBenchAuthFlood(bench);
  registerBenchRegister(bench);
  registerBenchFuzzMqtt(bench);
  registerBenchSoak(bench);
  registerBenchOutages(bench);
  registerBenchRecognizer(bench);
  registerBenchAnswers(bench);
  registerBenchWeb(bench);
  const wakeword = bench
    .command('wakeword')
    .description('recall, false accepts per hour, real-time factor and latency of the wake-word spotter on a corpus')
    .requiredOption('--pos <dir>', 'WAVs that each hold the wake word once (optional pos/labels.tsv: file, start_s, end_s, text)')
    .requiredOption('--neg <dir>', 'WAVs that hold no wake word')
    .option('--json', 'print one JSON object on stdout')
    .option('--files', 'with --json, include every file\'s detections')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--sweep', 'recall against false accepts per hour across thresholds (a DET curve), one line per head: every head of each --keyword (the project\'s beside the bundled one) and each --model file')
    .option('--svg <file>', 'with --sweep, draw the curves as an SVG plot into this file');
  addSpotterOptions(wakeword).action(async (cli: BenchWakewordOptions) => {
    const opts = withModelFiles(cli);
    if (opts.engine === 'porcupine') {
      throw new EchosimError('CLI_ARGUMENT_INVALID', 'bench wakeword measures the on-device openWakeWord engine', {
        hint: 'leave out --engine porcupine',
      });
    }
    const corpus = loadCorpus(opts.pos, opts.neg);
    if (opts.sweep) return runBenchSweep(corpus, opts);
    if (opts.svg) throw new EchosimError('CLI_ARGUMENT_INVALID', '--svg goes with --sweep', { hint: 'add --sweep' });
    const heads = selectedHeads(opts, spotterRegistry(opts));
    const models = await OpenWakeWordModels.load({ heads, ...modelLoadOptions(opts) });
    try {
      const engine = new OpenWakeWordEngine(models, openWakeWordOptions(opts));
      const result = await runWakewordBench(corpus, engine, (f) => readWavMono(f, opts.channel), opts.progress);
      if (opts.json) {
        const { files, ...summary } = result;
        process.stdout.write(`${JSON.stringify(opts.files ? { ...summary, files } : summary)}\n`);
      } else {
        process.stdout.write(formatReport(result, opts, heads.map((h) => h.keyword)));
      }
    } finally {
      await models.dispose();
    }
  });
}

function formatReport(r: WakewordBenchResult, opts: SpotterCliOptions, keywords: string[]): string {
  const ms = (v: number | null): string => (v === null ? 'n/a (no labels)' : `${v.toFixed(0)} ms`);
  const lines = [
    `wake word:            ${keywords.join(', ')} (threshold ${opts.threshold ?? 'model default'}, patience ${opts.patience ?? 'model default'})`,
    `recall:               ${(r.recall * 100).toFixed(1)}% (${r.detected}/${r.positives})`,
    `false accepts:        ${r.false_accepts} in ${(r.neg_hours * 60).toFixed(1)} min of negative audio (${r.fa_per_hour.toFixed(2)} per hour)`,
    `  off-label in pos/:  ${r.pos_false_accepts}`,
    `real-time factor:     ${r.rtf.toFixed(4)} (one thread; processing time / audio time)`,
    `latency after word:   ${ms(r.latency_ms_median)} (median, audio time from the labelled end to the detection)`,
    `index error (median): begin ${ms(r.begin_error_ms_median)}, end ${ms(r.end_error_ms_median)}`,
    `peak RSS:             ${r.rss_mb.toFixed(0)} MB`,
  ];
  return `${lines.join('\n')}\n`;
}

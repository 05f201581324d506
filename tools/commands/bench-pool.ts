import type { Command } from 'commander';
import { readWavMono } from '../bench/read-mono.js';
import { measurePoolLoad, type PoolLoadResult } from '../bench/pool-load.js';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { DEMO_WAV } from '../harness/audio.js';
import { parsePositiveInt } from '../options.js';
import { EMBEDDING_HELP, parseEmbeddingPrecision } from '../spotter-options.js';
import type { EmbeddingPrecision } from '../../models/wakeword/oww-models.js';

/** `bench pool`: CPU per scored chunk of the spotter pool under a fixed load (tools/bench/pool-load.ts). */
export function registerBenchPool(bench: Command): void {
  bench
    .command('pool')
    .description("CPU per scored chunk of the wake-word worker pool under a fixed load (a listening fleet's inference without its devices): per thread, per model stage")
    .option('--streams <n>', 'wake-word streams, one chunk each per round', parsePositiveInt, 150)
    .option('--vad-streams <n>', 'of those, streams that also run the VAD each round (default: half)', (v) => (v === '0' ? 0 : parsePositiveInt(v)))
    .option('--rounds <n>', 'timed rounds', parsePositiveInt, 200)
    .option('--warmup <n>', 'untimed rounds first', parsePositiveInt, 30)
    .option('--workers <n>', 'worker threads', parsePositiveInt, 2)
    .option('--keyword <name>', 'keyword head', 'alexa')
    .option('--wav <file>', 'audio the streams hear, each from its own offset (default: the demo utterance)')
    .option('--embedding <precision>', `${EMBEDDING_HELP} (default float)`, parseEmbeddingPrecision, 'float')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { streams: number; vadStreams?: number; rounds: number; warmup: number; workers: number; keyword: string; wav?: string; embedding: EmbeddingPrecision; json?: boolean }) => {
      const clip = await readWavMono(opts.wav ?? DEMO_WAV, { kind: 'mean' });
      const r = await measurePoolLoad(clip, {
        streams: opts.streams,
        vadStreams: opts.vadStreams ?? Math.round(opts.streams / 2),
        rounds: opts.rounds,
        warmupRounds: opts.warmup,
        workers: opts.workers,
        keyword: opts.keyword,
        embedding: opts.embedding,
      });
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      for (const line of formatPoolLoad(r)) out(line);
    });
}

function formatPoolLoad(r: PoolLoadResult): string[] {
  const c = r.cpu_ms_per_chunk;
  return [
    `load:                ${r.streams} wake-word streams (${r.vad_streams} with VAD) on ${r.workers} workers, ${r.rounds} rounds: ${r.chunks} chunks, ${r.wall_ms_per_round} ms a round`,
    `CPU per chunk:       ${c.total.toFixed(4)} ms (main ${c.main.toFixed(4)}, workers ${c.workers.toFixed(4)}, other threads ${c.other.toFixed(4)})`,
    ...Object.entries(r.stages_ms_per_chunk)
      .sort((a, b) => b[1] - a[1])
      .map(([stage, ms]) => `  ${stage.padEnd(24)} ${ms.toFixed(4)} ms per chunk`),
    `checksum:            ${r.checksum} (sum of every score and VAD probability)`,
  ];
}

import { InvalidArgumentError, type Command } from 'commander';
import { EchosimError } from '../../core/errors.js';
import { SileroVadModel } from '../../models/vad/silero-vad.js';
import { listWavs } from '../bench/corpus.js';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { runQuietGateBench } from '../bench/quiet-gate-bench.js';
import { readWavMono } from '../bench/read-mono.js';

function parseFloor(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n > -20 || n < -120) throw new InvalidArgumentError('expected a level in dBFS between -120 and -20, e.g. -60');
  return n;
}

/** `bench quiet-gate`: what the end-pointer's energy gate decides on a corpus, against Silero alone (tools/bench/quiet-gate-bench.ts). */
export function registerBenchQuietGate(bench: Command): void {
  bench
    .command('quiet-gate')
    .description("end-point every WAV of a folder with Silero VAD alone and behind the quiet gate: windows the gate decided, any the model would call speech, end points moved")
    .requiredOption('--wavs <dir>', 'folder of WAV files (searched recursively), each end-pointed from its start')
    .option('--floor <dbfs>', 'the gate level, RMS dBFS of a 32 ms window', parseFloor, -60)
    .option('--json', 'print one JSON object on stdout')
    .option('--files', 'with --json, include every file')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (opts: { wavs: string; floor: number; json?: boolean; files?: boolean; progress: boolean }) => {
      const files = listWavs(opts.wavs);
      if (files.length === 0) throw new EchosimError('BENCH_CORPUS_INVALID', `no .wav files under ${opts.wavs}`, { hint: 'Point --wavs at a folder of WAV files.' });
      const model = await SileroVadModel.load();
      try {
        const { per_file, ...r } = await runQuietGateBench(files, (f) => readWavMono(f, { kind: 'mean' }), model, opts.floor, opts.progress);
        if (opts.json) return printJson({ machine: machine(), ...r, ...(opts.files ? { per_file } : {}) });
        out(formatMachine());
        out(`corpus:              ${r.files} files, ${r.windows} windows of 32 ms`);
        out(`gated at ${r.floor_dbfs} dBFS:    ${r.gated_percent} % of the windows (the model never ran on them)`);
        out(`of those, speech:    ${r.gated_speech_windows} windows the model alone scores as speech`);
        out(`changed windows:     ${r.changed_windows} (speech / between / silence class, the end-pointer's input)`);
        out(`same end point:      ${r.same_end} of ${r.files} files (largest shift ${r.max_end_shift_ms} ms)`);
      } finally {
        await model.dispose();
      }
    });
}

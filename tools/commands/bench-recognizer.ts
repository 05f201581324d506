import type { Command } from 'commander';
import { measureRecognizerCost } from '../bench/recognizer-cost.js';
import { FIRST_CHANNEL, formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { readWavMono } from '../bench/read-mono.js';
import { parsePositiveInt } from '../options.js';

/** `bench recognizer`: the cloud's second-stage speech recognizer, CPU per check. */
export function registerBenchRecognizer(bench: Command): void {
  bench
    .command('recognizer')
    .description("CPU per check of the cloud's speech recognizer (pocketsphinx, resident decoders) on a window, against a process per check")
    .option('--wav <file>', 'the window: its last 1.5 s are checked', 'test/fixtures/wakeword/pos/p01-flite-slt-clean.wav')
    .option('--word <word>', 'the wake word', 'alexa')
    .option('--checks <n>', 'checks per mode', parsePositiveInt, 100)
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { wav: string; word: string; checks: number; json?: boolean }) => {
      const audio = await readWavMono(opts.wav, FIRST_CHANNEL);
      const r = await measureRecognizerCost(audio.subarray(Math.max(0, audio.length - 24000)), opts.word, opts.checks);
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(`window:              ${r.window_s.toFixed(2)} s of ${opts.wav}, ${r.checks} checks per mode`);
      out(`resident, choice:    ${r.resident_choice_cpu_ms.toFixed(1)} ms CPU per check (the word against its near misses)`);
      out(`resident, keyphrase: ${r.resident_keyphrase_cpu_ms.toFixed(1)} ms CPU per check (${r.resident_xrt.toFixed(3)} x real time on average)`);
      out(`resident start-up:   ${r.resident_startup_cpu_ms.toFixed(0)} ms CPU once per search (both searches)`);
      out(`process per check:   ${r.spawn_per_check_cpu_ms.toFixed(1)} ms CPU per check`);
    });
}

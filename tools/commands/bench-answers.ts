import type { Command } from 'commander';
import { runAnswerLatencyBench } from '../bench/answer-latency.js';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { parsePositive, parsePositiveInt } from '../options.js';

/** `bench answers`: how long a person waits for the assistant's answer, and what an idle recognizer costs. */
export function registerBenchAnswers(bench: Command): void {
  bench
    .command('answers')
    .description("time from the device's end of speech to the first sample of the cloud's spoken answer (device and cloud in one process, the assistant on), then the idle recognizer's CPU")
    .option('--commands <dir>', 'command WAVs with labels.tsv (file, voice, intent, slots, text)', 'test/fixtures/commands')
    .option('--rounds <n>', 'times each command is asked', parsePositiveInt, 1)
    .option('--idle-seconds <s>', 'real seconds the idle cloud is watched afterwards', parsePositive, 10)
    .option('--json', 'print one JSON object on stdout')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: { commands: string; rounds: number; idleSeconds: number; json?: boolean; progress: boolean }) => {
      const r = await runAnswerLatencyBench({
        commands: opts.commands,
        rounds: opts.rounds,
        idleSeconds: opts.idleSeconds,
        ...(opts.progress ? { progress: (line: string) => void process.stderr.write(`${line}\n`) } : {}),
      });
      if (opts.json) return printJson({ machine: machine(), ...r });
      const l = r.end_of_speech_to_answer_ms;
      out(formatMachine());
      out(
        [
          `requests:            ${r.requests} (push-to-talk, ${opts.commands}), ${r.answered} answered, ${r.right_intent} with the labelled intent`,
          `end of speech to the first answer sample: median ${l.median} ms, p90 ${l.p90} ms (min ${l.min}, max ${l.max})`,
          `                     (end of speech = the device's endpointer deciding, after ${r.endpointer_silence_ms} ms of trailing silence)`,
          `idle ${r.idle.seconds} s:            ${r.idle.pocketsphinx_processes} resident pocketsphinx decoders used ${r.idle.pocketsphinx_cpu_ms} ms CPU; the whole process ${r.idle.process_cpu_ms} ms`,
          '',
        ].join('\n'),
      );
    });
}

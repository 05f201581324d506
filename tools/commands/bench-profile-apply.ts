import type { Command } from 'commander';
import { runProfileApplyBench, type ProfileApplyResult } from '../bench/profile-apply.js';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { parsePositiveInt } from '../options.js';

/** `bench profile-apply`: API call to device report, for one device or a room of many. */
export function registerBenchProfileApply(bench: Command): void {
  bench
    .command('profile-apply')
    .description('profile-apply latency: UpdateProfile through the HTTP API to each device of the room reporting it applied (embedded broker, one process)')
    .option('--devices <n>', 'simulated devices in the room', parsePositiveInt, 1)
    .option('--rounds <n>', 'profile updates to time (default 50 for one device, 5 for more)', parsePositiveInt)
    .option('--json', 'print one JSON object on stdout')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: { devices: number; rounds?: number; json?: boolean; progress: boolean }) => {
      const rounds = opts.rounds ?? (opts.devices === 1 ? 50 : 5);
      const r = await runProfileApplyBench({ devices: opts.devices, rounds, progress: opts.progress });
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(format(r));
    });
}

function format(r: ProfileApplyResult): string {
  return [
    `devices:            ${r.devices} (started and converged in ${r.startup_s} s)`,
    `updates timed:      ${r.rounds} (${r.samples} device reports)`,
    `latency median:     ${r.median_ms} ms`,
    `latency p90 / p99:  ${r.p90_ms} / ${r.p99_ms} ms (max ${r.max_ms} ms)`,
    `last device/round:  ${r.round_ms.join(', ')} ms`,
    `RSS:                ${r.rss_mb} MB (${r.rss_per_device_kb} KB per device)`,
    '',
  ].join('\n');
}

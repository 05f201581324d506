import type { Command } from 'commander';
import type { BenchBroker } from '../bench/bench-fleet.js';
import { addFleetBenchOptions, formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { runOutages, type OutagesResult } from '../bench/outages.js';
import { parseBenchBroker, parsePositive, parsePositiveInt } from '../options.js';

interface OutagesCliOptions {
  devices: number;
  outages: number;
  outageSeconds: number;
  upSeconds: number;
  limitSeconds: number;
  broker: BenchBroker;
  json?: boolean;
  progress: boolean;
}

/** `bench outages`: how fast a fleet re-converges after broker outages in a row. */
export function registerBenchOutages(bench: Command): void {
  const command = bench
    .command('outages')
    .description('re-convergence after broker outages in a row: every device connected again and in sync with a profile flashed during the outages')
    .option('--outages <n>', 'broker outages in a row', parsePositiveInt, 10)
    .option('--outage-seconds <s>', 'how long the broker is down each time', parsePositive, 3)
    .option('--up-seconds <s>', 'how long it is up between outages', parsePositive, 5)
    .option('--limit-seconds <s>', 'after the last outage, give up waiting for the fleet after this long', parsePositive, 120);
  addFleetBenchOptions(command, { devices: parsePositiveInt, broker: parseBenchBroker })
    .action(async (opts: OutagesCliOptions) => {
      const r = await runOutages({
        devices: opts.devices,
        outages: opts.outages,
        outageSeconds: opts.outageSeconds,
        upSeconds: opts.upSeconds,
        limitSeconds: opts.limitSeconds,
        broker: opts.broker,
        progress: opts.progress,
      });
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(format(r));
    });
}

function format(r: OutagesResult): string {
  const l = r.last;
  const synced = Number.isFinite(l.synced_max_ms) ? `${l.synced_max_ms} ms` : `not all (${l.synced}/${r.devices} SYNCED)`;
  return [
    `run:                ${r.devices} devices on the ${r.broker} broker; ${r.outages} outages of ${r.outage_s} s, up ${r.up_s} s between; a profile flashed during each`,
    ...r.rounds.map((x) => `outage ${String(x.outage).padStart(2)}:         ${x.reconnected}/${r.devices} back; median ${x.reconnect_p50_ms} ms, last ${x.reconnect_max_ms} ms after the broker returned`),
    `after the last:     connected: median ${l.connected_p50_ms} ms, all ${l.connected_max_ms} ms (${l.connected}/${r.devices})`,
    `                    in sync (profile reported, SYNCED): median ${l.synced_p50_ms} ms, all ${synced}`,
    `longest wait drawn: ${r.longest_wait_ms} ms over the run, ${r.longest_wait_after_last_ms} ms in the last outage`,
    `verdict:            ${r.within_10s ? 'every device re-converged within 10 s of the last outage' : 'NOT every device re-converged within 10 s of the last outage'}`,
    '',
  ].join('\n');
}

import type { Command } from 'commander';
import type { BenchBroker } from '../bench/bench-fleet.js';
import { addFleetBenchOptions, formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { fmtTime, HEAP_GROWTH_MB_PER_10MIN, RSS_GROWTH_MB_PER_10MIN, runSoak, type SoakResult } from '../bench/soak.js';
import { parseBenchBroker, parseNonNegative, parsePositive, parsePositiveInt } from '../options.js';

interface SoakCliOptions {
  devices: number;
  minutes: number;
  flashEvery: number;
  reconnectEvery: number;
  reconnectBatch: number;
  sampleEvery: number;
  brokerRestarts: number;
  outageSeconds: number;
  warmupMinutes: number;
  broker: BenchBroker;
  json?: boolean;
  progress: boolean;
}

/** `bench soak`: the cloud's memory over a long run of flashes, reboots and broker outages. */
export function registerBenchSoak(bench: Command): void {
  const command = bench
    .command('soak')
    .description("the cloud's memory (its own process: RSS, heap after GC) over a long run: profiles flashed to a fleet, devices rebooting, broker outages")
    .option('--minutes <n>', 'length of the run', parsePositive, 30)
    .option('--flash-every <s>', 'a new room profile every this many seconds', parsePositive, 10)
    .option('--reconnect-every <s>', 'every this many seconds --reconnect-batch devices reboot (go offline and come back on their flash)', parsePositive, 30)
    .option('--reconnect-batch <n>', 'devices rebooted each time', parsePositiveInt, 5)
    .option('--sample-every <s>', "sample the cloud's memory every this many seconds", parsePositive, 30)
    .option('--broker-restarts <n>', 'broker outages spread over the run', parseNonNegative, 2)
    .option('--outage-seconds <s>', 'length of each broker outage', parsePositive, 3)
    .option('--warmup-minutes <n>', 'samples before this do not count toward growth', parseNonNegative, 5);
  addFleetBenchOptions(command, { devices: parsePositiveInt, broker: parseBenchBroker })
    .action(async (opts: SoakCliOptions) => {
      const r = await runSoak({
        devices: opts.devices,
        minutes: opts.minutes,
        flashEverySeconds: opts.flashEvery,
        reconnectEverySeconds: opts.reconnectEvery,
        reconnectBatch: Math.min(opts.reconnectBatch, opts.devices),
        sampleEverySeconds: opts.sampleEvery,
        brokerRestarts: Math.floor(opts.brokerRestarts),
        outageSeconds: opts.outageSeconds,
        warmupMinutes: opts.warmupMinutes,
        broker: opts.broker,
        progress: opts.progress,
      });
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(format(r));
    });
}

function format(r: SoakResult): string {
  const t = r.after_warmup;
  const rows = r.samples.map(
    (s) => `  ${fmtTime(s.t_s).padStart(6)}  ${s.rss_mb.toFixed(1).padStart(7)}  ${s.heap_mb.toFixed(1).padStart(7)}  ${s.external_mb.toFixed(1).padStart(8)}  ${String(s.flashes).padStart(7)}  ${String(s.device_restarts).padStart(7)}  ${String(s.broker_restarts).padStart(7)}`,
  );
  return [
    `run:                ${r.devices} devices on the ${r.broker} broker for ${r.minutes} min: a profile every ${r.flash_every_s} s, ${r.reconnect_batch} reboots every ${r.reconnect_every_s} s, ${r.broker_restarts} broker outages`,
    `work done:          ${r.flashes} flashes, ${r.reports} device reports accepted, ${r.device_restarts} device reboots; ${r.synced_at_end}/${r.devices} devices SYNCED at the end`,
    `cloud memory (its own process, heap after a full GC):`,
    '    time   RSS MB  heap MB  ext. MB  flashes  reboots  outages',
    ...rows,
    `after ${r.warmup_min} min warm-up: heap ${t.heap_first_mb} -> ${t.heap_last_mb} MB (${signed(t.heap_slope_mb_per_10min)} MB per 10 min), RSS ${t.rss_first_mb} -> ${t.rss_last_mb} MB (${signed(t.rss_slope_mb_per_10min)} MB per 10 min)`,
    r.growing
      ? `verdict:            GROWING (more than ${HEAP_GROWTH_MB_PER_10MIN} MB heap or ${RSS_GROWTH_MB_PER_10MIN} MB RSS per 10 min after warm-up)`
      : `verdict:            flat (under ${HEAP_GROWTH_MB_PER_10MIN} MB heap and ${RSS_GROWTH_MB_PER_10MIN} MB RSS per 10 min after warm-up)`,
    '',
  ].join('\n');
}

const signed = (x: number): string => (x >= 0 ? `+${x}` : String(x));

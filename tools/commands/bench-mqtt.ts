import type { Command } from 'commander';
import { measureMqttLoad, type BrokerLink, type MqttLoadResult } from '../bench/mqtt-load.js';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { medianOf } from '../bench/stats.js';
import { parsePositiveInt } from '../options.js';

/** Device and cloud links compared, in the order each round runs them. */
const SETUPS: ReadonlyArray<{ deviceLink: BrokerLink; cloudLink: BrokerLink }> = [
  { deviceLink: 'socket', cloudLink: 'socket' },
  { deviceLink: 'in-memory', cloudLink: 'socket' },
  { deviceLink: 'in-memory', cloudLink: 'in-memory' },
];

/** `bench mqtt`: CPU per message of a fixed MQTT load, over sockets and in memory (tools/bench/mqtt-load.ts). */
export function registerBenchMqtt(bench: Command): void {
  bench
    .command('mqtt')
    .description("CPU per message of a fixed MQTT load in one process (devices' audio and telemetry to the cloud's client through the embedded broker), over loopback TCP and in memory, alternating")
    .option('--devices <n>', 'device connections', parsePositiveInt, 150)
    .option('--seconds <n>', 'timed seconds per run', parsePositiveInt, 15)
    .option('--warmup <n>', 'untimed seconds first', parsePositiveInt, 2)
    .option('--rounds <n>', 'rounds of the three setups', parsePositiveInt, 2)
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { devices: number; seconds: number; warmup: number; rounds: number; json?: boolean }) => {
      const runs: MqttLoadResult[] = [];
      if (!opts.json) out(formatMachine());
      // Untimed: the process's first run would also pay for compiling the whole MQTT path.
      await measureMqttLoad({ devices: opts.devices, seconds: 1, warmupSeconds: opts.warmup, ...SETUPS[0]! });
      for (let round = 0; round < opts.rounds; round++) {
        for (const setup of SETUPS) {
          const r = await measureMqttLoad({ devices: opts.devices, seconds: opts.seconds, warmupSeconds: opts.warmup, ...setup });
          runs.push(r);
          if (!opts.json) out(formatRun(r));
        }
      }
      const medians = SETUPS.map((s) => {
        const mine = runs.filter((r) => r.device_link === s.deviceLink && r.cloud_link === s.cloudLink);
        return { device_link: s.deviceLink, cloud_link: s.cloudLink, main_us_per_message: Math.round(medianOf(mine.map((r) => r.main_us_per_message)) * 10) / 10 };
      });
      if (opts.json) return printJson({ machine: machine(), runs, medians });
      for (const m of medians) out(`median:  devices ${m.device_link.padEnd(9)} cloud ${m.cloud_link.padEnd(9)} main thread ${m.main_us_per_message} us per message`);
    });
}

function formatRun(r: MqttLoadResult): string {
  return `devices ${r.device_link.padEnd(9)} cloud ${r.cloud_link.padEnd(9)} ${r.delivered} messages in ${r.seconds} s: main thread ${r.main_us_per_message} us per message (${r.main_cpu_ms} ms), process ${r.process_us_per_message} us`;
}

import { InvalidArgumentError, type Command } from 'commander';
import { runAuthFlood, type AuthFloodResult, type LatencySummary } from '../bench/auth-flood.js';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { parseNonNegative, parsePositive, parsePositiveInt } from '../options.js';

interface AuthFloodCli {
  target: string;
  rate: number;
  concurrency: number;
  seconds: number;
  baseline: number;
  probeMs: number;
  sources: number;
  randomUsernames?: boolean;
  endpointUrl?: string;
  mqttUrl?: string;
  token?: string;
  dataDir?: string;
  json?: boolean;
  progress: boolean;
}

function parseTarget(value: string): 'http' | 'mqtt' {
  if (value !== 'http' && value !== 'mqtt') throw new InvalidArgumentError('expected http or mqtt');
  return value;
}

function parseSources(value: string): number {
  const n = parsePositiveInt(value);
  if (n > 60_000) throw new InvalidArgumentError('expected at most 60000 sources');
  return n;
}

/** `bench auth-flood`: what a flood of wrong credentials costs everyone else (the health check's latency). */
export function registerBenchAuthFlood(bench: Command): void {
  bench
    .command('auth-flood')
    .description('time the API health check (and, for mqtt, registered devices\' first logins) while wrong admin tokens (http) or wrong device secrets (mqtt) arrive at a given rate; starts its own cloud in another process unless --endpoint-url is given')
    .option('--target <kind>', 'http: wrong bearer tokens on the API; mqtt: CONNECTs with wrong device secrets', parseTarget, 'http')
    .option('--rate <n>', 'attempts started per second (0: as fast as --concurrency allows)', parseNonNegative, 100)
    .option('--concurrency <n>', 'attempts in flight at most', parsePositiveInt, 64)
    .option('--seconds <n>', 'how long the flood lasts', parsePositive, 10)
    .option('--baseline <n>', 'seconds of health checks before the flood', parsePositive, 3)
    .option('--probe-ms <n>', 'pause between two health checks', parsePositive, 20)
    .option('--sources <n>', 'local addresses the flood comes from (127.1.x.y), to act as many attackers', parseSources, 1)
    .option('--random-usernames', 'mqtt: a new unregistered username per attempt (default: one registered device)')
    .option('--endpoint-url <url>', 'flood this running cloud instead of starting one')
    .option('--mqtt-url <url>', 'with --endpoint-url and --target mqtt: its broker')
    .option('--token <token>', "with --endpoint-url: its admin token (to register the device attacked over MQTT)")
    .option('--data-dir <dir>', "with --endpoint-url: its data directory (where admin-token is)")
    .option('--json', 'print one JSON object on stdout')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: AuthFloodCli) => {
      const r = await runAuthFlood({
        target: opts.target as 'http' | 'mqtt',
        rate: opts.rate,
        concurrency: opts.concurrency,
        seconds: opts.seconds,
        baselineSeconds: opts.baseline,
        probeMs: opts.probeMs,
        sources: opts.sources,
        randomUsernames: opts.randomUsernames ?? false,
        progress: opts.progress,
        ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
        ...(opts.mqttUrl ? { mqttUrl: opts.mqttUrl } : {}),
        ...(opts.token ? { token: opts.token } : {}),
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      });
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(format(r));
    });
}

function latency(l: LatencySummary): string {
  const failed = l.failed > 0 ? `, ${l.failed} failed` : '';
  return `p50 ${l.p50_ms} ms, p90 ${l.p90_ms} ms, p99 ${l.p99_ms} ms, max ${l.max_ms} ms (${l.probes} probes${failed})`;
}

function format(r: AuthFloodResult): string {
  const what = r.target === 'http' ? 'wrong bearer tokens' : 'MQTT CONNECTs with wrong secrets';
  const rate = r.rate === 0 ? `as fast as ${r.concurrency} in flight allow` : `${r.rate}/s, at most ${r.concurrency} in flight`;
  return [
    `flood:              ${what}, ${rate}, from ${r.sources} address${r.sources === 1 ? '' : 'es'}, ${r.seconds} s`,
    `sent:               ${r.attempts} (${r.attempts_per_second}/s)${r.skipped ? `, ${r.skipped} skipped (in-flight cap)` : ''}`,
    `answers:            ${Object.entries(r.outcomes).map(([k, n]) => `${k}: ${n}`).join(', ')}`,
    `health, no flood:   ${latency(r.health_baseline)}`,
    `health, flood:      ${latency(r.health_flood)}`,
    ...(r.login_baseline && r.login_flood
      ? [`first login, no flood: ${latency(r.login_baseline)}`, `first login, flood:    ${latency(r.login_flood)}`]
      : []),
    '',
  ].join('\n');
}

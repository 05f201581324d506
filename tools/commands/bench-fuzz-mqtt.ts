import { InvalidArgumentError, type Command } from 'commander';
import { EchosimError } from '../../core/errors.js';
import { runFuzzMqtt, type FuzzMqttOptions, type FuzzMqttResult } from '../bench/fuzz-mqtt.js';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { parsePositiveInt } from '../options.js';

interface FuzzCliOptions {
  messages: number;
  broker: 'embedded' | 'mosquitto';
  seed: number;
  maxBytes: number;
  flashEvery: number;
  verify: boolean;
  emptyLevels?: boolean;
  inFlight: number;
  json?: boolean;
  progress: boolean;
}

function parseBroker(value: string): 'embedded' | 'mosquitto' {
  if (value !== 'embedded' && value !== 'mosquitto') throw new InvalidArgumentError('expected embedded or mosquitto');
  return value;
}

/** `bench fuzz-mqtt`: a registered device's fuzzed messages against the cloud, while another device keeps converging. */
export function registerBenchFuzzMqtt(bench: Command): void {
  bench
    .command('fuzz-mqtt')
    .description(
      'fuzz the cloud from a registered device with its own credentials (every topic it may publish to, valid-shaped and garbage, JSON and binary) ' +
        'while a well-behaved device keeps getting its profile updated; reports cloud crashes, its memory, refusals and convergence',
    )
    .option('--messages <n>', 'fuzzed messages to publish', parsePositiveInt, 10_000)
    .option('--broker <kind>', 'embedded (the cloud\'s own aedes) or mosquitto (started here, its auth files managed by the cloud)', parseBroker, 'embedded')
    .option('--seed <n>', 'random seed (the same seed publishes the same messages)', parsePositiveInt, 1)
    .option('--max-bytes <n>', 'largest payload, bytes', parsePositiveInt, 256 * 1024)
    .option('--flash-every <ms>', 'pause between profile updates of the good device', parsePositiveInt, 500)
    .option('--in-flight <n>', 'publishes awaiting the broker at once', parsePositiveInt, 16)
    .option('--no-verify', 'run the cloud without wake-word verification')
    .option('--empty-levels', 'also publish to topics with an empty level (jobs//update)')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: FuzzCliOptions) => {
      const options: FuzzMqttOptions = {
        messages: opts.messages, broker: opts.broker, seed: opts.seed, maxBytes: opts.maxBytes, flashEveryMs: opts.flashEvery,
        verify: opts.verify, emptyLevels: opts.emptyLevels === true, inFlight: opts.inFlight, progress: opts.progress,
      };
      const r = await runFuzzMqtt(options);
      if (opts.json) printJson({ machine: machine(), ...r });
      else {
        out(formatMachine());
        out(format(r));
      }
      if (r.cloud_crashes > 0 || !r.converged) {
        throw new EchosimError('FUZZ_CAMPAIGN_FAILED', r.cloud_crashes > 0 ? `the cloud exited during the campaign (${String(r.cloud_exit)})` : 'the good device did not converge after the campaign', {
          hint: `Replay it with --seed ${r.seed}; the cloud's last log lines are in its stderr (run with ECHOSIM_LOG_LEVEL=debug for more).`,
        });
      }
    });
}

function format(r: FuzzMqttResult): string {
  const mb = (x: number | null): string => (x === null ? 'n/a' : `${x} MB`);
  const kinds = Object.entries(r.by_kind).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `messages:           ${r.messages} in ${r.duration_s} s (seed ${r.seed}, ${r.broker} broker, verification ${r.verify ? 'on' : 'off'}, payloads up to ${r.max_bytes} bytes)`,
    `  by topic:         ${kinds}`,
    `  publish failures: ${r.publish_failures}; the fuzzing device was disconnected ${r.fuzz_disconnects} times`,
    `cloud crashes:      ${r.cloud_crashes}${r.cloud_exit ? ` (${r.cloud_exit})` : ''}; error log lines ${r.cloud_errors_logged}; broker reconnects ${r.cloud_broker_reconnects}`,
    `cloud memory:       RSS ${mb(r.cloud_rss_mb_before)} before, ${mb(r.cloud_rss_mb_after)} after (peak ${mb(r.cloud_rss_mb_peak)})`,
    `refusals:           ${r.refusals} utterance refusals (${r.refusals_published} published, ${r.refusals_seen_by_device} seen by the device); ${r.shadow_rejections} shadow rejections`,
    `good device:        ${r.flashes_applied}/${r.flashes} profile updates applied (median ${r.flash_apply_ms_median ?? 'n/a'} ms, max ${r.flash_apply_ms_max ?? 'n/a'} ms)`,
    `converged after:    ${r.converged ? `yes, ${r.converge_ms} ms` : 'NO'}; health check ${r.health_ok ? 'ok' : 'FAILED'}`,
    '',
  ].join('\n');
}

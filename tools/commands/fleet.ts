import { InvalidArgumentError, type Command } from 'commander';
import { runFleet, type FleetSummary } from '../fleet/fleet.js';
import { parsePositive, parsePositiveInt } from '../options.js';
import { WakeWordRegistry } from '../../models/wakeword/registry.js';
import { EMBEDDING_HELP, MODEL_FILE_HELP, parseEmbeddingPrecision } from '../spotter-options.js';
import type { EmbeddingPrecision } from '../../models/wakeword/oww-models.js';
import { DEFAULT_SPEED_CHUNKS, formatMachineSpeed } from '../fleet/machine-speed.js';
import { formatFleetProfile } from '../fleet/fleet-profile.js';

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of at least 0');
  return n;
}

interface FleetCliOptions {
  devices: number;
  listening: number;
  duration: number;
  cloud?: string;
  endpointUrl?: string;
  token?: string;
  dataDir?: string;
  ca?: string;
  json?: boolean;
  progress: boolean;
  workers?: number;
  vad: boolean;
  keyword?: string;
  model?: string;
  headsDir?: string;
  switchTo?: string;
  speedChunks: number;
  profile?: boolean;
  embedding: EmbeddingPrecision;
}

export function registerFleet(program: Command): void {
  program
    .command('fleet')
    .description('simulate a fleet in one process: N devices sharing one loaded model (idle ones cost little), K of them hearing real audio through the full pipeline; a summary at the end')
    .option('--devices <n>', 'simulated devices', parsePositiveInt, 10)
    .option('--listening <k>', 'devices that hear the demo utterance in a loop, in real time, through the wake-word pipeline', parseCount, 0)
    .option('--duration <seconds>', 'how long the listening devices listen', parsePositive, 20)
    .option('--cloud <url>', "an external cloud's MQTT broker (default: a cloud with an embedded broker in this process)")
    .option('--endpoint-url <url>', "with --cloud: the cloud's HTTP API, to register the devices (default $ECHOSIM_ENDPOINT or http://127.0.0.1:8700)")
    .option('--token <token>', 'with --cloud: the admin token (default $ECHOSIM_ADMIN_TOKEN or <data dir>/admin-token)')
    .option('--data-dir <dir>', "with --cloud: the cloud's data directory, to find admin-token (and tls/ca.pem)")
    .option('--ca <file>', 'with an mqtts:// --cloud or an https:// endpoint: the CA to verify them with (default <data dir>/tls/ca.pem when it exists)')
    .option('--workers <n>', 'worker threads for wake-word inference, 0 for the main thread (default: one per core)', parseCount)
    .option('--no-vad', 'listening devices do not end-point with Silero VAD: their streams run to the maximum length')
    .option('--keyword <name>', 'the word every device spots, a shipped one (default alexa); the room profile selects its WakeWord')
    .option('--model <file.onnx>', `instead of --keyword: ${MODEL_FILE_HELP} (room profiles do not switch it)`)
    .option('--heads-dir <dir>', 'folder of trained heads (default models/wakeword/heads)')
    .option('--switch-to <WAKEWORD>', "the timed room-profile update also sets this WakeWord (ALEXA, AMAZON, ECHO, COMPUTER): every device switches its spotter")
    .option('--speed-chunks <n>', "chunks of the machine-speed measurement at start (bench compute's bare compute per chunk, reported as `machine`)", parsePositiveInt, DEFAULT_SPEED_CHUNKS)
    .option('--embedding <precision>', `${EMBEDDING_HELP} (default int8 here: the batched fleet is where it saves CPU)`, parseEmbeddingPrecision, 'int8')
    .option('--profile', 'measure where the CPU goes while listening (per thread, per model stage, batch sizes); in --json as `profile`')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (opts: FleetCliOptions) => {
      if (opts.listening > opts.devices) throw new InvalidArgumentError(`--listening ${opts.listening} is more than --devices ${opts.devices}`);
      if (opts.keyword && opts.model) throw new InvalidArgumentError('give --keyword or --model, not both');
      const registry = WakeWordRegistry.load(opts.headsDir ? { headsDir: opts.headsDir } : {});
      const head = opts.model ? registry.fileHead(opts.model) : opts.keyword ? registry.head(opts.keyword) : undefined;
      const summary = await runFleet({
        registry,
        ...(head ? { head } : {}),
        ...(opts.switchTo ? { switchTo: opts.switchTo } : {}),
        devices: opts.devices,
        listening: opts.listening,
        durationS: opts.duration,
        progress: opts.progress,
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        vad: opts.vad,
        embedding: opts.embedding,
        speedChunks: opts.speedChunks,
        ...(opts.profile ? { profile: true } : {}),
        ...(opts.cloud
          ? { cloud: { brokerUrl: opts.cloud, ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}), ...(opts.token ? { token: opts.token } : {}), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), ...(opts.ca ? { ca: opts.ca } : {}) } }
          : {}),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : format(summary));
    });
}

function format(s: FleetSummary): string {
  return [
    `machine:          ${formatMachineSpeed(s.machine)}`,
    `devices:          ${s.connected}/${s.devices} connected (started in ${s.startup_s} s; to the broker ${s.broker_link === 'in-memory' ? 'in memory' : 'over a socket'})`,
    `profile apply:    median ${s.profile_apply.median_ms} ms, p99 ${s.profile_apply.p99_ms} ms, max ${s.profile_apply.max_ms} ms (one UpdateProfile to the whole room)`,
    `word:             ${s.keyword}${s.wake_word ? ` (${s.wake_word})` : ''}`,
    `listening:        ${s.listening} devices for ${s.duration_s} s${s.vad ? ' (end-pointing with Silero VAD)' : ''}, ${s.embedding} embedding: ${s.wakes} wake words, at most ${s.max_lag_ms} ms behind real time (${s.end_lag_ms} ms at the end), at ${s.machine.compute_ms_per_chunk.toFixed(3)} ms compute per chunk`,
    `CPU:              ${s.cpu_percent}% of one core while listening (wake-word inference on ${s.inference_workers ? `${s.inference_workers} worker threads` : 'the main thread'}; main event loop ${s.main_loop_busy_percent}% busy)`,
    `RSS:              ${s.rss_mb} MB (${s.rss_per_device_kb} KB per device)`,
    ...(s.profile ? formatFleetProfile(s.profile) : []),
    '',
  ].join('\n');
}

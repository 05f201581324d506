import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { WakeWordVerifier } from '../../cloud-link/cloud/verification/verifier.js';
import { runDevice } from '../../firmware/device/runner.js';
import { SystemClock, VirtualClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { packageRoot } from '../../core/package-root.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { readWavMono } from '../bench/read-mono.js';
import { OpenWakeWordModels, type EmbeddingPrecision } from '../../models/wakeword/oww-models.js';
import { WakeWordRegistry, type HeadSpec } from '../../models/wakeword/registry.js';
import { EchosimError } from '../../core/errors.js';
import { SpotterPool } from '../../models/wakeword/spotter-pool.js';
import { SileroVad, SileroVadModel } from '../../models/vad/silero-vad.js';
import { checkBrokerUrl, isTlsBrokerUrl } from '../../cloud-link/mqtt/mqtt-errors.js';
import { readCaFile, type ClientTlsOptions } from '../../cloud-link/tls/client-tls.js';
import type { MqttStreamTransport } from '../../cloud-link/mqtt/stream-transport.js';
import { A4bClient, resolveCa } from '../a4b-client.js';
import { quantile } from '../bench/stats.js';
import { LoopedClipSource } from './looped-clip.js';
import { provisionFleet, stopDevices } from './provision.js';
import type { SimulatedDevice } from './simulated-device.js';
import { formatMachineSpeed, measureMachineSpeed, type MachineSpeed } from './machine-speed.js';
import { traceDevice, type ListeningTrace } from './listening-trace.js';
import { startFleetProfile, type FleetProfile } from './fleet-profile.js';

export interface FleetOptions {
  devices: number;
  /** Devices that hear real audio (the demo utterance, looped in real time) through the full pipeline. */
  listening: number;
  /** Seconds the listening devices run. */
  durationS: number;
  /** An external cloud: its broker, and its API (endpoint, admin token) to register the devices. */
  cloud?: {
    brokerUrl: string;
    endpoint?: string;
    token?: string;
    dataDir?: string;
    /** CA file for mqtts:// and https:// (default <dataDir>/tls/ca.pem when it exists). */
    ca?: string;
  };
  progress: boolean;
  /** Prefix of the simulated devices' serial numbers. */
  prefix?: string;
  /**
   * Worker threads for wake-word inference (devices' spotters and the cloud's verification) and the
   * listening devices' VAD; 0 runs them in the main thread. Default: one per core.
   */
  workers?: number;
  /** Listening devices end-point their streams with Silero VAD (default true); false streams run to their maximum length. */
  vad?: boolean;
  /**
   * The word every device spots (default the registry's alexa); a head without a room-profile
   * WakeWord (a custom `--model` file) is fixed: profiles do not switch it.
   */
  head?: HeadSpec;
  /** The words a profile's WakeWord switches among (default models/wakeword/heads and the bundled heads). */
  registry?: WakeWordRegistry;
  /** The timed UpdateProfile also sets this WakeWord: every device switches its spotter to it. */
  switchTo?: string;
  /** Chunks of the machine-speed measurement at start (default `bench compute`'s 2000). */
  speedChunks?: number;
  /** Record what each listening device decided (detections, stream ends) in the summary's `traces`. */
  trace?: boolean;
  /** Measure where the CPU went over the listening window (per thread, per model stage): the summary's `profile`. */
  profile?: boolean;
  /**
   * The embedding step's arithmetic for the devices and the in-process cloud (default int8: a batched
   * fleet is where it saves CPU; models/wakeword/quantized-embedding.ts). The machine-speed figure is
   * always measured in float, so it compares across commits.
   */
  embedding?: EmbeddingPrecision;
}

export interface FleetSummary {
  /** The machine's speed when the fleet started: a result reads "N devices at X ms compute per chunk". */
  machine: MachineSpeed;
  devices: number;
  connected: number;
  /** How the devices reach the broker: in memory (the fleet's own cloud, in this process) or a socket (`--broker`). */
  broker_link: 'in-memory' | 'socket';
  listening: number;
  /** Whether the listening devices end-pointed with Silero VAD. */
  vad: boolean;
  /** The embedding step's arithmetic the devices and the in-process cloud ran. */
  embedding: EmbeddingPrecision;
  /** The word the devices spotted while listening, and its room-profile WakeWord. */
  keyword: string;
  wake_word?: string;
  /** Worker threads running wake-word inference (0: the main thread). */
  inference_workers: number;
  startup_s: number;
  /** Every device of the room applied one UpdateProfile: ms from the API call to the device applying it. */
  profile_apply: { median_ms: number; p99_ms: number; max_ms: number };
  /**
   * Listening devices: wake words detected; how far behind real time the slowest one fell at any
   * moment, and at the end of its window (a lag that stays bounded is a burst; one that grows is a
   * machine that cannot keep up).
   */
  wakes: number;
  /** The wake words detected, by the word the spotter ran. */
  wakes_by_keyword: Record<string, number>;
  max_lag_ms: number;
  end_lag_ms: number;
  duration_s: number;
  /** Process CPU over the listening window (all threads), in percent of one core. */
  cpu_percent: number;
  /** How busy the main thread's event loop was over the listening window, in percent. */
  main_loop_busy_percent: number;
  rss_mb: number;
  rss_per_device_kb: number;
  /** With `trace`: each listening device's decisions, in device order. */
  traces?: ListeningTrace[];
  /** With `profile`: where the CPU went while listening. */
  profile?: FleetProfile;
}

const DEMO_WAV = 'test/fixtures/demo/alexa-demo.wav';

/**
 * A fleet in one process: N simulated devices (the real firmware and link, one shared copy of the
 * models), by default with their own cloud (embedded broker) in the same process. Idle devices hear
 * nothing and cost only their link; K listening devices hear the demo utterance in a loop at real-time
 * pace through the whole pipeline (spotter, VAD, streaming, the cloud's verification).
 */
export async function runFleet(o: FleetOptions): Promise<FleetSummary> {
  const root = mkdtempSync(path.join(tmpdir(), 'echosim-fleet-'));
  const log = createLogger('fleet', process.env.ECHOSIM_LOG_LEVEL ?? 'warn');
  const clock = new SystemClock();
  const workers = o.workers ?? availableParallelism();
  // Inference on worker threads, the listening devices' end-pointing VAD with it; or all in this thread.
  const withVad = o.vad !== false && o.listening > 0;
  const registry = o.registry ?? WakeWordRegistry.load();
  const start = o.head ?? registry.head('alexa');
  const final = o.switchTo === undefined ? start : registry.forWakeWord(o.switchTo);
  if (!final) throw new EchosimError('WAKE_WORD_UNSUPPORTED', `no wake-word model covers ${o.switchTo}`, { hint: `Shipped: ${registry.wakeWords.join(', ')}.` });
  if (o.switchTo !== undefined && !start.wakeWord) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `${start.keyword} is no room-profile wake word: a profile cannot switch it`, { hint: 'Start from a shipped word (--keyword) to switch with --switch-to.' });
  }
  // Both heads loaded up front on every worker: the switch is a profile apply, not a model load.
  const heads = final.keyword === start.keyword ? [start] : [start, final];
  // The machine's speed first, before the workers load: on the fleet's own models when they are float and in this thread.
  const speedOptions = o.speedChunks === undefined ? {} : { chunks: o.speedChunks };
  const embedding = o.embedding ?? 'int8';
  const local = workers > 0 ? undefined : await OpenWakeWordModels.load({ heads, embedding });
  const machine = await measureMachineSpeed({ ...speedOptions, ...(local ? { models: local } : {}) });
  if (o.progress) process.stderr.write(`machine: ${formatMachineSpeed(machine)}\n`);
  const models = local ?? (await SpotterPool.start({ workers, vad: withVad, heads, embedding }));
  const vadModel = withVad && !(models instanceof SpotterPool) ? await SileroVadModel.load() : undefined;
  const rssBase = process.memoryUsage().rss;
  let cloud: Cloud | undefined;
  let verifier: WakeWordVerifier | undefined;
  const fleet: SimulatedDevice[] = [];
  try {
    let brokerUrl: string;
    let api: A4bClient;
    let brokerTls: ClientTlsOptions | undefined;
    let streamTransport: MqttStreamTransport | undefined;
    if (o.cloud) {
      brokerUrl = o.cloud.brokerUrl;
      const where = { ...(o.cloud.dataDir ? { dataDir: o.cloud.dataDir } : {}), ...(o.cloud.ca ? { ca: o.cloud.ca } : {}) };
      api = new A4bClient({ ...(o.cloud.endpoint ? { endpoint: o.cloud.endpoint } : {}), ...(o.cloud.token ? { token: o.cloud.token } : {}), ...where });
      brokerTls = isTlsBrokerUrl(brokerUrl) ? resolveCa(where) : undefined;
      checkBrokerUrl(brokerUrl, o.cloud.ca ? readCaFile(o.cloud.ca) : undefined);
    } else {
      verifier = new WakeWordVerifier({ models, registry, log });
      cloud = await Cloud.start({ dir: path.join(root, 'cloud'), clock, log, broker: { port: 0, clientInMemory: true }, http: { port: 0 }, verifier, wakeWords: registry.wakeWords });
      brokerUrl = cloud.brokerUrl;
      // Its devices reach its embedded broker in memory, not over loopback TCP (same broker, logins and ACL).
      streamTransport = cloud.inProcessTransport;
      api = new A4bClient({ endpoint: cloud.apiUrl ?? '', token: cloud.adminToken });
    }
    const started = performance.now();
    const listeningAt = Math.min(o.listening, o.devices);
    const clocks = Array.from({ length: listeningAt }, () => new VirtualClock(0, Date.now()));
    const provisioned = await provisionFleet({
      api, brokerUrl, ...(brokerTls ? { brokerTls } : {}), ...(streamTransport ? { streamTransport } : {}), count: o.devices, prefix: o.prefix ?? `fleet-${process.pid}`, root, models, log,
      keywords: [start.keyword], ...(start.wakeWord ? { registry, wakeWord: start.wakeWord } : {}),
      clockFor: (i) => clocks[i] ?? clock, progress: o.progress,
      vadFor: (i) => {
        if (i >= listeningAt || !withVad) return undefined;
        return models instanceof SpotterPool ? models.openVad() : vadModel && new SileroVad(vadModel);
      },
    });
    const ProfileArn = provisioned.profileArn;
    fleet.push(...provisioned.devices);
    const listeners = clocks.map((own, i) => ({ sim: provisioned.devices[i] as SimulatedDevice, clock: own }));
    const startupS = (performance.now() - started) / 1000;
    const connected = fleet.filter((d) => d.link.connected).length;

    // one profile update to the whole room, timed on each device
    const applied: number[] = [];
    const t0 = performance.now();
    const waits = fleet.map(
      (d) =>
        new Promise<void>((resolve) => {
          const on = ({ boot }: { boot: boolean }): void => {
            if (boot) return;
            applied.push(performance.now() - t0);
            d.link.off('profile-applied', on);
            resolve();
          };
          d.link.on('profile-applied', on);
        }),
    );
    await api.call('UpdateProfile', { ProfileArn, MaxVolumeLimit: 7, ...(o.switchTo ? { WakeWord: o.switchTo } : {}) });
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise((r) => (limit = setTimeout(r, 120_000)))]);
    clearTimeout(limit);
    applied.sort((a, b) => a - b);

    // the listening window: real audio at real-time pace
    const profiling = o.profile ? await startFleetProfile(models) : undefined;
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const w0 = performance.now();
    let wakes = 0;
    const byKeyword: Record<string, number> = {};
    let maxLag = 0;
    let endLag = 0;
    const traces: ListeningTrace[] = new Array(listeners.length);
    const clip = await readWavMono(path.join(packageRoot(), DEMO_WAV), { kind: 'mean' });
    const loopS = clip.length / SAMPLE_RATE;
    await Promise.all(
      listeners.map(async ({ sim, clock: own }, i) => {
        // Spread the devices' starts over one loop of the utterance: a fleet's wake words do not all
        // come in the same 80 ms.
        await delay((i / listeners.length) * loopS * 1000);
        sim.device.on('detection', (d) => {
          if (!d.accepted) return;
          wakes++;
          byKeyword[d.keyword] = (byKeyword[d.keyword] ?? 0) + 1;
        });
        const source = new LoopedClipSource(clip, o.durationS, clock, path.basename(DEMO_WAV));
        const abort = new AbortController();
        const stop = setTimeout(() => abort.abort(), o.durationS * 1000);
        const begin = performance.now();
        let lag = 0;
        const tracer = o.trace ? traceDevice(sim.device) : undefined;
        const run = await runDevice(sim.device, source, {
          clock: own,
          signal: abort.signal,
          settleMs: 0,
          onProgress: (index) => {
            lag = performance.now() - begin - (index / SAMPLE_RATE) * 1000;
            maxLag = Math.max(maxLag, lag);
          },
        });
        endLag = Math.max(endLag, lag);
        tracer?.stop();
        if (tracer) traces[i] = { ...tracer.trace, samples: run.samples };
        clearTimeout(stop);
        await source.close();
      }),
    );
    const windowMs = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const rss = process.memoryUsage().rss;
    const profile = await profiling?.finish();
    return {
      machine,
      devices: o.devices,
      connected,
      broker_link: streamTransport ? 'in-memory' : 'socket',
      listening: listeners.length,
      vad: withVad,
      embedding,
      keyword: final.keyword,
      ...(final.wakeWord ? { wake_word: final.wakeWord } : {}),
      inference_workers: workers,
      startup_s: r1(startupS),
      profile_apply: { median_ms: r1(quantile(applied, 0.5)), p99_ms: r1(quantile(applied, 0.99)), max_ms: r1(applied[applied.length - 1] ?? 0) },
      wakes,
      wakes_by_keyword: byKeyword,
      max_lag_ms: r1(Math.max(0, maxLag)),
      end_lag_ms: r1(Math.max(0, endLag)),
      duration_s: r1(windowMs / 1000),
      cpu_percent: r1(((cpu.user + cpu.system) / 1000 / Math.max(1, windowMs)) * 100),
      main_loop_busy_percent: r1(elu.utilization * 100),
      rss_mb: r1(rss / 2 ** 20),
      rss_per_device_kb: Math.round((rss - rssBase) / 1024 / Math.max(1, o.devices)),
      ...(o.trace ? { traces } : {}),
      ...(profile ? { profile } : {}),
    };
  } finally {
    await stopDevices(fleet);
    await cloud?.stop();
    verifier?.close();
    await (models instanceof SpotterPool ? models.close() : models.dispose());
    await vadModel?.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

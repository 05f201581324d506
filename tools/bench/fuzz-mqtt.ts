import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SystemClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { ensurePrivateDir } from '../../core/private-files.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { A4bClient } from '../a4b-client.js';
import { fleetProfile } from '../fleet/provision.js';
import { startSimulatedDevice, type SimulatedDevice } from '../fleet/simulated-device.js';
import { CloudProcess } from './cloud-process.js';
import { FuzzAttacker, withDeadline } from './fuzz-attacker.js';
import { fuzzMessage } from './fuzz-messages.js';
import { Rng } from './fuzz-rng.js';
import { ProfileFlasher } from './profile-flasher.js';
import { startManagedMosquitto, type ManagedMosquitto } from './mosquitto-process.js';
import { quantile } from './stats.js';

export interface FuzzMqttOptions {
  messages: number;
  broker: 'embedded' | 'mosquitto';
  seed: number;
  /** Largest payload published, bytes. */
  maxBytes: number;
  /** Pause between profile updates for the good device, ms. */
  flashEveryMs: number;
  /** Cloud wake-word verification on (its models loaded, fuzzed wake words scored). */
  verify: boolean;
  /** Also publish to topics with an empty level (`jobs//update`). */
  emptyLevels: boolean;
  /** Publishes awaiting the broker at once. */
  inFlight: number;
  progress: boolean;
}

export interface FuzzMqttResult {
  messages: number;
  seed: number;
  broker: string;
  verify: boolean;
  max_bytes: number;
  duration_s: number;
  by_kind: Record<string, number>;
  publish_failures: number;
  fuzz_disconnects: number;
  cloud_crashes: number;
  cloud_exit: string | null;
  cloud_errors_logged: number;
  cloud_broker_reconnects: number;
  cloud_rss_mb_before: number | null;
  cloud_rss_mb_after: number | null;
  cloud_rss_mb_peak: number | null;
  refusals: number;
  refusals_published: number;
  refusals_seen_by_device: number;
  shadow_rejections: number;
  flashes: number;
  flashes_applied: number;
  flash_apply_ms_median: number | null;
  flash_apply_ms_max: number | null;
  converged: boolean;
  converge_ms: number | null;
  health_ok: boolean;
}

const BAD = 'fuzz-bad';
const GOOD = 'fuzz-good';
const CONVERGE_LIMIT_MS = 30_000;

/**
 * The fuzz campaign: `echosim cloud` in a child process (embedded broker, or a Mosquitto whose auth
 * files it manages), one registered device that connects with its own credentials and publishes N
 * fuzzed messages (fuzz-messages.ts) as fast as the broker takes them, while a second, well-behaved
 * simulated device gets its room profile updated again and again. Reports whether the cloud
 * survived, its memory before and after, the refusals it answered, and whether the good device
 * kept converging and converges on a last update afterwards.
 */
export async function runFuzzMqtt(o: FuzzMqttOptions): Promise<FuzzMqttResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'echosim-fuzz-'));
  const log = createLogger('fuzz', 'warn');
  let mosquitto: ManagedMosquitto | undefined;
  let cloud: CloudProcess | undefined;
  let good: SimulatedDevice | undefined;
  let bad: FuzzAttacker | undefined;
  let models: OpenWakeWordModels | undefined;
  let flasher: ProfileFlasher | undefined;
  try {
    if (o.broker === 'mosquitto') mosquitto = await startManagedMosquitto(path.join(root, 'mosquitto'));
    cloud = await CloudProcess.start({
      dir: path.join(root, 'cloud'), verify: o.verify,
      ...(mosquitto ? { broker: { url: mosquitto.url, mosquittoAuth: mosquitto.authDir, mosquittoPid: mosquitto.pidFile } } : {}),
    });
    const c = cloud;
    let refusalsPublished = 0;
    c.onEvent((e) => {
      if (e.type === 'utterance-refused' && e.published === true) refusalsPublished++;
    });
    const api = new A4bClient({ endpoint: c.apiUrl, token: c.adminToken });

    // The good device, in a room whose profile keeps changing.
    const { ProfileArn } = await api.call<{ ProfileArn: string }>('CreateProfile', fleetProfile('fuzz good', 8));
    const { RoomArn } = await api.call<{ RoomArn: string }>('CreateRoom', { RoomName: 'fuzz room', ProfileArn });
    const goodSecret = (await api.call<{ Secret: string }>('RegisterDevice', { DeviceSerialNumber: GOOD, DeviceType: 'echo-dot-3', DeviceName: GOOD, RoomArn })).Secret;
    const badSecret = (await api.call<{ Secret: string }>('RegisterDevice', { DeviceSerialNumber: BAD, DeviceType: 'echo-dot-3', DeviceName: BAD })).Secret;
    models = await OpenWakeWordModels.load();
    const dataDir = path.join(root, 'devices', GOOD);
    ensurePrivateDir(dataDir);
    good = await startSimulatedDevice({ url: c.brokerUrl, deviceId: GOOD, secret: goodSecret, dataDir, clock: new SystemClock(), models, log });
    await good.link.whenSynced();

    // The attacker: its own credentials, its own subtree, watching what the cloud answers it.
    bad = new FuzzAttacker(c.brokerUrl, BAD, badSecret);
    await bad.connected();

    await new Promise((r) => setTimeout(r, 1000)); // let the cloud settle after start-up before measuring it
    const before = c.memory();
    flasher = new ProfileFlasher({ api, cloud: c, profileArn: ProfileArn, deviceId: GOOD, pauseMs: o.flashEveryMs });
    flasher.start();

    const { byKind, failures, durationS } = await publishFuzz(bad, o, c);
    await flasher.stop();

    // Afterwards: one more update must reach the good device.
    const converge = c.alive ? await flasher.flashOnce(CONVERGE_LIMIT_MS) : undefined;
    await new Promise((r) => setTimeout(r, 1000));
    const after = c.memory();
    const healthOk = c.alive && (await fetch(`${c.apiUrl}/health`).then((r) => r.ok, () => false));
    const applied = flasher.latencies;
    return {
      messages: Object.values(byKind).reduce((n, k) => n + k, 0),
      seed: o.seed,
      broker: o.broker,
      verify: o.verify,
      max_bytes: o.maxBytes,
      duration_s: round1(durationS),
      by_kind: byKind,
      publish_failures: failures,
      fuzz_disconnects: bad.disconnects,
      cloud_crashes: c.alive ? 0 : 1,
      cloud_exit: c.exit ? `code ${String(c.exit.code)}, signal ${String(c.exit.signal)}` : null,
      cloud_errors_logged: c.errorsLogged,
      cloud_broker_reconnects: c.brokerReconnects,
      cloud_rss_mb_before: before?.rssMb ?? null,
      cloud_rss_mb_after: after?.rssMb ?? null,
      cloud_rss_mb_peak: after?.peakMb ?? null,
      refusals: c.count('utterance-refused'),
      refusals_published: refusalsPublished,
      refusals_seen_by_device: bad.refusalsSeen,
      shadow_rejections: c.count('shadow-rejected'),
      flashes: flasher.flashes,
      flashes_applied: applied.length,
      flash_apply_ms_median: applied.length > 0 ? round1(quantile([...applied].sort((a, b) => a - b), 0.5)) : null,
      flash_apply_ms_max: applied.length > 0 ? round1(Math.max(...applied)) : null,
      converged: converge !== undefined,
      converge_ms: converge === undefined ? null : round1(converge),
      health_ok: healthOk,
    };
  } finally {
    await flasher?.stop().catch(() => undefined);
    await bad?.close();
    await good?.stop().catch(() => undefined);
    await cloud?.stop().catch(() => undefined);
    await mosquitto?.stop().catch(() => undefined);
    await models?.dispose().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

/** Publishes the campaign's messages as fast as the broker takes them, `o.inFlight` at a time, while the cloud lives. */
async function publishFuzz(attacker: FuzzAttacker, o: FuzzMqttOptions, cloud: CloudProcess): Promise<{ byKind: Record<string, number>; failures: number; durationS: number }> {
  const rng = new Rng(o.seed);
  const byKind: Record<string, number> = {};
  let failures = 0;
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < o.messages && cloud.alive; i++) {
    const m = fuzzMessage(rng, BAD, { maxBytes: o.maxBytes, emptyLevels: o.emptyLevels });
    byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
    const client = await attacker.connected();
    const p: Promise<void> = client
      .publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain })
      .then(
        () => undefined,
        () => void failures++,
      )
      .finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= o.inFlight) await Promise.race(pending);
    if (o.progress && (i + 1) % 1000 === 0) process.stderr.write(`${i + 1}/${o.messages} messages; cloud RSS ${cloud.memory()?.rssMb ?? '?'} MB\n`);
  }
  await withDeadline(Promise.all(pending), 30_000); // QoS 1 acknowledgements still due
  return { byKind, failures, durationS: (performance.now() - started) / 1000 };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

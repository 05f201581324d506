import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeviceCloudLink } from '../cloud-link/device/link/device-cloud-link.js';
import type { ClientTlsOptions } from '../cloud-link/tls/client-tls.js';
import { WAKE_WORDS } from '../cloud-link/protocol/room-profile.js';
import { Device } from '../firmware/device/device.js';
import { runDevice, type RunSummary } from '../firmware/device/runner.js';
import { deviceModel, type DeviceModel } from '../firmware/device-model.js';
import { openButtons, type ButtonDriverKind } from '../hal/buttons/open.js';
import { SystemClock, VirtualClock } from '../core/clock.js';
import { EchosimError } from '../core/errors.js';
import { JsonEventsRenderer } from '../hal/leds/events.js';
import { openLeds, type LedRendererKind } from '../hal/leds/open.js';
import type { TerminalScreen } from '../hal/leds/terminal-screen.js';
import type { LedRenderer } from '../hal/leds/types.js';
import { SpatialSource } from '../hal/mic/spatial-source.js';
import { openMic } from '../hal/mic/open.js';
import type { MicSource } from '../hal/mic/types.js';
import { SAMPLE_RATE } from '../core/audio-format.js';
import { openSpeaker } from '../hal/speaker/open.js';
import { SileroVad, SileroVadModel } from '../models/vad/silero-vad.js';
import { audioSeconds } from './device-events.js';
import { loadSpotter, type SpotterCliOptions } from './spotter-options.js';

export type LedsKind = LedRendererKind;
export type ButtonsKind = ButtonDriverKind;

export interface DeviceSessionOptions extends SpotterCliOptions {
  model: string;
  /** A `--mic` spec, or a source opened by the caller (the session closes it). */
  mic: string | MicSource;
  channels?: number;
  /** Place a talker at this azimuth around the model's array (mono input made multichannel). */
  talkerAngle?: number;
  leds: LedsKind;
  /** `leds: 'terminal'`: the screen the ring is drawn on, shared with lines printed there (default its own, on stderr). */
  screen?: TerminalScreen;
  buttons: ButtonsKind;
  /** GPIO line to button map, e.g. "17:action,27:mic-off". */
  gpio?: string;
  script?: string;
  offline: boolean;
  /** The device's flash; default a temporary directory removed at exit. */
  data?: string;
  speaker: string;
  fast: boolean;
  maxStream: number;
  vad: boolean;
  maxVolume?: number;
  setupModeDisabled?: boolean;
  /** Seconds to let the device settle after the audio ends. */
  settle: number;
  /** Where JSON events go (LED frames included, throttled); undefined = no events. */
  eventSink?: (event: Record<string, unknown>) => void;
  ledEventIntervalMs?: number;
  /** Run against the cloud: its broker, and the device's registered id and secret. */
  cloud?: CloudConnection;
}

export interface CloudConnection {
  url: string;
  deviceId: string;
  secret: string;
  /** For an mqtts:// `url`: the CA the broker is verified with. */
  tls?: ClientTlsOptions;
  /** How long to wait for the first shadow sync before the audio starts, ms (default 15 s). */
  syncWaitMs?: number;
}

export interface DeviceSession {
  device: Device;
  model: DeviceModel;
  clock: VirtualClock;
  source: MicSource;
  dataDir: string;
  /** The cloud link, with `cloud`. */
  link: DeviceCloudLink | undefined;
  /** A reboot job ended the run: start a new session on the same `data` to finish the reboot. */
  readonly rebootRequested: boolean;
  run(signal?: AbortSignal): Promise<RunSummary>;
  /** Sends the last LED frame held back by the throttle and ends LED events (before shutdown blanks the ring). */
  finishEvents(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds one device from CLI-style options: model, microphone source (optionally a simulated talker
 * direction), spotter and VAD, light-ring renderers, speaker, button drivers and its flash directory.
 * Device time is a VirtualClock driven by the audio, so `--fast` runs are deterministic.
 *
 * With `cloud`, the device gets a DeviceCloudLink. The link runs on the system clock, not the audio's:
 * the network, its timeouts and backoff are real time whatever pace the audio plays at. `run()`
 * attaches the link (which boots the device and re-applies the profile on flash), waits for the
 * first connection (a refused or unreachable broker, or one that fails TLS verification, ends the run
 * with the connection's error and its hint) and for the first shadow sync, then starts the audio, so the room profile is in force from
 * the first sample. A reboot job aborts the run and sets `rebootRequested`; the link reports the job
 * from the next session on the same flash.
 */
export async function openDeviceSession(opts: DeviceSessionOptions): Promise<DeviceSession> {
  const model = deviceModel(opts.model);
  const clock = new VirtualClock(0, Date.now());
  // Bad input (a script, a GPIO map) is refused before anything is opened or made on disk.
  const { drivers, script } = openButtons(opts.buttons, {
    buttons: model.buttons,
    clock,
    ...(opts.script ? { script: opts.script } : {}),
    ...(opts.gpio ? { gpio: opts.gpio } : {}),
  });
  let source: MicSource = typeof opts.mic === 'string' ? openMic(opts.mic, { fast: opts.fast, ...(opts.channels ? { channels: opts.channels } : {}) }) : opts.mic;
  if (opts.talkerAngle !== undefined) source = new SpatialSource(source, model.micPositions, opts.talkerAngle, { noiseRms: 30, seed: 1 });
  const dataDir = opts.data ?? mkdtempSync(path.join(os.tmpdir(), `echosim-${model.id}-`));
  const cleanups: Array<() => Promise<void> | void> = [];
  if (!opts.data) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => source.close());
  const renderers: LedRenderer[] = [];
  // A step that fails (a model, an LED bus, a speaker that cannot open) undoes what was opened before it.
  const opening = async <T>(open: () => T | Promise<T>): Promise<T> => {
    try {
      return await open();
    } catch (e) {
      for (const r of renderers) await r.close().catch(() => undefined);
      for (const c of [...cleanups].reverse()) await Promise.resolve(c()).catch(() => undefined);
      throw e;
    }
  };

  const spotter = await opening(() => loadSpotter(opts));
  cleanups.push(() => spotter.dispose());
  const vadModel = opts.vad ? await opening(() => SileroVadModel.load(opts.modelDir ? { modelDir: opts.modelDir } : {})) : undefined;
  if (vadModel) cleanups.push(() => vadModel.dispose());

  if (opts.leds !== 'events') renderers.push(...(await opening(() => openLeds(opts.leds, { ledCount: model.leds.count, clock, ...(opts.screen ? { screen: opts.screen } : {}) }))));
  const sink = opts.eventSink;
  const ledEvents = sink
    ? new JsonEventsRenderer((e) => sink({ type: 'leds', time: audioSeconds(e.at), ...(e.pattern ? { pattern: e.pattern } : {}), leds: e.leds }), {
        minIntervalMs: opts.ledEventIntervalMs ?? 250,
        clock,
      })
    : undefined;
  if (ledEvents) renderers.push(ledEvents);

  // The link exists before the Device (which takes it); its reboot hook ends this run.
  const runAbort = new AbortController();
  let rebootRequested = false;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const link = opts.cloud
    ? openCloudLink(opts.cloud, dataDir, spotter.engine.keywords, async () => {
        rebootRequested = true;
        runAbort.abort();
        await closed; // the job is reported by the link of the next session
      })
    : undefined;

  const speaker = await opening(() => openSpeaker(opts.speaker));
  const device = await opening(() => new Device({
    model,
    clock,
    dataDir,
    engine: spotter.engine,
    ...(vadModel ? { vad: new SileroVad(vadModel) } : {}),
    channelPolicy: opts.channel,
    maxStreamSamples: Math.round(opts.maxStream * SAMPLE_RATE),
    offline: opts.offline && !link,
    ...(link ? { link } : {}),
    leds: renderers,
    speaker,
    ...(opts.maxVolume === undefined ? {} : { maxVolumeLimit: opts.maxVolume }),
    ...(opts.setupModeDisabled ? { setupModeDisabled: true } : {}),
  }));

  return {
    device,
    model,
    clock,
    source,
    dataDir,
    link,
    get rebootRequested() {
      return rebootRequested;
    },
    async run(signal?: AbortSignal): Promise<RunSummary> {
      if (signal?.aborted) runAbort.abort();
      signal?.addEventListener('abort', () => runAbort.abort(), { once: true });
      if (link && opts.cloud) {
        await link.attach(device);
        await waitForCloud(link, opts.cloud.syncWaitMs ?? 15_000);
      } else {
        await device.boot();
      }
      for (const d of drivers) d.start((e) => device.buttonEdge(e));
      return runDevice(device, source, {
        clock,
        signal: runAbort.signal,
        settleMs: opts.settle * 1000,
        busy: () => (script?.remaining ?? 0) > 0,
        realTime: !opts.fast,
      });
    },
    async finishEvents(): Promise<void> {
      await ledEvents?.close();
    },
    async close(): Promise<void> {
      await ledEvents?.close();
      for (const d of drivers) await d.close();
      await link?.close();
      await device.stop();
      markClosed();
      for (const c of cleanups.reverse()) await c();
    },
  };
}

/** The device's cloud link, on the system clock, accepting the wake words the loaded spotter has. */
function openCloudLink(cloud: CloudConnection, dataDir: string, keywords: readonly string[], reboot: () => Promise<void>): DeviceCloudLink {
  const supported = keywords.map((k) => k.toUpperCase()).filter((k) => (WAKE_WORDS as readonly string[]).includes(k));
  return new DeviceCloudLink({
    url: cloud.url,
    deviceId: cloud.deviceId,
    secret: cloud.secret,
    ...(cloud.tls ? { tls: cloud.tls } : {}),
    clock: new SystemClock(),
    dataDir,
    supportedWakeWords: supported,
    reboot,
  });
}

/**
 * Waits for the first connection and then (at most `syncWaitMs`) for the first shadow sync. The first
 * failed attempt ends the wait with its error (MQTT_NOT_AUTHORIZED for a wrong secret,
 * MQTT_CONNECT_FAILED for a broker that is not there): at the command line, saying so beats a device
 * retrying silently.
 */
async function waitForCloud(link: DeviceCloudLink, syncWaitMs: number): Promise<void> {
  if (!link.connected) {
    await new Promise<void>((resolve, reject) => {
      const onConnection = (c: { to: string; error?: EchosimError }): void => {
        if (c.to !== 'CONNECTED' && c.to !== 'BACKOFF' && c.to !== 'CLOSED') return;
        link.off('connection', onConnection);
        if (c.to === 'CONNECTED') resolve();
        else reject(c.error ?? link.lastError ?? new EchosimError('MQTT_CONNECT_FAILED', 'the cloud link closed before it connected'));
      };
      link.on('connection', onConnection);
    });
  }
  const clock = new SystemClock();
  let timer: ReturnType<SystemClock['setTimeout']> | undefined;
  await Promise.race([link.whenSynced(), new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, syncWaitMs)))]);
  if (timer) clock.clearTimeout(timer);
}

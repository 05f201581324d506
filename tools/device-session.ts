import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceCloudLink } from '../cloud-link/device/link/device-cloud-link.js';
import type { ClientTlsOptions } from '../cloud-link/tls/client-tls.js';
import { WAKE_WORDS } from '../cloud-link/protocol/room-profile.js';
import type { Device } from '../firmware/device/device.js';
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
import { preflightGpio } from './doctor/preflight.js';
import { runLocalCommand } from '../firmware/features/local-command-runner.js';
import { AnswerHold } from './runtime/answer-hold.js';
import { parseDeviceScript, readDeviceScript } from './script/device-script.js';
import { ScriptedCommands } from './script/scripted-commands.js';
import { DeviceRuntime, type RuntimeLinkOptions } from './runtime/device-runtime.js';
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
  /** A device script (tools/script/device-script.ts), or `@FILE`: button presses and local commands at device times. */
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
  /** The script's local commands, when it has any (their outcomes are `done` events). */
  commands: ScriptedCommands | undefined;
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
 * With `cloud`, the device gets a DeviceCloudLink, and a room profile's WakeWord replaces the words
 * given with `keyword`/`modelFiles` (the spotter switches; Porcupine runs its own words only). The link runs on the system clock, not the audio's:
 * the network, its timeouts and backoff are real time whatever pace the audio plays at. The parts
 * opened from the options are composed, brought up and torn down by a DeviceRuntime
 * (runtime/device-runtime.ts): `run()` starts it (the link follows the device, the device boots, the
 * profile on flash is re-applied, the link connects), waits for the
 * first connection (a refused or unreachable broker, or one that fails TLS verification, ends the run
 * with the connection's error and its hint) and for the first shadow sync, then starts the audio, so the room profile is in force from
 * the first sample. A reboot job aborts the run and sets `rebootRequested`; the link reports the job
 * from the next session on the same flash.
 */
export async function openDeviceSession(opts: DeviceSessionOptions): Promise<DeviceSession> {
  const model = deviceModel(opts.model);
  const clock = new VirtualClock(0, Date.now());
  // Bad input (a script, a GPIO map) is refused before anything is opened or made on disk.
  const scriptText = opts.script ? readDeviceScript(opts.script) : undefined;
  const deviceScript = scriptText ? parseDeviceScript(scriptText.text, model.buttons, scriptText.source) : undefined;
  const { drivers, script, gpio: gpioButtons } = openButtons(opts.buttons, {
    buttons: model.buttons,
    clock,
    ...(deviceScript ? { script: deviceScript.presses } : {}),
    ...(opts.gpio ? { gpio: opts.gpio } : {}),
  });
  // GPIO pieces that cannot work stop the start, saying what `echosim doctor` says about them.
  await preflightGpio(opts);

  // The link's reboot hook ends this run.
  const runAbort = new AbortController();
  // Buttons that stop working (gpiomon exits: the line taken, permissions) end the run with why.
  let hardwareError: EchosimError | undefined;
  gpioButtons?.on('error', (err) => {
    hardwareError ??= err;
    runAbort.abort();
  });
  let rebootRequested = false;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let source: MicSource = typeof opts.mic === 'string' ? openMic(opts.mic, { fast: opts.fast, ...(opts.channels ? { channels: opts.channels } : {}) }) : opts.mic;
  if (opts.talkerAngle !== undefined) source = new SpatialSource(source, model.micPositions, opts.talkerAngle, { noiseRms: 30, seed: 1 });
  const mic = source;
  const dataDir = opts.data ?? mkdtempSync(path.join(os.tmpdir(), `echosim-${model.id}-`));
  let ledEvents: JsonEventsRenderer | undefined;

  // A step that fails (a model, an LED bus, a speaker that cannot open) undoes what was opened before it.
  const runtime = await DeviceRuntime.compose(async (parts) => {
    if (!opts.data) parts.own(() => rmSync(dataDir, { recursive: true, force: true }));
    parts.own(() => mic.close());
    const spotter = await parts.open(() => loadSpotter(opts), (s) => s.dispose());
    const vadModel = opts.vad ? await parts.open(() => SileroVadModel.load(opts.modelDir ? { modelDir: opts.modelDir } : {}), (m) => m.dispose()) : undefined;

    const renderers: LedRenderer[] = [];
    if (opts.leds !== 'events') {
      const closeAll = (rs: LedRenderer[]): Promise<unknown> => Promise.all(rs.map((r) => r.close().catch(() => undefined)));
      renderers.push(...(await parts.lend(() => openLeds(opts.leds, { ledCount: model.leds.count, clock, ...(opts.screen ? { screen: opts.screen } : {}) }), closeAll)));
    }
    const sink = opts.eventSink;
    ledEvents = sink
      ? new JsonEventsRenderer((e) => sink({ type: 'leds', time: audioSeconds(e.at), ...(e.pattern ? { pattern: e.pattern } : {}), leds: e.leds }), {
          minIntervalMs: opts.ledEventIntervalMs ?? 250,
          clock,
        })
      : undefined;
    if (ledEvents) renderers.push(ledEvents);
    const speaker = await parts.lend(() => openSpeaker(opts.speaker), (d) => d.close());

    // An engine that cannot switch words (Porcupine) runs its own; openWakeWord follows the room profile.
    const fixedWords = spotter.openWakeWord ? undefined : spotter.engine.keywords;
    const link = opts.cloud
      ? cloudLinkOptions(opts.cloud, fixedWords, async () => {
          rebootRequested = true;
          runAbort.abort();
          await closed; // the job is reported by the link of the next session
        })
      : undefined;
    return {
      device: {
        model,
        clock,
        dataDir,
        engine: spotter.engine,
        ...(spotter.openWakeWord ? { wakeWords: spotter.registry } : {}),
        ...(vadModel ? { vad: new SileroVad(vadModel) } : {}),
        channelPolicy: opts.channel,
        maxStreamSamples: Math.round(opts.maxStream * SAMPLE_RATE),
        offline: opts.offline && !link,
        leds: renderers,
        speaker,
        ...(opts.maxVolume === undefined ? {} : { maxVolumeLimit: opts.maxVolume }),
        ...(opts.setupModeDisabled ? { setupModeDisabled: true } : {}),
      },
      ...(link ? { link } : {}),
      buttons: drivers,
    };
  });
  // Released first after the device stops: a reboot hook waiting on this session may go on.
  runtime.own(() => markClosed());
  const { device, link } = runtime;
  // The script's local commands run as the cloud's local-command jobs do, on device time.
  const commands = deviceScript && deviceScript.commands.length > 0 ? new ScriptedCommands(deviceScript.commands, clock, (c) => runLocalCommand(device, c)) : undefined;

  return {
    device,
    model,
    clock,
    source: mic,
    dataDir,
    link,
    commands,
    get rebootRequested() {
      return rebootRequested;
    },
    async run(signal?: AbortSignal): Promise<RunSummary> {
      if (signal?.aborted) runAbort.abort();
      signal?.addEventListener('abort', () => runAbort.abort(), { once: true });
      const cloud = opts.cloud;
      await runtime.start(link && cloud ? { ready: () => waitForCloud(link, cloud.syncWaitMs ?? 15_000) } : {});
      commands?.start();
      // As fast as possible, device time waits for the cloud's answer as a real device's wall clock would not need to.
      const hold = opts.fast && link ? new AnswerHold({ device, link }) : undefined;
      const waitFor = async (): Promise<void> => {
        await commands?.idle();
        await hold?.beforeStep();
      };
      try {
        const summary = await runDevice(device, mic, {
          clock,
          signal: runAbort.signal,
          settleMs: opts.settle * 1000,
          busy: () => (script?.remaining ?? 0) > 0 || (commands?.remaining ?? 0) > 0,
          ...(commands || hold ? { waitFor } : {}),
          realTime: !opts.fast,
        });
        if (hardwareError) throw hardwareError;
        return summary;
      } finally {
        hold?.close();
      }
    },
    async finishEvents(): Promise<void> {
      await ledEvents?.close();
    },
    async close(): Promise<void> {
      await commands?.close();
      await ledEvents?.close();
      await runtime.stop();
    },
  };
}

/**
 * The device's cloud link, on the system clock. A spotter that can switch words accepts every
 * WakeWord its registry covers; one with `fixedKeywords` only the WakeWords among them.
 */
function cloudLinkOptions(cloud: CloudConnection, fixedKeywords: readonly string[] | undefined, reboot: () => Promise<void>): RuntimeLinkOptions {
  const supported = fixedKeywords?.map((k) => k.toUpperCase()).filter((k) => (WAKE_WORDS as readonly string[]).includes(k));
  return {
    url: cloud.url,
    deviceId: cloud.deviceId,
    secret: cloud.secret,
    ...(cloud.tls ? { tls: cloud.tls } : {}),
    clock: new SystemClock(),
    ...(supported ? { supportedWakeWords: supported } : {}),
    reboot,
  };
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

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { DeviceCloudLink, DeviceCloudLinkEvents } from '../../cloud-link/device/link/device-cloud-link.js';
import { checkBrokerUrl } from '../../cloud-link/mqtt/mqtt-errors.js';
import { isValidDeviceId } from '../../cloud-link/protocol/topics.js';
import { readCaFile } from '../../cloud-link/tls/client-tls.js';
import { loadDeviceModels } from '../../firmware/device-model.js';
import type { Clock } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { TerminalScreen } from '../../hal/leds/terminal-screen.js';
import { attachFeaturesEvent, attachJsonEvents, audioSeconds } from '../device-events.js';
import { BUTTON_DRIVER_KINDS } from '../../hal/buttons/open.js';
import { LED_RENDERER_KINDS } from '../../hal/leds/open.js';
import { openDeviceSession, type ButtonsKind, type CloudConnection, type DeviceSessionOptions, type LedsKind } from '../device-session.js';
import { parseNonNegative, parsePositive, printJsonLine } from '../options.js';
import { addSpotterOptions, MODEL_FILE_HELP } from '../spotter-options.js';
import { DEVICE_CONFIG } from '../config/device-config-kind.js';
import { addConfigOption } from '../config/config-option.js';
import { DeviceWeb } from '../web/device-web.js';
import type { ListenAddress } from '../web/listen-address.js';
import { parseWebOption, WEB_OPTION_HELP, webMicrophone } from '../web/web-option.js';
import { MIC_SPEC_HELP } from './listen.js';
import type { CommandOutcome } from '../script/scripted-commands.js';

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of: ${allowed.join(', ')}`);
  };
}

/** `--model`: a device model id, or a wake-word head FILE.onnx (both may be given). */
function deviceModelOrHead(models: readonly string[]): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    if (!value.toLowerCase().endsWith('.onnx') && !models.includes(value)) {
      throw new InvalidArgumentError(`expected a device model (${models.join(', ')}) or a wake-word head FILE.onnx`);
    }
    return [...(previous ?? []), value];
  };
}

/** Splits `--model` values into the device model (default echo-dot-3) and the wake-word head files. */
export function splitModelOption(values: readonly string[] | undefined): { model: string; modelFiles: string[] } {
  const files = (values ?? []).filter((v) => v.toLowerCase().endsWith('.onnx'));
  const ids = (values ?? []).filter((v) => !v.toLowerCase().endsWith('.onnx'));
  if (ids.length > 1) throw usage(`one device model, not ${ids.join(' and ')}`, 'Give --model once with a device model id (FILE.onnx values are wake-word heads).');
  return { model: ids[0] ?? 'echo-dot-3', modelFiles: files };
}

function parseAngle(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected an angle in degrees, e.g. 90');
  return ((n % 360) + 360) % 360;
}

function parseVolumeLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10) throw new InvalidArgumentError('expected a whole number from 1 to 10 (MaxVolumeLimit)');
  return n;
}

interface DeviceCliOptions extends Omit<DeviceSessionOptions, 'eventSink' | 'leds' | 'buttons' | 'cloud' | 'offline' | 'model'> {
  /** A device model id and/or wake-word heads (FILE.onnx). */
  model?: string[];
  leds?: LedsKind;
  buttons?: ButtonsKind;
  events?: 'jsonl';
  offline?: boolean;
  cloud?: string;
  deviceId?: string;
  secret?: string;
  secretFile?: string;
  ca?: string;
  web?: ListenAddress;
}

export const DEVICE_SECRET_ENV = 'ECHOSIM_DEVICE_SECRET';

function usage(message: string, hint: string): EchosimError {
  return new EchosimError('CLI_ARGUMENT_INVALID', message, { hint });
}

/**
 * The cloud to connect to, from --cloud, --device-id and one secret source: --secret, --secret-file
 * or $ECHOSIM_DEVICE_SECRET (prefer the file or the variable: a command line shows in `ps`).
 */
export function cloudConnection(opts: Pick<DeviceCliOptions, 'cloud' | 'deviceId' | 'secret' | 'secretFile' | 'ca'>, env: NodeJS.ProcessEnv = process.env): CloudConnection | undefined {
  if (opts.cloud === undefined) {
    if (opts.deviceId !== undefined || opts.secret !== undefined || opts.secretFile !== undefined || opts.ca !== undefined) {
      throw usage('--device-id, --secret, --secret-file and --ca only go with --cloud', 'Add --cloud mqtt://HOST:PORT (mqtts:// with --ca), or leave them out.');
    }
    return undefined;
  }
  if (opts.deviceId === undefined) throw usage('--cloud needs --device-id', 'Give the serial number the device was registered with (a4b RegisterDevice).');
  if (!isValidDeviceId(opts.deviceId)) {
    throw usage(`"${opts.deviceId}" is not a device id`, 'A device id is 1-64 characters of A-Z a-z 0-9 _ - (and not "echosim-cloud").');
  }
  if (opts.secret !== undefined && opts.secretFile !== undefined) throw usage('give the secret once: --secret or --secret-file', 'Use one of them.');
  let secret = opts.secret;
  if (opts.secretFile !== undefined) {
    try {
      secret = readFileSync(opts.secretFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw usage(`cannot read the secret file ${opts.secretFile}: ${(err as Error).message}`, 'Give a readable file holding the device secret (mode 0600).');
    }
  }
  secret ??= env[DEVICE_SECRET_ENV];
  if (secret === undefined || secret === '') {
    throw usage('--cloud needs the device secret', `Pass --secret-file FILE or set ${DEVICE_SECRET_ENV} (or --secret S); the cloud shows it once, at registration.`);
  }
  // The CA is read and the URL checked against it now, before anything is opened.
  const tls = opts.ca === undefined ? undefined : readCaFile(opts.ca);
  checkBrokerUrl(opts.cloud, tls);
  return { url: opts.cloud, deviceId: opts.deviceId, secret, ...(tls ? { tls } : {}) };
}

/** The link's events as JSON lines, stamped with device (audio) time. Returns the detacher. */
function attachCloudEvents(link: DeviceCloudLink, clock: Clock, sink: (e: Record<string, unknown>) => void): () => void {
  const time = (): number => audioSeconds(clock.now());
  const listeners: Partial<{ [K in keyof DeviceCloudLinkEvents]: (...args: DeviceCloudLinkEvents[K]) => void }> = {
    connection: (c) =>
      sink({ type: 'cloud', time: time(), state: c.to, ...(c.error ? { code: c.error.code, message: c.error.message } : {}), ...(c.delayMs === undefined ? {} : { delayMs: c.delayMs }) }),
    'profile-applied': (p) => sink({ type: 'profile-applied', time: time(), version: p.version, boot: p.boot }),
    'profile-rejected': (r) => sink({ type: 'profile-rejected', time: time(), version: r.version, code: r.code, reason: r.reason }),
    reported: (r) => sink({ type: 'reported', time: time(), ...r }),
    job: (j) => sink({ type: 'job', time: time(), ...j }),
  };
  const names = Object.keys(listeners) as Array<keyof DeviceCloudLinkEvents>;
  for (const name of names) link.on(name, listeners[name] as never);
  return () => {
    for (const name of names) link.off(name, listeners[name] as never);
  };
}

/** A scripted local command's outcome as a JSON line, at the device time it ran. */
function commandEvent(o: CommandOutcome): Record<string, unknown> {
  const head = { type: 'command', time: audioSeconds(o.at), line: o.command.line, action: o.command.command.Action };
  if (!o.error) return { ...head, ok: true, result: o.result };
  return { ...head, ok: false, ...(o.error instanceof EchosimError ? { code: o.error.code } : {}), message: o.error.message };
}

const SCRIPT_HELP =
  'a device script (or @FILE): entries SECONDS:BUTTON[:HOLD] and SECONDS:{local command JSON}, one a line or comma-separated, ' +
  'e.g. \'1:{"Action":"START_TIMER","DurationSeconds":10},1.5:mic-off,12:action:2\' (README "Device scripts")';

export function registerDevice(program: Command): void {
  const models = [...loadDeviceModels().keys()];
  const cmd = program
    .command('device')
    .description('run one Echo/Trio-class device: states, light ring, buttons, mic-off, speaker and local features')
    .option('--model <id|file.onnx...>', `device model: ${models.join(', ')} (default echo-dot-3); and/or ${MODEL_FILE_HELP}`, deviceModelOrHead(models))
    .option('--mic <spec>', `${MIC_SPEC_HELP} (required, here or as microphone.source in --config)`)
    .option('--channels <n>', 'channels of the array for alsa, stdin and synthetic sources', parsePositive)
    .option('--talker-angle <deg>', "simulate a talker at this azimuth around the model's microphones (mono input)", parseAngle)
    .option('--leds <kind>', 'light ring: terminal (ANSI ring), events (JSON lines), apa102 (SPI on a Raspberry Pi), none', choice(LED_RENDERER_KINDS))
    .option('--buttons <kind>', 'buttons: keyboard (m mic-off, a action, + and - volume), gpio, none', choice(BUTTON_DRIVER_KINDS))
    .option('--gpio <map>', 'GPIO lines for --buttons gpio, e.g. "17:action,27:mic-off"')
    .option('--script <script>', SCRIPT_HELP)
    .option('--offline', 'run without a cloud: spot, stream to nowhere, show states')
    .addOption(new Option('--cloud <url>', "run with the cloud: its MQTT broker, e.g. mqtt://127.0.0.1:1883 or mqtts://HOST:8883 (profiles, jobs, telemetry, utterances)").conflicts('offline'))
    .option('--ca <file>', "with an mqtts:// --cloud: the CA to verify the broker with (the cloud's <data dir>/tls/ca.pem; default Node's public CAs)")
    .option('--device-id <id>', 'with --cloud: the id (serial number) the device is registered with')
    .option('--secret <secret>', `with --cloud: the device secret (visible in ps: prefer --secret-file or $${DEVICE_SECRET_ENV})`)
    .option('--secret-file <file>', 'with --cloud: a file holding the device secret')
    .option('--data <dir>', "the device's flash (settings, timers, lists...); default a temporary one removed at exit")
    .option('--events <format>', 'print events as JSON lines on stdout: jsonl', choice(['jsonl'] as const))
    .option('--web <[host:]port>', WEB_OPTION_HELP, parseWebOption)
    .option('--speaker <driver>', 'speaker: alsa[:DEVICE] (aplay), wav:FILE (a timeline of everything played), none', 'none')
    .option('--max-volume <n>', 'MaxVolumeLimit from the room profile, 1..10', parseVolumeLimit)
    .option('--setup-mode-disabled', 'SetupModeDisabled: holding action does not enter setup')
    .option('--fast', 'read files as fast as possible (device time still follows the audio)')
    .option('--max-stream <seconds>', 'longest stream before the device closes it', parsePositive, 8)
    .option('--no-vad', 'do not end streams at end of speech (only at the maximum length)')
    .option('--settle <seconds>', 'after the audio ends, let the device finish (e.g. THINKING time out) for at most this long', parseNonNegative, 30);
  addSpotterOptions(cmd, { modelFlag: false });
  addConfigOption(cmd, DEVICE_CONFIG, 'read the settings from this JSON file (docs/raspberry-pi.md); flags given here win over it').action(
    async (opts: DeviceCliOptions & { mic?: string; config?: string }) => {
      const { mic, config: _config, ...rest } = opts;
      if (mic === undefined) throw usage('no microphone: give --mic SPEC or microphone.source in the --config file', MIC_SPEC_HELP);
      await runDeviceCommand({ ...rest, mic });
    },
  );
}

async function runDeviceCommand(opts: DeviceCliOptions): Promise<void> {
  const cloud = cloudConnection(opts);
  const split = splitModelOption(opts.model);
  const chosen = { model: split.model, ...(split.modelFiles.length > 0 ? { modelFiles: [...(opts.modelFiles ?? []), ...split.modelFiles] } : {}) };
  const jsonl = opts.events === 'jsonl' || opts.leds === 'events';
  const interactive = process.stderr.isTTY === true && !jsonl;
  const leds: LedsKind = opts.leds ?? (interactive ? 'terminal' : 'none');
  const buttons: ButtonsKind = opts.buttons ?? (process.stdin.isTTY === true && opts.mic !== 'stdin' && !opts.script ? 'keyboard' : 'none');
  // With a cloud the flash must outlive a reboot job's restart, so a temporary one is made here.
  const tempData = opts.data === undefined && cloud ? mkdtempSync(path.join(os.tmpdir(), 'echosim-device-')) : undefined;
  const data = opts.data ?? tempData;
  // The ring and the messages below share stderr: the messages scroll above the ring, which is
  // redrawn in place (and so do JSON lines when stdout is the same terminal).
  const screen = new TerminalScreen(process.stderr, { live: leds === 'terminal' && process.stderr.isTTY === true });
  const say = (line: string): void => screen.print(line);
  const printEvent = screen.live && process.stdout.isTTY === true ? (e: Record<string, unknown>) => screen.print(JSON.stringify(e)) : printJsonLine;
  if (!opts.offline && !cloud && !jsonl) {
    say('echosim device: no cloud is configured, so the device enters setup mode (orange). Add --offline to run it standalone, or --cloud URL.');
  }
  if (cloud) say(`echosim device: connecting to ${cloud.url} as ${cloud.deviceId}`);
  if (buttons === 'keyboard') say('keys: m mic-off, a action (push-to-talk), + / - volume, q quit');
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  // The page's server outlives a reboot; it starts once the first session has opened, so bad input
  // the session refuses (a script, a GPIO map) is refused before the port is bound.
  let web: DeviceWeb | undefined;
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // One pass per boot: a reboot job ends a pass, and the device boots again on the same flash
    // (the microphone source is opened again: a WAV plays from its start, as after a power cycle, and
    // --script plays again with it, since its times are on that audio: its local commands run again).
    for (;;) {
      const { cloud: _url, deviceId: _id, secret: _secret, secretFile: _file, ca: _ca, model: _model, web: _web, ...common } = opts;
      const mic = opts.web ? webMicrophone(opts.mic, { fast: opts.fast, ...(opts.channels ? { channels: opts.channels } : {}) }) : undefined;
      const session = await openDeviceSession({
        ...common,
        ...chosen,
        ...(mic ? { mic } : {}),
        offline: opts.offline === true,
        ...(data === undefined ? {} : { data }),
        ...(cloud ? { cloud } : {}),
        leds,
        screen,
        buttons,
        ...(jsonl ? { eventSink: printEvent } : {}),
      });
      const detach = opts.events === 'jsonl' ? attachJsonEvents(session.device, printEvent) : undefined;
      const detachFeatures = opts.events === 'jsonl' ? attachFeaturesEvent(session.device, printEvent) : undefined;
      const detachCloud = jsonl && session.link ? attachCloudEvents(session.link, session.clock, printEvent) : undefined;
      const onCommand = (o: CommandOutcome): void => {
        if (opts.events === 'jsonl') printEvent(commandEvent(o));
        else if (o.error) say(`echosim device: script line ${o.command.line} (${o.command.command.Action}) was refused: ${o.error.message}`);
      };
      session.commands?.on('done', onCommand);
      const link = session.link;
      const onConnected = (c: { to: string }): void => {
        if (c.to === 'CONNECTED' && cloud) say(`echosim device: connected to ${cloud.url} as ${cloud.deviceId}`);
      };
      link?.on('connection', onConnected);
      let rebooting = false;
      let detachWeb: (() => void) | undefined;
      try {
        if (opts.web) {
          if (!web) {
            web = await DeviceWeb.start(opts.web);
            say(`echosim device: the device page is at ${web.url}`);
          }
          detachWeb = web.attach(session.device, mic);
        }
        const summary = await session.run(abort.signal);
        await session.finishEvents();
        rebooting = session.rebootRequested && !abort.signal.aborted;
        if (opts.events === 'jsonl') {
          printEvent(
            rebooting
              ? { type: 'reboot', time: Math.round(summary.finishedAt) / 1000 }
              : { type: 'end', time: Math.round(summary.finishedAt) / 1000, state: summary.finalState, samples: summary.samples, endedBy: summary.endedBy, falseWakes: session.device.falseWakes },
          );
        }
      } finally {
        detach?.();
        detachFeatures?.();
        detachWeb?.();
        detachCloud?.();
        session.commands?.off('done', onCommand);
        link?.off('connection', onConnected);
        await session.close();
      }
      if (!rebooting) break;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await web?.close();
    screen.close(); // the ring stays on the screen as the device left it
    if (tempData) rmSync(tempData, { recursive: true, force: true });
  }
}

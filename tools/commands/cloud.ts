import { InvalidArgumentError, type Command } from 'commander';
import { hostname } from 'node:os';
import path from 'node:path';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTTS_PORT, type CloudOptions } from '../../cloud-link/cloud/cloud-options.js';
import { HOME_ASSISTANT_USERNAME } from '../../cloud-link/protocol/topics.js';
import type { CloudEvents } from '../../cloud-link/cloud/mqtt/cloud-events.js';
import { DEFAULT_API_PORT } from '../../cloud-link/cloud/http/api-server.js';
import { EchosimError } from '../../core/errors.js';
import { DEFAULT_ENDPOINT, defaultCloudDataDir } from '../a4b-client.js';
import { printJsonLine } from '../options.js';
import { CLOUD_CONFIG } from '../config/cloud-config-kind.js';
import { addConfigOption } from '../config/config-option.js';
import { CloudWeb } from '../web/cloud-web.js';
import type { ListenAddress } from '../web/listen-address.js';
import { parseWebOption } from '../web/web-option.js';
import { addCloudTlsOptions, brokerTls, cloudTlsConfig, initTls, type CloudTlsCliOptions } from './cloud-tls-options.js';

interface CloudCliOptions extends CloudTlsCliOptions {
  data?: string;
  broker?: string;
  mqttHost: string;
  mqttPort?: number;
  httpHost: string;
  httpPort: number;
  api: boolean;
  mosquittoAuth?: string;
  mosquittoPid?: string;
  verify: boolean;
  assistant?: boolean;
  events?: 'jsonl';
  homeAssistant?: boolean;
  web?: ListenAddress;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a TCP port, 0-65535 (0 picks a free one)');
  return n;
}

function parseJsonl(value: string): 'jsonl' {
  if (value !== 'jsonl') throw new InvalidArgumentError('expected: jsonl');
  return value;
}

export function registerCloud(program: Command): void {
  const cmd = program
    .command('cloud')
    .description('run the minimal cloud: device registry and profiles (SQLite), the Alexa for Business style HTTP API, an MQTT broker, wake-word verification and recordings')
    .option('--data <dir>', `the cloud's data directory (database, secret key, admin token, recordings); default ${defaultCloudDataDir()}`)
    .option('--broker <url>', 'use this external MQTT broker (e.g. mqtt://127.0.0.1:1883) instead of the embedded one; it must accept user echosim-cloud with the admin token')
    .option('--mqtt-host <host>', 'interface of the embedded broker', '127.0.0.1')
    .option('--mqtt-port <port>', `port of the embedded broker (0: a free one); default ${DEFAULT_MQTT_PORT}, ${DEFAULT_MQTTS_PORT} with TLS`, parsePort)
    .option('--http-host <host>', 'interface of the HTTP API', '127.0.0.1')
    .option('--http-port <port>', 'port of the HTTP API (0: a free one)', parsePort, DEFAULT_API_PORT)
    .option('--no-api', 'do not serve the HTTP API')
    .option('--mosquitto-auth <dir>', "with --broker: write Mosquitto's password and ACL files here (dir/passwd, dir/acl) on every registration")
    .option('--mosquitto-pid <file>', "with --mosquitto-auth: Mosquitto's pid_file, to make it reread them (SIGHUP)")
    .option('--no-verify', 'do not verify wake words in the cloud (no model is loaded)')
    .option('--assistant', "answer requests: the supported commands recognized offline (pocketsphinx), spoken answers (flite), directives, the rooms' calendars")
    .option('--events <format>', 'print cloud events as JSON lines on stdout: jsonl', parseJsonl)
    .option('--home-assistant', 'publish Home Assistant MQTT discovery (homeassistant/device/...) for every registered device')
    .option('--web <[host:]port>', 'serve the cloud page (fleet, rooms, profiles, recordings) on [HOST:]PORT (port alone: 127.0.0.1); it asks for the admin token', parseWebOption);
  addCloudTlsOptions(cmd);
  addConfigOption(cmd, CLOUD_CONFIG, 'read the settings from this JSON file (docs/raspberry-pi.md); flags given here win over it').action(async (opts: CloudCliOptions) => {
    await runCloud(opts);
  });
}

/** Where another machine reaches a listener bound to `url`'s host (a wildcard bind shows this host's name). */
function reachableUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = hostname();
  return u.toString().replace(/\/$/, '');
}

async function runCloud(opts: CloudCliOptions): Promise<void> {
  if ((opts.mosquittoAuth || opts.mosquittoPid) && !opts.broker) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', '--mosquitto-auth and --mosquitto-pid need --broker', {
      hint: 'They configure an external Mosquitto; the embedded broker checks credentials itself.',
    });
  }
  if (opts.mosquittoPid && !opts.mosquittoAuth) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', '--mosquitto-pid needs --mosquitto-auth', { hint: 'Name the directory Mosquitto reads passwd and acl from.' });
  }
  const dir = path.resolve(opts.data ?? defaultCloudDataDir());
  const binds = [...(opts.broker ? [] : [opts.mqttHost]), ...(opts.api ? [opts.httpHost] : [])];
  const tls = cloudTlsConfig(opts, binds, (line) => process.stderr.write(`${line}\n`));
  if (opts.tlsInit) {
    process.stdout.write(await initTls(dir, opts, binds));
    return;
  }
  const externalTls = brokerTls(opts);
  const options: CloudOptions = {
    dir,
    broker: opts.broker
      ? { url: opts.broker, ...(externalTls ? { tls: externalTls } : {}) }
      : { host: opts.mqttHost, port: opts.mqttPort ?? (tls ? DEFAULT_MQTTS_PORT : DEFAULT_MQTT_PORT) },
    ...(tls ? { tls } : {}),
    http: opts.api ? { host: opts.httpHost, port: opts.httpPort } : false,
    ...(opts.mosquittoAuth ? { mosquitto: { authDir: path.resolve(opts.mosquittoAuth), ...(opts.mosquittoPid ? { pidFile: path.resolve(opts.mosquittoPid) } : {}) } } : {}),
    ...(opts.verify ? {} : { verifier: false as const }),
    ...(opts.homeAssistant ? { homeAssistant: true } : {}),
  };
  const cloud = await Cloud.start(options);
  let web: CloudWeb | undefined;
  try {
    web = opts.web ? await CloudWeb.start(cloud, opts.web) : undefined;
  } catch (err) {
    await cloud.stop();
    throw err;
  }
  // Listening for the signal before saying "ready": whoever reads that line may stop us at once, and a
  // SIGTERM that arrives before the listener would kill the process without stopping the cloud.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const jsonl = opts.events === 'jsonl';
  const detach = jsonl ? printEvents(cloud) : describeEvents(cloud);
  if (jsonl) {
    printJsonLine({
      type: 'ready',
      broker: cloud.brokerUrl,
      ...(cloud.apiUrl ? { api: cloud.apiUrl } : {}),
      data: dir,
      adminTokenFile: cloud.adminTokenFile,
      ...(cloud.homeAssistantPasswordFile ? { homeAssistantPasswordFile: cloud.homeAssistantPasswordFile } : {}),
      ...(cloud.caFile ? { caFile: cloud.caFile } : {}),
      ...(web ? { web: web.url } : {}),
    });
  } else {
    const apiUrl = cloud.apiUrl ? reachableUrl(cloud.apiUrl) : undefined;
    // The CA a device verifies the broker with: the cloud's own, or the external broker's (--broker-ca).
    const caFile = opts.broker ? opts.brokerCa && path.resolve(opts.brokerCa) : cloud.caFile;
    const ca = caFile ? ` --ca ${caFile}` : '';
    process.stdout.write(
      [
        `echosim cloud is running (data in ${dir})`,
        `  MQTT broker:  ${cloud.brokerUrl}${opts.broker ? ' (external)' : ' (embedded)'}`,
        ...(cloud.apiUrl ? [`  HTTP API:     ${cloud.apiUrl}  (admin token in ${cloud.adminTokenFile})`] : []),
        ...(cloud.homeAssistantPasswordFile
          ? [`  Home Assistant: MQTT user ${HOME_ASSISTANT_USERNAME}, password in ${cloud.homeAssistantPasswordFile}`]
          : []),
        ...(cloud.caFile ? [`  TLS:          clients verify the cloud with the CA certificate ${cloud.caFile}`] : []),
        ...(web ? [`  Cloud page:   ${web.url}  (log in with the admin token)`] : []),
        '  Register a device (its secret is shown once):',
        `    echosim a4b register-device --device-serial-number my-echo-1 --device-type echo-dot-3 --device-name "My Echo"${
          opts.data ? ` --data-dir ${dir}` : ''
        }${apiUrl && apiUrl !== DEFAULT_ENDPOINT.replace(/\/$/, '') ? ` --endpoint-url ${apiUrl}` : ''}`,
        `  then run it:  echosim device --mic <spec> --cloud ${reachableUrl(cloud.brokerUrl)}${ca} --device-id my-echo-1 --secret <secret>`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
  }
  await stopRequested;
  detach();
  await web?.close();
  await cloud.stop();
  if (!jsonl) process.stdout.write('echosim cloud stopped\n');
}

type Detach = () => void;

function listen(cloud: Cloud, handle: <K extends keyof CloudEvents>(name: K, payload: CloudEvents[K][0]) => void): Detach {
  const names: Array<keyof CloudEvents> = [
    'presence', 'profile-applied', 'profile-rejected', 'job-updated', 'verdict', 'utterance', 'utterance-refused', 'shadow-rejected', 'telemetry', 'booking-released',
  ];
  const listeners = names.map((name) => {
    const l = (payload: unknown): void => handle(name, payload as never);
    const events = cloud.events as unknown as { on(n: string, f: typeof l): void; off(n: string, f: typeof l): void };
    events.on(name, l);
    return () => events.off(name, l);
  });
  return () => listeners.forEach((off) => off());
}

/** Every event as one JSON line (type = event name). */
function printEvents(cloud: Cloud): Detach {
  return listen(cloud, (name, payload) => printJsonLine({ type: name, ...(payload as Record<string, unknown>) }));
}

/** A line per event a person running the cloud cares about (telemetry stays in --events jsonl). */
function describeEvents(cloud: Cloud): Detach {
  return listen(cloud, (name, payload) => {
    const p = payload as Record<string, unknown>;
    const line: Partial<Record<keyof CloudEvents, () => string>> = {
      presence: () => `${String(p.deviceId)} is ${String(p.status)}`,
      'profile-applied': () => `${String(p.deviceId)} applied profile version ${String(p.version)}`,
      'profile-rejected': () => `${String(p.deviceId)} refused profile version ${String(p.version)}: ${String(p.code)} ${String(p.reason)}`,
      'job-updated': () => `${String(p.deviceId)} job ${String(p.jobId)} (${String(p.operation)}) ${String(p.status)}`,
      verdict: () => `${String(p.deviceId)} utterance ${String(p.utteranceId)}: wake word ${p.confirmed ? 'confirmed' : 'NOT confirmed'} (score ${Number(p.score).toFixed(2)})`,
      'booking-released': () => `booking ${String(p.bookingId)} released: nobody checked in (room ${String(p.roomId)})`,
      'shadow-rejected': () => `${String(p.deviceId)} ${String(p.kind)} ${String(p.code)}: ${String(p.message)}`,
    };
    const text = line[name]?.();
    if (text) process.stdout.write(`${new Date().toISOString()} ${text}\n`);
  });
}

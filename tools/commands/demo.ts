import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ARN_PREFIX } from '../../cloud-link/cloud/a4b/arn.js';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { DEFAULT_API_PORT } from '../../cloud-link/cloud/http/api-server.js';
import { packageRoot } from '../../hal/package-root.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from '../../hal/private-files.js';
import { defaultCloudDataDir } from '../a4b-client.js';
import { openDeviceSession, type DeviceSession } from '../device-session.js';
import { DEFAULT_SPOTTER_OPTIONS } from '../spotter-options.js';
import { narrate } from './demo-narration.js';

export const DEMO_WAV = 'test/fixtures/demo/alexa-demo.wav';
export const DEMO_PROFILE = 'examples/room-profile.json';
const DEMO_DEVICE = 'demo-echo-1';

interface DemoOptions {
  fast?: boolean;
  stay?: boolean;
  data?: string;
}

/**
 * The main job on its embedded defaults: the cloud (embedded MQTT broker, SQLite, HTTP API) and one
 * simulated echo-dot-3 linked to it, which hears the bundled "Alexa, ..." through the whole pipeline
 * (ring buffer, openWakeWord, pre-roll, Silero end-pointing, streaming, the cloud's verification)
 * with its light ring in the terminal. In a terminal it then stays up, so a profile can be flashed to
 * it from a second terminal.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the cloud and a simulated echo-dot-3 that hears the bundled "Alexa, ..." utterance; then flash profiles to it')
    .option('--fast', 'do not wait for real time')
    .option('--stay', 'keep the cloud and device running after the utterance (default: when stdout is a terminal)')
    .option('--no-stay', 'exit once the utterance has been handled')
    .option('--data <dir>', 'where the cloud and the device keep their data (default: the directory echosim cloud uses, and a devices/ folder next to it)')
    .action(async (opts: DemoOptions) => {
      process.env.ECHOSIM_LOG_LEVEL ??= 'warn'; // the narration is the output; logs only for problems
      await runDemo(opts);
    });
}

async function runDemo(opts: DemoOptions): Promise<void> {
  const out = (line = ''): void => void process.stdout.write(`${line}\n`);
  const interactive = process.stdout.isTTY === true;
  const stay = opts.stay ?? interactive;
  const cloudDir = path.resolve(opts.data ? path.join(opts.data, 'cloud') : defaultCloudDataDir());
  const deviceDir = path.resolve(opts.data ? path.join(opts.data, 'devices', DEMO_DEVICE) : path.join(path.dirname(cloudDir), 'devices', DEMO_DEVICE));
  const cloud = await startCloud(cloudDir, out);
  let session: DeviceSession | undefined;
  try {
    const secret = await deviceSecret(cloud, deviceDir);
    const wav = path.join(packageRoot(), DEMO_WAV);
    out(`echosim: the cloud is up (MQTT ${cloud.brokerUrl}, API ${cloud.apiUrl ?? '-'}, data in ${cloudDir})`);
    out(`         a simulated echo-dot-3 "${DEMO_DEVICE}" connects and hears ${path.relative(process.cwd(), wav) || wav}`);
    out(opts.fast ? '         (as fast as possible)' : '         (in real time; add --fast to skip the waiting)');
    session = await openSession(cloud, secret, deviceDir, `wav:${wav}`, opts.fast === true, interactive);
    const stopNarrating = narrate(session, cloud, out);
    await session.run();
    await session.finishEvents();
    stopNarrating();
    await session.close();
    session = undefined;

    const endpoint = cloud.apiUrl && !cloud.apiUrl.endsWith(`:${DEFAULT_API_PORT}`) ? ` --endpoint-url ${cloud.apiUrl}` : '';
    const dataDir = opts.data ? ` --data-dir ${cloudDir}` : '';
    out();
    out('Flash a room profile to the device from a second terminal:');
    out(`  npx echosim flash --device ${DEMO_DEVICE} --room-profile ${DEMO_PROFILE}${endpoint}${dataDir}`);
    out(`  npx echosim a4b get-device --device-arn ${ARN_PREFIX}device/${DEMO_DEVICE}${endpoint}${dataDir}`);
    if (!stay) {
      out('(run `npx echosim demo` in a terminal to keep the device up while you do; `npx echosim device --help` for more)');
      return;
    }
    // The device stays up on a quiet microphone, applying what the cloud sends, until Ctrl-C.
    session = await openSession(cloud, secret, deviceDir, 'synthetic:silence', false, interactive);
    const stopNarrating2 = narrate(session, cloud, out);
    out('The device is listening to a quiet room. Ctrl-C stops it and the cloud.');
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await session.run(abort.signal);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stopNarrating2();
    }
  } finally {
    await session?.close();
    await cloud.stop();
  }
}

/** The cloud on its default ports, or on free ones when another program holds them. */
async function startCloud(dir: string, out: (line: string) => void): Promise<Cloud> {
  try {
    return await Cloud.start({ dir });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'MQTT_BROKER_FAILED' && code !== 'API_PORT_IN_USE' && !/in use|EADDRINUSE/i.test(String((err as Error).message))) throw err;
    out('echosim: port 1883 or 8700 is taken (another broker or cloud?); using free ports instead');
    return Cloud.start({ dir, broker: { port: 0 }, http: { port: 0 } });
  }
}

/**
 * The demo device's secret: kept on its own flash (as a real device keeps its credentials); it is
 * registered (again) when it has none or the cloud no longer accepts it.
 */
async function deviceSecret(cloud: Cloud, deviceDir: string): Promise<string> {
  const file = path.join(deviceDir, 'cloud-secret');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (await cloud.service.verifyDeviceSecret(DEMO_DEVICE, stored)) return stored;
  }
  const res = (await cloud.call('RegisterDevice', { DeviceSerialNumber: DEMO_DEVICE, DeviceType: 'echo-dot-3', DeviceName: 'echosim demo' })) as { Secret: string };
  ensurePrivateDir(deviceDir);
  tightenFile(file); // before the new secret goes in: a file an older version left readable
  writeFileSync(file, `${res.Secret}\n`, { mode: PRIVATE_FILE_MODE });
  return res.Secret;
}

function openSession(cloud: Cloud, secret: string, deviceDir: string, mic: string, fast: boolean, interactive: boolean): Promise<DeviceSession> {
  return openDeviceSession({
    ...DEFAULT_SPOTTER_OPTIONS,
    model: 'echo-dot-3',
    mic,
    leds: interactive ? 'terminal' : 'none',
    buttons: 'none',
    offline: false,
    data: deviceDir,
    speaker: 'none',
    fast,
    maxStream: 8,
    vad: true,
    settle: 8,
    cloud: { url: cloud.brokerUrl, deviceId: DEMO_DEVICE, secret },
  });
}

import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ARN_PREFIX } from '../../cloud-link/cloud/a4b/arn.js';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { DEFAULT_API_PORT } from '../../cloud-link/cloud/http/api-server.js';
import { TerminalScreen } from '../../hal/leds/terminal-screen.js';
import { openMic } from '../../hal/mic/open.js';
import type { MicSource } from '../../hal/mic/types.js';
import { packageRoot } from '../../core/package-root.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from '../../core/private-files.js';
import { defaultCloudDataDir } from '../a4b-client.js';
import { openDeviceSession, type DeviceSession } from '../device-session.js';
import { DEFAULT_SPOTTER_OPTIONS } from '../spotter-options.js';
import { BrowserMic } from '../web/browser-mic.js';
import { startDemoWeb } from '../web/demo-web.js';
import type { ListenAddress } from '../web/listen-address.js';
import { parseWebOption } from '../web/web-option.js';
import { UtteranceThenQuietRoom } from './demo-microphone.js';
import { commandLines, narrate, narrationTime } from './demo-narration.js';
import { speakerWavFile } from '../../hal/speaker/open.js';

/** What the demo device hears: "Alexa, what time is it?", a request the cloud's assistant answers out loud. */
export const DEMO_WAV = 'test/fixtures/demo/alexa-what-time.wav';
export const DEMO_PROFILE = 'examples/room-profile.json';
const DEMO_DEVICE = 'demo-echo-1';
/** The default speaker: a WAV of everything the device played, in its data folder (written when the demo stops). */
const SPEAKER_WAV = 'speaker.wav';

interface DemoOptions {
  fast?: boolean;
  stay?: boolean;
  data?: string;
  speaker?: string;
  web: ListenAddress | false;
}

/**
 * The main job on its embedded defaults: the cloud (embedded MQTT broker, SQLite, HTTP API, and its
 * assistant) and one simulated echo-dot-3 linked to it, which hears the bundled "Alexa, what time is
 * it?" through the whole pipeline (ring buffer, openWakeWord, pre-roll, Silero end-pointing,
 * streaming, the cloud's verification, recognition and spoken answer) with its light ring in the
 * terminal, and plays the answer on its speaker (a WAV file by default, ALSA with `--speaker alsa`).
 * In a terminal it then stays up, so a profile can be flashed to it from a second terminal.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the cloud and a simulated echo-dot-3 that hears the bundled "Alexa, what time is it?" and plays the spoken answer; then flash profiles to it')
    .option('--fast', 'do not wait for real time')
    .option('--stay', 'keep the cloud and device running after the utterance (default: when stdout is a terminal)')
    .option('--no-stay', 'exit once the utterance has been handled')
    .option('--data <dir>', 'where the cloud and the device keep their data (default: the directory echosim cloud uses, and a devices/ folder next to it)')
    .option('--speaker <spec>', "where the device plays its sounds and the answer: wav:FILE, alsa[:DEVICE] or none (default: wav:speaker.wav in the device's data folder)")
    .option('--web <[host:]port>', 'serve the device page here (port alone: 127.0.0.1; a free port when this one is taken)', parseWebOption, { host: '127.0.0.1', port: 8710 })
    .option('--no-web', 'no device page')
    .action(async (opts: DemoOptions) => {
      process.env.ECHOSIM_LOG_LEVEL ??= 'warn'; // the narration is the output; logs only for problems
      await runDemo(opts);
    });
}

async function runDemo(opts: DemoOptions): Promise<void> {
  // One screen for the narration and the ring: lines scroll above the ring, which is redrawn in place
  // (terminal-screen.ts). Not a terminal: plain lines, no ring, no escape codes.
  const screen = new TerminalScreen(process.stdout);
  const out = (...lines: string[]): void => screen.print(...(lines.length ? lines : ['']));
  const stay = opts.stay ?? screen.live;
  const cloudDir = path.resolve(opts.data ? path.join(opts.data, 'cloud') : defaultCloudDataDir());
  const deviceDir = path.resolve(opts.data ? path.join(opts.data, 'devices', DEMO_DEVICE) : path.join(path.dirname(cloudDir), 'devices', DEMO_DEVICE));
  const speaker = opts.speaker ?? `wav:${path.join(deviceDir, SPEAKER_WAV)}`;
  const abort = new AbortController();
  let interrupted = false;
  const stop = (): void => {
    interrupted = true;
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let cloud: Cloud | undefined;
  let session: DeviceSession | undefined;
  let web: Awaited<ReturnType<typeof startDemoWeb>> | undefined;
  let detachWeb: (() => void) | undefined;
  try {
    cloud = await startCloud(cloudDir, out);
    web = opts.web ? await startDemoWeb(opts.web, out) : undefined;
    const secret = await deviceSecret(cloud, deviceDir);
    const wav = path.join(packageRoot(), DEMO_WAV);
    out(
      'echosim: the cloud is up',
      `         MQTT broker ${cloud.brokerUrl}, HTTP API ${cloud.apiUrl ?? '-'}`,
      `         its data: ${cloudDir}`,
      `echosim: a simulated echo-dot-3 connects to it as "${DEMO_DEVICE}" and hears`,
      `         ${path.relative(process.cwd(), wav) || wav}`,
      `         its speaker: ${speaker}`,
      opts.fast ? '         (as fast as possible)' : '         (in real time; add --fast to skip the waiting)',
      ...(web ? [`echosim: watch and drive it in a browser: ${web.url}`] : []),
    );
    const utterance = openMic(`wav:${wav}`, { fast: opts.fast === true });
    // Kept up, the same device goes on listening to a quiet room after the utterance (no second boot).
    const mic = stay ? new UtteranceThenQuietRoom(utterance) : utterance;
    // With the page, the browser's microphone (or a dropped WAV) is mixed into the device's.
    const heard = web ? new BrowserMic(mic) : mic;
    const device = await openSession(cloud, secret, deviceDir, heard, speaker, opts.fast === true, screen).catch(async (err: unknown) => {
      await heard.close();
      throw err;
    });
    session = device;
    detachWeb = web?.attach(device.device, heard instanceof BrowserMic ? heard : undefined);
    const stopNarrating = narrate(device, cloud, (line) => out(line));
    try {
      if (mic instanceof UtteranceThenQuietRoom) {
        const up = cloud;
        void stayingUp(device, mic, abort.signal, out, () => flashHelp(up, cloudDir, opts.data !== undefined, screen.size?.columns));
      }
      await device.run(abort.signal);
      await device.finishEvents();
    } finally {
      stopNarrating();
    }
    if (!stay && !abort.signal.aborted) {
      out('', ...flashHelp(cloud, cloudDir, opts.data !== undefined, screen.size?.columns));
      out('(run `npx echosim demo` in a terminal to keep the device up while you do,', ' and `npx echosim device --help` for more)');
    }
  } finally {
    abort.abort(); // ends the wait for the utterance to be handled, if it is still waiting
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    try {
      detachWeb?.();
      await web?.close();
      await session?.close();
      await cloud?.stop();
    } finally {
      screen.close({ clearStatus: true });
    }
  }
  const played = speakerWavFile(speaker);
  if (session && played) out("echosim: what the device's speaker played (the answer included) is in", `         ${played}`);
  if (stay || interrupted) out('echosim: the device and the cloud have stopped', `         their data stays in ${path.dirname(cloudDir)}`);
}

/**
 * Kept up: says when the recording is over (the microphone goes on with a quiet room), then, once
 * the device has settled (idle again, nothing in progress), how to flash a profile to it. Ends
 * quietly when `signal` aborts first.
 */
async function stayingUp(session: DeviceSession, mic: UtteranceThenQuietRoom, signal: AbortSignal, out: (...lines: string[]) => void, help: () => string[]): Promise<void> {
  const aborted = new Promise<false>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
  if (!(await Promise.race([mic.utteranceEnded.then(() => true), aborted]))) return;
  out(`  ${narrationTime(session.clock.now())}  the recording is over; the microphone now hears a quiet room`);
  try {
    while (!session.device.settled) await once(session.device, 'state', { signal });
  } catch {
    return; // aborted
  }
  out('', ...help(), 'The device is listening to a quiet room. Ctrl-C stops it and the cloud.');
}

/** How to flash a profile from a second terminal, each command wrapped to the terminal's width. */
function flashHelp(cloud: Cloud, cloudDir: string, customData: boolean, columns: number | undefined): string[] {
  const extra = [
    ...(cloud.apiUrl && !cloud.apiUrl.endsWith(`:${DEFAULT_API_PORT}`) ? ['--endpoint-url', cloud.apiUrl] : []),
    ...(customData ? ['--data-dir', cloudDir] : []),
  ];
  const flash = ['npx', 'echosim', 'flash', '--device', DEMO_DEVICE, '--room-profile', DEMO_PROFILE, ...extra];
  const get = ['npx', 'echosim', 'a4b', 'get-device', '--device-arn', `${ARN_PREFIX}device/${DEMO_DEVICE}`, ...extra];
  return ['Flash a room profile to the device from a second terminal:', ...commandLines(flash, columns), ...commandLines(get, columns)];
}

/** The cloud on its default ports, or on free ones when another program holds them. */
async function startCloud(dir: string, out: (line: string) => void): Promise<Cloud> {
  try {
    return await Cloud.start({ dir, assistant: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'MQTT_BROKER_FAILED' && code !== 'API_PORT_IN_USE' && !/in use|EADDRINUSE/i.test(String((err as Error).message))) throw err;
    out('echosim: port 1883 or 8700 is taken (another broker or cloud?); using free ports instead');
    return Cloud.start({ dir, assistant: true, broker: { port: 0 }, http: { port: 0 } });
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

function openSession(cloud: Cloud, secret: string, deviceDir: string, mic: MicSource, speaker: string, fast: boolean, screen: TerminalScreen): Promise<DeviceSession> {
  return openDeviceSession({
    ...DEFAULT_SPOTTER_OPTIONS,
    model: 'echo-dot-3',
    mic,
    leds: screen.live ? 'terminal' : 'none',
    screen,
    buttons: 'none',
    offline: false,
    data: deviceDir,
    speaker,
    fast,
    maxStream: 8,
    vad: true,
    settle: 8,
    cloud: { url: cloud.brokerUrl, deviceId: DEMO_DEVICE, secret },
  });
}

import { InvalidArgumentError, type Command } from 'commander';
import { loadDeviceModels } from '../../firmware/device-model.js';
import { attachJsonEvents } from '../device-events.js';
import { openDeviceSession, type ButtonsKind, type DeviceSessionOptions, type LedsKind } from '../device-session.js';
import { parseNonNegative, parsePositive, printJsonLine } from '../options.js';
import { addSpotterOptions } from '../spotter-options.js';
import { MIC_SPEC_HELP } from './listen.js';

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of: ${allowed.join(', ')}`);
  };
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

interface DeviceCliOptions extends Omit<DeviceSessionOptions, 'eventSink' | 'leds' | 'buttons'> {
  leds?: LedsKind;
  buttons?: ButtonsKind;
  events?: 'jsonl';
}

export function registerDevice(program: Command): void {
  const models = [...loadDeviceModels().keys()];
  const cmd = program
    .command('device')
    .description('run one Echo/Trio-class device: states, light ring, buttons, mic-off, speaker and local features')
    .option('--model <id>', `device model: ${models.join(', ')}`, choice(models), 'echo-dot-3')
    .requiredOption('--mic <spec>', MIC_SPEC_HELP)
    .option('--channels <n>', 'channels of the array for alsa, stdin and synthetic sources', parsePositive)
    .option('--talker-angle <deg>', "simulate a talker at this azimuth around the model's microphones (mono input)", parseAngle)
    .option('--leds <kind>', 'light ring: terminal (ANSI ring), events (JSON lines), apa102 (SPI on a Raspberry Pi), none', choice(['terminal', 'events', 'apa102', 'none'] as const))
    .option('--buttons <kind>', 'buttons: keyboard (m mic-off, a action, + and - volume), gpio, none', choice(['keyboard', 'gpio', 'none'] as const))
    .option('--gpio <map>', 'GPIO lines for --buttons gpio, e.g. "17:action,27:mic-off"')
    .option('--script <presses>', 'button presses at audio times, e.g. "1.5:mic-off,4.0:mic-off,6.0:action" (hold: "10:action:8")')
    .option('--offline', 'run without a cloud: spot, stream to nowhere, show states')
    .option('--data <dir>', "the device's flash (settings, timers, lists...); default a temporary one removed at exit")
    .option('--events <format>', 'print events as JSON lines on stdout: jsonl', choice(['jsonl'] as const))
    .option('--speaker <driver>', 'speaker: alsa[:DEVICE] (aplay), wav:FILE (a timeline of everything played), none', 'none')
    .option('--max-volume <n>', 'MaxVolumeLimit from the room profile, 1..10', parseVolumeLimit)
    .option('--setup-mode-disabled', 'SetupModeDisabled: holding action does not enter setup')
    .option('--fast', 'read files as fast as possible (device time still follows the audio)')
    .option('--max-stream <seconds>', 'longest stream before the device closes it', parsePositive, 8)
    .option('--no-vad', 'do not end streams at end of speech (only at the maximum length)')
    .option('--settle <seconds>', 'after the audio ends, let the device finish (e.g. THINKING time out) for at most this long', parseNonNegative, 30);
  addSpotterOptions(cmd).action(async (opts: DeviceCliOptions) => {
    await runDeviceCommand(opts);
  });
}

async function runDeviceCommand(opts: DeviceCliOptions): Promise<void> {
  const jsonl = opts.events === 'jsonl' || opts.leds === 'events';
  const interactive = process.stderr.isTTY === true && !jsonl;
  const leds: LedsKind = opts.leds ?? (interactive ? 'terminal' : 'none');
  const buttons: ButtonsKind = opts.buttons ?? (process.stdin.isTTY === true && opts.mic !== 'stdin' && !opts.script ? 'keyboard' : 'none');
  const session = await openDeviceSession({
    ...opts,
    leds,
    buttons,
    ...(jsonl ? { eventSink: printJsonLine } : {}),
  });
  const detach = opts.events === 'jsonl' ? attachJsonEvents(session.device, printJsonLine) : undefined;
  if (!opts.offline && !jsonl) {
    process.stderr.write('echosim device: no cloud is configured, so the device enters setup mode (orange). Add --offline to run it standalone.\n');
  }
  if (buttons === 'keyboard') process.stderr.write('keys: m mic-off, a action (push-to-talk), + / - volume, q quit\n');
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const summary = await session.run(abort.signal);
    await session.finishEvents();
    if (opts.events === 'jsonl') {
      printJsonLine({ type: 'end', time: Math.round(summary.finishedAt) / 1000, state: summary.finalState, samples: summary.samples, endedBy: summary.endedBy, falseWakes: session.device.falseWakes });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    detach?.();
    await session.close();
  }
}

import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { applyConfigValues } from '../config/apply-config.js';
import { readConfigFile } from '../config/config-file.js';
import { deviceConfigSchema, deviceConfigValues } from '../config/device-config.js';
import { runDoctor, doctorExitCode, type DoctorTarget } from '../doctor/doctor.js';
import { renderDoctorTable } from '../doctor/table.js';
import { parsePositive, parsePositiveInt } from '../options.js';

/** Where `echosim service install device` puts the device's config, read when no --config is given. */
export const DEFAULT_DEVICE_CONFIG = '/etc/echosim/device.json';

/** Device options the doctor has no use for: left out of the merge. */
const UNUSED = new Set(['channel', 'threshold', 'offline', 'maxVolume', 'setupModeDisabled']);

interface DoctorCliOptions {
  config?: string;
  model: string;
  mic: string;
  channels?: number;
  speaker: string;
  leds?: string;
  buttons?: string;
  gpio?: string;
  keyword: string[];
  modelDir?: string;
  cloud?: string;
  deviceId?: string;
  secretFile?: string;
  ca?: string;
  data?: string;
  json?: boolean;
  deviceRoot: string;
  timeout: number;
}

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description("open each configured piece (microphone, speaker, SPI, GPIO, model files, the cloud's broker) and print what works and what to do about what does not; exit status 1 when something fails")
    .option('--config <file>', `the device's config file (default ${DEFAULT_DEVICE_CONFIG} when it exists)`)
    .option('--model <id>', 'device model', 'echo-dot-3')
    .option('--mic <spec>', 'microphone, as echosim device --mic', 'alsa')
    .option('--channels <n>', 'channels to capture', parsePositiveInt)
    .option('--speaker <driver>', 'speaker, as echosim device --speaker', 'none')
    .option('--leds <kind>', 'light ring: apa102 checks SPI and the LED power pin')
    .option('--buttons <kind>', 'buttons: gpio checks the GPIO lines')
    .option('--gpio <map>', 'GPIO lines for --buttons gpio, e.g. "17:action"')
    .option('--keyword <name...>', 'wake-word models to check', ['alexa'])
    .option('--model-dir <dir>', 'folder holding the model files')
    .option('--cloud <url>', "the cloud's broker, e.g. mqtts://HOST:8883")
    .option('--device-id <id>', 'with --cloud: the registered device id')
    .option('--secret-file <file>', 'with --cloud: the file holding the device secret')
    .option('--ca <file>', 'with an mqtts:// --cloud: the CA')
    .option('--data <dir>', "the device's flash directory")
    .option('--json', 'print the checks as one JSON array (for scripts)')
    .option('--timeout <seconds>', 'how long one probe may take', parsePositive, 5)
    .addOption(new Option('--device-root <dir>', 'look for /dev and /sys under this directory (tests)').default('/').hideHelp());
  cmd.action(async (opts: DoctorCliOptions) => {
    const file = opts.config ?? (existsSync(DEFAULT_DEVICE_CONFIG) ? DEFAULT_DEVICE_CONFIG : undefined);
    if (file !== undefined) applyConfigValues(cmd, file, deviceConfigValues(readConfigFile(file, deviceConfigSchema), file), UNUSED);
    const o = cmd.opts<DoctorCliOptions>();
    const target: DoctorTarget = {
      model: o.model,
      mic: o.mic,
      ...(o.channels === undefined ? {} : { channels: o.channels }),
      speaker: o.speaker,
      ...(o.leds === undefined ? {} : { leds: o.leds }),
      ...(o.buttons === undefined ? {} : { buttons: o.buttons }),
      ...(o.gpio === undefined ? {} : { gpio: o.gpio }),
      keywords: o.keyword,
      ...(o.modelDir === undefined ? {} : { modelDir: o.modelDir }),
      ...(o.data === undefined ? {} : { dataDir: o.data }),
      ...(o.cloud === undefined
        ? {}
        : { cloud: { url: o.cloud, deviceId: o.deviceId ?? '', secretFile: o.secretFile ?? '', ...(o.ca === undefined ? {} : { ca: o.ca }) } }),
    };
    const rows = await runDoctor(target, { root: o.deviceRoot, timeoutMs: o.timeout * 1000 });
    if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else process.stdout.write(`${file ? `echosim doctor: checking ${file}\n\n` : 'echosim doctor: no config file; checking the defaults (give one with --config)\n\n'}${renderDoctorTable(rows)}`);
    process.exitCode = doctorExitCode(rows);
  });
}

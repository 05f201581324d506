import { z } from 'zod';
import { resolveFrom, type ConfigValue } from './config-file.js';

/**
 * The device's config file (`echosim device --config FILE`, `echosim doctor --config FILE`, and what
 * `echosim service install device` points its unit at). Every field is a command-line flag of
 * `echosim device` under a name a person editing the file recognises; a flag given on the command
 * line wins over the file. The device secret itself is never in this file: `cloud.credentialsFile`
 * names a file (mode 0600) that holds it. Unknown fields are errors, so a typo is not silently ignored.
 *
 * Paths are relative to the config file's folder.
 */
const path = z.string().min(1).max(4096);
const micSpec = z.string().min(1).max(4096);

export const deviceConfigSchema = z.strictObject({
  /** `--model`: echo-dot-3, echo-2, echo-plus-2, trio-8800. */
  model: z.string().min(1).max(64).optional(),
  microphone: z
    .strictObject({
      /** `--mic`: alsa:DEVICE, wav:FILE, stdin, synthetic:... */
      source: micSpec,
      /** `--channels`: how many channels to capture (4 on the 4-Mic HAT, 2 on the 2-Mic HAT). */
      channels: z.number().int().min(1).max(16).optional(),
      /** `--channel`: which channel feeds the spotter, or "mean". */
      channel: z.union([z.number().int().min(0).max(15), z.literal('mean')]).optional(),
    })
    .optional(),
  wakeWord: z
    .strictObject({
      keywords: z.array(z.string().min(1).max(64)).min(1).max(8).optional(),
      threshold: z.number().gt(0).lt(1).optional(),
      modelDir: path.optional(),
    })
    .optional(),
  /** `--leds`. */
  leds: z.enum(['terminal', 'events', 'apa102', 'none']).optional(),
  buttons: z
    .strictObject({
      kind: z.enum(['keyboard', 'gpio', 'none']),
      /** `--gpio`: line offset -> button, e.g. { "17": "action" }. */
      gpio: z.record(z.string().regex(/^\d{1,4}$/, 'a GPIO line offset, e.g. "17"'), z.string().min(1).max(32)).optional(),
    })
    .optional(),
  /** `--speaker`: alsa[:DEVICE], wav:FILE or none. */
  speaker: z.string().min(1).max(4096).optional(),
  /** Run without a cloud (`--offline`). */
  offline: z.boolean().optional(),
  cloud: z
    .strictObject({
      /** `--cloud`: mqtt://HOST:1883 or mqtts://HOST:8883. */
      url: z.string().regex(/^mqtts?:\/\/./, 'an mqtt:// or mqtts:// URL').max(2048),
      /** `--device-id`: the serial number the device was registered with. */
      deviceId: z.string().min(1).max(64),
      /** `--secret-file`: the file holding the device secret (mode 0600). */
      credentialsFile: path,
      /** `--ca`: with mqtts://, the CA the broker is verified with. */
      ca: path.optional(),
    })
    .optional(),
  /** `--data`: the device's flash. */
  dataDir: path.optional(),
  /** `--max-volume`, 1..10. */
  maxVolume: z.number().int().min(1).max(10).optional(),
  setupModeDisabled: z.boolean().optional(),
}).refine((c) => !(c.offline === true && c.cloud !== undefined), { message: 'offline: true and a cloud section cannot go together; remove one', path: ['offline'] });

export type DeviceConfig = z.infer<typeof deviceConfigSchema>;

/** A mic spec naming a file (`wav:a.wav,b.wav`) gets its paths resolved; others are kept as they are. */
function resolveSpec(file: string, spec: string, kind: 'wav'): string {
  if (!spec.startsWith(`${kind}:`)) return spec;
  return `${kind}:${spec.slice(kind.length + 1).split(',').map((p) => resolveFrom(file, p)).join(',')}`;
}

/** The config as values for `echosim device`'s options (the names its flags have in commander). */
export function deviceConfigValues(config: DeviceConfig, file: string): ConfigValue[] {
  const out: ConfigValue[] = [];
  const put = (field: string, option: string, value: ConfigValue['value'] | undefined): void => {
    if (value !== undefined) out.push({ field, option, value });
  };
  put('model', 'model', config.model);
  const mic = config.microphone;
  if (mic) {
    put('microphone.source', 'mic', resolveSpec(file, mic.source, 'wav'));
    put('microphone.channels', 'channels', mic.channels);
    put('microphone.channel', 'channel', mic.channel === undefined ? undefined : String(mic.channel));
  }
  put('wakeWord.keywords', 'keyword', config.wakeWord?.keywords);
  put('wakeWord.threshold', 'threshold', config.wakeWord?.threshold);
  put('wakeWord.modelDir', 'modelDir', config.wakeWord?.modelDir === undefined ? undefined : resolveFrom(file, config.wakeWord.modelDir));
  put('leds', 'leds', config.leds);
  put('buttons.kind', 'buttons', config.buttons?.kind);
  const gpio = config.buttons?.gpio;
  put('buttons.gpio', 'gpio', gpio === undefined ? undefined : Object.entries(gpio).map(([line, button]) => `${line}:${button}`).join(','));
  put('speaker', 'speaker', config.speaker === undefined ? undefined : resolveSpec(file, config.speaker, 'wav'));
  put('offline', 'offline', config.offline);
  if (config.cloud) {
    put('cloud.url', 'cloud', config.cloud.url);
    put('cloud.deviceId', 'deviceId', config.cloud.deviceId);
    put('cloud.credentialsFile', 'secretFile', resolveFrom(file, config.cloud.credentialsFile));
    put('cloud.ca', 'ca', config.cloud.ca === undefined ? undefined : resolveFrom(file, config.cloud.ca));
  }
  put('dataDir', 'data', config.dataDir === undefined ? undefined : resolveFrom(file, config.dataDir));
  put('maxVolume', 'maxVolume', config.maxVolume);
  put('setupModeDisabled', 'setupModeDisabled', config.setupModeDisabled);
  return out;
}

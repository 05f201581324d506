import type { ConfigKind } from './config-option.js';
import { deviceConfigSchema, deviceConfigValues, type DeviceConfig } from './device-config.js';

/** Under `--offline` on the command line, the file's cloud settings do not apply. */
const CLOUD_OPTIONS: ReadonlySet<string> = new Set(['cloud', 'deviceId', 'secretFile', 'ca']);

export const DEVICE_CONFIG: ConfigKind<DeviceConfig> = {
  schema: deviceConfigSchema,
  values: deviceConfigValues,
  skip: (cmd) => (cmd.getOptionValueSource('offline') === 'cli' ? CLOUD_OPTIONS : new Set([...(cmd.getOptionValueSource('cloud') === 'cli' ? ['offline'] : [])])),
};

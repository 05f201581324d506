import type { ConfigKind } from './config-option.js';
import { cloudConfigSchema, cloudConfigValues, type CloudConfig } from './cloud-config.js';

/** With `--broker` on the command line, the file's broker settings (its CA, Mosquitto files) do not apply. */
const BROKER_OPTIONS: ReadonlySet<string> = new Set(['brokerCa', 'mosquittoAuth', 'mosquittoPid']);

export const CLOUD_CONFIG: ConfigKind<CloudConfig> = {
  schema: cloudConfigSchema,
  values: cloudConfigValues,
  skip: (cmd) => (cmd.getOptionValueSource('broker') === 'cli' ? BROKER_OPTIONS : new Set()),
};

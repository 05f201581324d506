import type { Command } from 'commander';
import type { z } from 'zod';
import { applyConfigValues } from './apply-config.js';
import { readConfigFile, type ConfigValue } from './config-file.js';

export interface ConfigKind<T> {
  readonly schema: z.ZodType<T>;
  readonly values: (config: T, file: string) => ConfigValue[];
  /** Options to leave alone given the command line (e.g. cloud settings under --offline). */
  readonly skip?: (cmd: Command) => ReadonlySet<string>;
}

/**
 * Adds `--config <file>` to a command: before its action runs, the file is read, validated, and its
 * values fill every option the command line did not set.
 */
export function addConfigOption<T>(cmd: Command, kind: ConfigKind<T>, description: string): Command {
  return cmd.option('--config <file>', description).hook('preAction', (_parent, action) => {
    const file = action.getOptionValue('config') as string | undefined;
    if (file === undefined) return;
    const config = readConfigFile(file, kind.schema);
    applyConfigValues(action, file, kind.values(config, file), kind.skip?.(action));
  });
}

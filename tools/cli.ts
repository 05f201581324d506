#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { EchosimError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import { registerA4b } from './commands/a4b.js';
import { registerBench } from './commands/bench.js';
import { registerCloud } from './commands/cloud.js';
import { registerDemo } from './commands/demo.js';
import { registerDevice } from './commands/device.js';
import { registerDoctor } from './commands/doctor.js';
import { registerService } from './commands/service.js';
import { registerFlash } from './commands/flash.js';
import { registerFleet } from './commands/fleet.js';
import { registerListen } from './commands/listen.js';
import { registerTrain } from './commands/train.js';

const USAGE_CODES = new Set(['CLI_ARGUMENT_INVALID', 'CONFIG_INVALID', 'TLS_CA_INVALID', 'MIC_SPEC_INVALID', 'BENCH_CORPUS_INVALID', 'BUTTON_SCRIPT_INVALID', 'DEVICE_MODEL_UNKNOWN', 'A4B_TOKEN_MISSING', 'TRAIN_INPUT_INVALID']);

async function main(argv: string[]): Promise<number> {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command()
    .name('echosim')
    .description('An Amazon Echo / Polycom Trio class device in a Node process, and the cloud that manages a fleet of them.')
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerDemo(program);
  registerListen(program);
  registerDevice(program);
  registerBench(program);
  registerCloud(program);
  registerA4b(program);
  registerFlash(program);
  registerFleet(program);
  registerDoctor(program);
  registerService(program);
  registerTrain(program);
  try {
    await program.parseAsync(argv);
    // A command that reports a result through its exit status (doctor) sets process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof EchosimError) {
      process.stderr.write(`echosim: error ${err.code}: ${err.describe()}\n`);
      return USAGE_CODES.has(err.code) ? 2 : 1;
    }
    process.stderr.write(`echosim: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

process.exitCode = await main(process.argv);

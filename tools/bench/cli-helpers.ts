import { concatSamples } from '../../hal/mic/samples.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { CHUNK_SAMPLES, OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import type { BareComputeResult } from './bare-compute.js';
import { readWavMono } from './read-mono.js';

/** Shared by the `bench compute|stream|owwjs` commands: machine facts, formatting, inputs. */
export const FIRST_CHANNEL = { kind: 'channel', index: 0 } as const;
export const CHUNK_MS = (CHUNK_SAMPLES / SAMPLE_RATE) * 1000;

export async function loadModels(keyword: string, modelDir: string | undefined): Promise<OpenWakeWordModels> {
  return OpenWakeWordModels.load({ keywords: [keyword], ...(modelDir ? { modelDir } : {}) });
}

export async function concatFiles(files: string[]): Promise<Int16Array> {
  return concatSamples(await Promise.all(files.map((f) => readWavMono(f, FIRST_CHANNEL))));
}

export function versionOf(pkg: string): string {
  try {
    const require = createRequire(import.meta.url);
    let dir = path.dirname(require.resolve(pkg));
    while (path.basename(dir) !== pkg && dir !== path.dirname(dir)) dir = path.dirname(dir);
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface MachineInfo {
  nproc: number;
  cpu: string;
  node: string;
  onnxruntime_node: string;
}

export function machine(): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    onnxruntime_node: versionOf('onnxruntime-node'),
  };
}

export function formatMachine(): string {
  const m = machine();
  return `machine:             ${m.nproc} CPUs, ${m.cpu}, Node ${m.node}, onnxruntime-node ${m.onnxruntime_node}`;
}

export function formatCompute(r: BareComputeResult): string {
  const lines = r.models.map((m) => `  ${m.model.padEnd(16)} [${m.shape.join(',')}]`.padEnd(40) + `${m.ms_per_chunk.toFixed(3)} ms per chunk`);
  return [
    `bare compute:        ${r.chunks} chunks after ${r.warmup_chunks} warm-up, session.run only, one thread (models/onnx.ts options)`,
    ...lines,
    `  total`.padEnd(40) + `${r.total_ms_per_chunk.toFixed(3)} ms per chunk (p50 ${r.total_ms_p50.toFixed(3)}, p99 ${r.total_ms_p99.toFixed(3)})`,
    `RTF:                 ${r.rtf.toFixed(4)} (total / 80 ms)`,
  ].join('\n');
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(obj: object): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}


export function parseList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected one or more WAV files, comma separated');
  return [...(previous ?? []), ...items];
}

/** The options the fleet benchmarks (`bench outages`, `bench soak`) share; 100 devices by default. */
export function addFleetBenchOptions(command: Command, parsers: { devices: (v: string) => number; broker: (v: string) => string }): Command {
  return command
    .option('--devices <n>', 'simulated devices in one room', parsers.devices, 100)
    .option('--broker <kind>', 'embedded (in the cloud process) or mosquitto (a real one, started here)', parsers.broker, 'embedded')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-progress', 'no progress on stderr');
}

import os from 'node:os';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { measureBareCompute } from '../bench/bare-compute.js';
import { versionOf } from '../bench/cli-helpers.js';

/**
 * How fast the machine is at the moment a fleet runs: the bare compute of one 80 ms chunk, measured
 * exactly as `echosim bench compute` measures it (tools/bench/bare-compute.ts: the three session.run
 * calls of the alexa pipeline, one thread, after a warm-up), with what the machine is and how loaded
 * it was. A fleet's result then reads "N devices at X ms compute per chunk", comparable across days
 * and commits where the bare device count is not (BENCHMARKS.md, "fleet per commit").
 */
export interface MachineSpeed {
  /** Mean bare compute per 80 ms chunk, ms (`bench compute`'s total). */
  compute_ms_per_chunk: number;
  compute_ms_p50: number;
  /** Chunks timed (after the warm-up). */
  compute_chunks: number;
  cpus: number;
  cpu_model: string;
  node: string;
  onnxruntime_node: string;
  /** The 1, 5 and 15 minute load averages when the measurement started: other work on the machine. */
  load_average: [number, number, number];
}

/** `bench compute`'s default; about 1-3 s on a 2-core VM. */
export const DEFAULT_SPEED_CHUNKS = 2000;

/**
 * Measures the bare compute per chunk on `models` when given (main-thread float models holding the
 * alexa head), else on a float copy loaded for the measurement and released after it: the figure is
 * always float's, so it compares across commits and whatever embedding a fleet runs.
 */
export async function measureMachineSpeed(options: { chunks?: number; models?: OpenWakeWordModels } = {}): Promise<MachineSpeed> {
  const load = os.loadavg().map(r2) as [number, number, number];
  const usable = options.models?.precision === 'float' && options.models.heads.some((h) => h.keyword === 'alexa');
  const own = usable ? undefined : await OpenWakeWordModels.load({ keywords: ['alexa'] });
  const models = own ?? (options.models as OpenWakeWordModels);
  try {
    const chunks = options.chunks ?? DEFAULT_SPEED_CHUNKS;
    const r = await measureBareCompute(models, { chunks, warmupChunks: Math.min(100, chunks), keyword: 'alexa' });
    return {
      compute_ms_per_chunk: r3(r.total_ms_per_chunk),
      compute_ms_p50: r3(r.total_ms_p50),
      compute_chunks: r.chunks,
      cpus: os.availableParallelism(),
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      onnxruntime_node: versionOf('onnxruntime-node'),
      load_average: load,
    };
  } finally {
    await own?.dispose();
  }
}

/** One line: "0.612 ms compute per chunk (2 CPUs, <model>, load 7.9 8.0 8.1)". */
export function formatMachineSpeed(m: MachineSpeed): string {
  return `${m.compute_ms_per_chunk.toFixed(3)} ms compute per 80 ms chunk (bench compute, ${m.compute_chunks} chunks; ${m.cpus} CPUs, ${m.cpu_model}, Node ${m.node}; load average ${m.load_average.join(' ')})`;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

import { EchosimError } from '../../core/errors.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { OpenWakeWordEngine, type OpenWakeWordEngineOptions } from '../../models/wakeword/openwakeword-engine.js';
import { CHUNK_SAMPLES, type OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import type { HeadSpec } from '../../models/wakeword/registry.js';
import { quantile } from './stats.js';

const CHUNK_MS = (CHUNK_SAMPLES / SAMPLE_RATE) * 1000;

export interface StreamResult {
  audio_s: number;
  warmup_chunks: number;
  timed_chunks: number;
  ms_per_chunk: number;
  /** Median and 99th percentile of one chunk's engine.process time. */
  ms_p50: number;
  ms_p99: number;
  /** Processing time / audio time over the timed chunks. */
  rtf: number;
  /** CPU time (user + system, all threads) / audio time over the timed chunks. */
  cpu_rtf: number;
  detections: number;
  /** Word switches made during the timed chunks (`switching`). */
  switches: number;
}

/** The stream changes its word every `everyChunks` chunks, alternating between `heads` (both loaded in the models). */
export interface StreamSwitching {
  readonly heads: readonly HeadSpec[];
  readonly everyChunks: number;
}

/**
 * One stream through a fresh OpenWakeWordEngine: `engine.process` on consecutive 1280-sample
 * frames of `audio` (absolute indices, so the engine never resets), the first `warmupChunks`
 * untimed, the rest timed as one wall-clock span.
 */
export async function measureStream(
  models: OpenWakeWordModels,
  audio: Int16Array,
  options: { warmupChunks?: number; engine?: OpenWakeWordEngineOptions; switching?: StreamSwitching } = {},
): Promise<StreamResult> {
  const warmup = options.warmupChunks ?? 50;
  const engine = new OpenWakeWordEngine(models, options.engine);
  const nChunks = Math.floor(audio.length / CHUNK_SAMPLES);
  if (nChunks <= warmup) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `the stream holds ${nChunks} chunks, not more than the ${warmup} warm-up chunks`, {
      hint: 'Pass longer audio or a larger --repeat.',
    });
  }
  let detections = 0;
  for (let c = 0; c < warmup; c++) {
    const at = c * CHUNK_SAMPLES;
    detections += (await engine.process({ index: at, samples: audio.subarray(at, at + CHUNK_SAMPLES) })).detections.length;
  }
  const timed = nChunks - warmup;
  const per = new Float64Array(timed);
  const sw = options.switching;
  let switches = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let c = warmup; c < nChunks; c++) {
    const at = c * CHUNK_SAMPLES;
    const c0 = performance.now();
    if (sw && sw.heads.length > 0 && (c - warmup) % sw.everyChunks === 0 && c > warmup) {
      // A room profile's switch as the device makes it: the next head takes over at this chunk.
      engine.useKeywords([sw.heads[++switches % sw.heads.length]!]);
    }
    detections += (await engine.process({ index: at, samples: audio.subarray(at, at + CHUNK_SAMPLES) })).detections.length;
    per[c - warmup] = performance.now() - c0;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  per.sort();
  const audioMs = timed * CHUNK_MS;
  return {
    audio_s: audio.length / SAMPLE_RATE,
    warmup_chunks: warmup,
    timed_chunks: timed,
    ms_per_chunk: ms / timed,
    ms_p50: quantile(per, 0.5),
    ms_p99: quantile(per, 0.99),
    rtf: ms / audioMs,
    cpu_rtf: (cpu.user + cpu.system) / 1000 / audioMs,
    detections,
    switches,
  };
}

/** `audio` repeated end to end `repeat` times. */
export function repeatAudio(audio: Int16Array, repeat: number): Int16Array {
  const out = new Int16Array(audio.length * repeat);
  for (let r = 0; r < repeat; r++) out.set(audio, r * audio.length);
  return out;
}

import { threadTimes, threadTimesSince, type ThreadTime } from '../../models/thread-time.js';
import { SpotterPool } from '../../models/wakeword/spotter-pool.js';
import { CHUNK_SAMPLES, type EmbeddingPrecision } from '../../models/wakeword/oww-models.js';
import { addTimings, type StageTimings } from '../../models/stage-timings.js';

export interface PoolLoadOptions {
  /** Wake-word streams, each fed one 80 ms chunk per round. */
  streams: number;
  /** Of those, how many also run the end-pointing VAD on a chunk per round (a fleet streams about half the time). */
  vadStreams: number;
  rounds: number;
  warmupRounds: number;
  workers: number;
  keyword: string;
  /** The embedding step's arithmetic (default float). */
  embedding?: EmbeddingPrecision;
}

export interface PoolLoadResult {
  streams: number;
  vad_streams: number;
  rounds: number;
  workers: number;
  /** Wake-word chunks scored in the timed rounds. */
  chunks: number;
  wall_ms_per_round: number;
  /** CPU ms per scored chunk: all threads, the main thread, the workers, and the rest (V8's GC and compiler helpers, libuv). */
  cpu_ms_per_chunk: { total: number; main: number; workers: number; other: number };
  /** Per model stage, the workers' CPU ms per scored chunk (models/stage-timings.ts). */
  stages_ms_per_chunk: Record<string, number>;
  /** Sum of every score and VAD probability returned: the same inputs give the same sum, whatever the build. */
  checksum: number;
}

/**
 * A fixed load on a SpotterPool, the inference side of a listening fleet without its devices: every
 * round, each stream submits its next chunk of `clip` (streams start at different offsets) and the
 * round waits for all, so every batch holds the same streams from run to run. A fleet's batch sizes
 * follow how far behind it is, which changes its CPU per chunk; here they do not, so two builds can be
 * compared on CPU per chunk alone, on a busy machine too (CPU time, not wall).
 */
export async function measurePoolLoad(clip: Int16Array, o: PoolLoadOptions): Promise<PoolLoadResult> {
  const pool = await SpotterPool.start({ workers: o.workers, vad: o.vadStreams > 0, keywords: [o.keyword], ...(o.embedding ? { embedding: o.embedding } : {}) });
  try {
    const scorers = Array.from({ length: o.streams }, () => pool.openScorer());
    const vads = Array.from({ length: Math.min(o.vadStreams, o.streams) }, () => pool.openVad());
    const heads = [o.keyword];
    const span = clip.length - CHUNK_SAMPLES;
    const chunk = (stream: number, round: number): Int16Array => {
      const at = (stream * 7919 + round * CHUNK_SAMPLES) % span;
      return clip.slice(at, at + CHUNK_SAMPLES);
    };
    // Summed per stream, in each stream's order, then over streams: the same whatever order batches finish in.
    const sums = new Float64Array(scorers.length + vads.length);
    const round = async (r: number): Promise<void> => {
      await Promise.all([
        ...scorers.map((s, i) => s.score(chunk(i, r), heads).then((scores) => scores.forEach((x) => (sums[i] = sums[i]! + x)))),
        ...vads.map((v, i) => v.push(chunk(i + 1, r)).then((probs) => probs.forEach((p) => (sums[scorers.length + i] = sums[scorers.length + i]! + p)))),
      ]);
    };
    for (let r = 0; r < o.warmupRounds; r++) await round(r);
    await pool.timings(true);
    const before = threadTimes();
    const t0 = performance.now();
    for (let r = o.warmupRounds; r < o.warmupRounds + o.rounds; r++) await round(r);
    const wall = performance.now() - t0;
    const used = threadTimesSince(before);
    const workers = await pool.timings(false);
    const chunks = o.streams * o.rounds;
    const sum = (pick: (tid: number) => boolean): number => [...used].filter(([tid]) => pick(tid)).reduce((a, [, t]: [number, ThreadTime]) => a + t.cpuMs, 0);
    const workerTids = new Set(workers.map((w) => w.tid));
    const main = sum((tid) => tid === process.pid);
    const inWorkers = sum((tid) => workerTids.has(tid));
    const other = sum((tid) => tid !== process.pid && !workerTids.has(tid));
    const stages = workers.reduce<StageTimings>((a, w) => addTimings(a, w.stages), {});
    const per = (ms: number): number => Math.round((ms / chunks) * 10_000) / 10_000;
    return {
      streams: o.streams,
      vad_streams: vads.length,
      rounds: o.rounds,
      workers: o.workers,
      chunks,
      wall_ms_per_round: Math.round((wall / o.rounds) * 10) / 10,
      cpu_ms_per_chunk: { total: per(main + inWorkers + other), main: per(main), workers: per(inWorkers), other: per(other) },
      stages_ms_per_chunk: Object.fromEntries(Object.entries(stages).map(([k, s]) => [k, per(s.cpuMs)])),
      checksum: sums.reduce((a, x) => a + x, 0),
    };
  } finally {
    await pool.close();
  }
}

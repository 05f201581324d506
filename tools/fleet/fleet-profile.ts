import { SpotterPool, type PostTimings, type WorkerTimings } from '../../models/wakeword/spotter-pool.js';
import { addTimings, stageClock, type StageTimings } from '../../models/stage-timings.js';
import type { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { threadCpu, threadCpuSince } from './thread-cpu.js';

/** One stage's totals over the listening window, with its mean cost per call and per item (one stream's input). */
export interface StageFigures {
  calls: number;
  items: number;
  ms: number;
  ms_per_call: number;
  items_per_call: number;
  /** ms per item: what one stream's input costs in this stage. */
  ms_per_item: number;
  /** Share of the window's wall time, in percent of one core. */
  percent_of_core: number;
}

/**
 * Where a fleet's CPU went over its listening window (`fleet --profile`): CPU per thread (the main
 * thread, each inference worker, and the rest: V8's GC and compiler helpers, libuv's pool), the
 * inference time per model stage summed over the workers (onnxruntime's `session.run`, see
 * models/stage-timings.ts), the workers' batches, and the main thread's postMessage cost.
 */
export interface FleetProfile {
  window_s: number;
  /** CPU ms per thread over the window, and in percent of one core; empty without /proc. */
  threads: { main_ms: number; workers_ms: number[]; other_ms: number; main_percent: number; workers_percent: number[]; other_percent: number };
  /** Inference per model stage, summed over every thread that ran it. */
  stages: Record<string, StageFigures>;
  /** Per worker: its batches per model, its event loop's busy percent, and what posting to it cost the main thread. */
  workers: Array<{ batches: WorkerTimings['batches']; loop_busy_percent: number; posted: PostTimings }>;
}

/** Starts profiling; `finish()` at the end of the window returns the figures (and turns the timers off). */
export async function startFleetProfile(models: SpotterPool | OpenWakeWordModels): Promise<{ finish(): Promise<FleetProfile> }> {
  const pool = models instanceof SpotterPool ? models : undefined;
  await pool?.timings(true);
  stageClock.start();
  const cpu0 = threadCpu();
  const t0 = performance.now();
  return {
    async finish(): Promise<FleetProfile> {
      const workers = (await pool?.timings(false)) ?? [];
      const windowMs = performance.now() - t0;
      const used = threadCpuSince(cpu0);
      stageClock.stop();
      const stages = workers.reduce<StageTimings>((sum, w) => addTimings(sum, w.stages), stageClock.snapshot());
      const mainMs = used.get(process.pid) ?? 0;
      const workersMs = workers.map((w) => used.get(w.tid) ?? 0);
      const allMs = [...used.values()].reduce((a, b) => a + b, 0);
      const pct = (ms: number): number => r1((ms / windowMs) * 100);
      return {
        window_s: r1(windowMs / 1000),
        threads: {
          main_ms: Math.round(mainMs),
          workers_ms: workersMs.map(Math.round),
          other_ms: Math.round(allMs - mainMs - workersMs.reduce((a, b) => a + b, 0)),
          main_percent: pct(mainMs),
          workers_percent: workersMs.map(pct),
          other_percent: pct(allMs - mainMs - workersMs.reduce((a, b) => a + b, 0)),
        },
        stages: Object.fromEntries(
          Object.entries(stages).map(([k, s]) => [
            k,
            {
              calls: s.calls,
              items: s.items,
              ms: Math.round(s.ms),
              ms_per_call: r3(s.ms / Math.max(1, s.calls)),
              items_per_call: r1(s.items / Math.max(1, s.calls)),
              ms_per_item: r3(s.ms / Math.max(1, s.items)),
              percent_of_core: pct(s.ms),
            },
          ]),
        ),
        workers: workers.map((w) => ({
          batches: Object.fromEntries(Object.entries(w.batches).map(([k, b]) => [k, { calls: b.calls, items: b.items, ms: Math.round(b.ms) }])) as WorkerTimings['batches'],
          loop_busy_percent: r1(w.loopBusy * 100),
          posted: { messages: w.posted.messages, ms: Math.round(w.posted.ms) },
        })),
      };
    },
  };
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

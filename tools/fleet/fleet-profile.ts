import { SpotterPool, type PostTimings } from '../../models/wakeword/spotter-pool.js';
import { addTimings, stageClock, type StageTimings } from '../../models/stage-timings.js';
import type { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { threadTimes, threadTimesSince, type ThreadTime } from '../../models/thread-time.js';

/** One stage's totals over the listening window, with its mean cost per call and per item (one stream's input). */
export interface StageFigures {
  calls: number;
  items: number;
  items_per_call: number;
  /** Wall ms inside the stage, and the running thread's CPU ms over the same spans. */
  ms: number;
  cpu_ms: number;
  /** CPU ms per item: what one stream's input costs in this stage. */
  cpu_ms_per_item: number;
  /** CPU in percent of one core over the window. */
  cpu_percent: number;
}

/** A thread's CPU and its wait for a CPU (ready to run, the cores busy) over the window, in ms and in percent of the window. */
export interface ThreadFigures {
  cpu_ms: number;
  wait_ms: number;
  cpu_percent: number;
  wait_percent: number;
}

/**
 * Where a fleet's CPU went over its listening window (`fleet --profile`): CPU per thread (the main
 * thread, each inference worker, and the rest together: V8's GC and compiler helpers, libuv's pool)
 * with the time each waited for a core, inference per model stage summed over the threads that ran
 * it (`session.run`, and whole batches; models/stage-timings.ts), each worker's event loop, and the
 * main thread's postMessage cost.
 */
export interface FleetProfile {
  window_s: number;
  threads: { main: ThreadFigures; workers: ThreadFigures[]; other: ThreadFigures };
  stages: Record<string, StageFigures>;
  workers: Array<{ loop_busy_percent: number; posted: PostTimings }>;
}

/** Starts profiling; `finish()` at the end of the window returns the figures (and turns the timers off). */
export async function startFleetProfile(models: SpotterPool | OpenWakeWordModels): Promise<{ finish(): Promise<FleetProfile> }> {
  const pool = models instanceof SpotterPool ? models : undefined;
  await pool?.timings(true);
  stageClock.start();
  const times0 = threadTimes();
  const t0 = performance.now();
  return {
    async finish(): Promise<FleetProfile> {
      const workers = (await pool?.timings(false)) ?? [];
      const windowMs = performance.now() - t0;
      const used = threadTimesSince(times0);
      stageClock.stop();
      const stages = workers.reduce<StageTimings>((sum, w) => addTimings(sum, w.stages), stageClock.snapshot());
      const pct = (ms: number): number => r1((ms / windowMs) * 100);
      const figures = (t: ThreadTime): ThreadFigures => ({ cpu_ms: Math.round(t.cpuMs), wait_ms: Math.round(t.waitMs), cpu_percent: pct(t.cpuMs), wait_percent: pct(t.waitMs) });
      const none: ThreadTime = { cpuMs: 0, waitMs: 0 };
      const named = new Set([process.pid, ...workers.map((w) => w.tid)]);
      const other = [...used].filter(([tid]) => !named.has(tid)).reduce((a, [, t]) => ({ cpuMs: a.cpuMs + t.cpuMs, waitMs: a.waitMs + t.waitMs }), none);
      return {
        window_s: r1(windowMs / 1000),
        threads: { main: figures(used.get(process.pid) ?? none), workers: workers.map((w) => figures(used.get(w.tid) ?? none)), other: figures(other) },
        stages: Object.fromEntries(
          Object.entries(stages).map(([k, s]) => [
            k,
            {
              calls: s.calls,
              items: s.items,
              items_per_call: r1(s.items / Math.max(1, s.calls)),
              ms: Math.round(s.ms),
              cpu_ms: Math.round(s.cpuMs),
              cpu_ms_per_item: r3(s.cpuMs / Math.max(1, s.items)),
              cpu_percent: pct(s.cpuMs),
            },
          ]),
        ),
        workers: workers.map((w) => ({ loop_busy_percent: r1(w.loopBusy * 100), posted: { messages: w.posted.messages, ms: Math.round(w.posted.ms) } })),
      };
    },
  };
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The profile as a few lines of text (fleet --profile without --json). */
export function formatFleetProfile(p: FleetProfile, inferenceChunks = p.stages['wakeword batch']?.items ?? 0): string[] {
  const per = (ms: number): string => (inferenceChunks > 0 ? `, ${(ms / inferenceChunks).toFixed(3)} ms per chunk` : '');
  const t = p.threads;
  const thread = (name: string, f: ThreadFigures): string => `  ${name.padEnd(22)} CPU ${f.cpu_percent}% of a core${per(f.cpu_ms)} (waited for a core ${f.wait_percent}% of the time)`;
  return [
    `profile:          ${p.window_s} s listening, ${inferenceChunks} wake-word chunks scored (devices and the cloud's verification)`,
    thread('main thread', t.main),
    ...t.workers.map((w, i) => thread(`worker ${i + 1}`, w)),
    thread('other (GC, libuv)', t.other),
    ...Object.entries(p.stages)
      .sort((a, b) => b[1].cpu_ms - a[1].cpu_ms)
      .map(([name, s]) => `  ${name.padEnd(22)} ${s.calls} calls of ${s.items_per_call} on average, CPU ${s.cpu_percent}% of a core${per(s.cpu_ms)}`),
  ];
}

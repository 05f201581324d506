import { ownThreadTime } from './thread-time.js';

/**
 * Where a thread's inference time goes, per model stage (melspectrogram, embedding step, a keyword
 * head, Silero VAD, ...): calls, items (the batch dimension of each call's first input, summed),
 * wall milliseconds inside `session.run`, and this thread's CPU milliseconds over the same span (from
 * the kernel's per-thread scheduler totals, so a machine busy with other work does not inflate it as
 * it inflates the wall time). onnxruntime-node runs a session synchronously from a `setImmediate`, so
 * both also hold that one hop. Off by default (two clock reads and two small /proc reads per call
 * when on); one accumulator per thread, since each thread has its own copy of this module.
 * `fleet --profile` reads it.
 */
export interface StageTiming {
  calls: number;
  items: number;
  ms: number;
  cpuMs: number;
}

/** A span being timed: its start on the wall clock and on this thread's CPU clock. */
export interface StageSpan {
  readonly wall: number;
  readonly cpu: number;
}

export type StageTimings = Record<string, StageTiming>;

class StageClock {
  private on = false;
  private readonly stages = new Map<string, StageTiming>();

  get enabled(): boolean {
    return this.on;
  }

  /** Starts (or restarts) accumulating from zero. */
  start(): void {
    this.stages.clear();
    this.on = true;
  }

  stop(): void {
    this.on = false;
  }

  /** Starts a span (read its end with `record`). */
  begin(): StageSpan {
    return { wall: performance.now(), cpu: ownThreadTime()?.cpuMs ?? 0 };
  }

  record(stage: string, items: number, span: StageSpan, into: Map<string, StageTiming> = this.stages): void {
    if (!this.on) return;
    let s = into.get(stage);
    if (!s) into.set(stage, (s = { calls: 0, items: 0, ms: 0, cpuMs: 0 }));
    s.calls++;
    s.items += items;
    s.ms += performance.now() - span.wall;
    s.cpuMs += (ownThreadTime()?.cpuMs ?? 0) - span.cpu;
  }

  snapshot(): StageTimings {
    return Object.fromEntries([...this.stages].map(([k, v]) => [k, { ...v }]));
  }
}

/** This thread's accumulator. */
export const stageClock = new StageClock();

/** Adds `b`'s stages into `a` (per-worker figures summed). */
export function addTimings(a: StageTimings, b: StageTimings): StageTimings {
  const out: StageTimings = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, { ...v }]));
  for (const [k, v] of Object.entries(b)) {
    const s = (out[k] ??= { calls: 0, items: 0, ms: 0, cpuMs: 0 });
    s.calls += v.calls;
    s.items += v.items;
    s.ms += v.ms;
    s.cpuMs += v.cpuMs;
  }
  return out;
}

/**
 * Where a thread's inference time goes, per model stage (melspectrogram, embedding step, a keyword
 * head, Silero VAD, ...): calls, items (the batch dimension of each call's first input, summed) and
 * wall milliseconds inside `session.run`. onnxruntime-node runs a session synchronously from a
 * `setImmediate`, so the time also holds that one hop; on a worker thread that runs nothing else it
 * is the stage's compute. Off by default (two clock reads per call when on); one accumulator per
 * thread, since each thread has its own copy of this module. `fleet --profile` reads it.
 */
export interface StageTiming {
  calls: number;
  items: number;
  ms: number;
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

  record(stage: string, items: number, ms: number): void {
    if (!this.on) return;
    let s = this.stages.get(stage);
    if (!s) this.stages.set(stage, (s = { calls: 0, items: 0, ms: 0 }));
    s.calls++;
    s.items += items;
    s.ms += ms;
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
    const s = (out[k] ??= { calls: 0, items: 0, ms: 0 });
    s.calls += v.calls;
    s.items += v.items;
    s.ms += v.ms;
  }
  return out;
}

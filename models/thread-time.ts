import { readdirSync, readFileSync } from 'node:fs';

/** One thread's scheduler totals: ms on a CPU, and ms it was ready to run but waited for one (the machine was busy). */
export interface ThreadTime {
  cpuMs: number;
  waitMs: number;
}

/** This process's threads' scheduler totals by Linux thread id (/proc/self/task/<tid>/schedstat); empty where /proc is missing. */
export function threadTimes(): Map<number, ThreadTime> {
  const out = new Map<number, ThreadTime>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    const t = readSchedstat(`/proc/self/task/${tid}/schedstat`);
    if (t) out.set(Number(tid), t);
  }
  return out;
}

/** What each thread used between two `threadTimes()` readings (threads that ended in between are left out). */
export function threadTimesSince(before: ReadonlyMap<number, ThreadTime>, after: ReadonlyMap<number, ThreadTime> = threadTimes()): Map<number, ThreadTime> {
  const out = new Map<number, ThreadTime>();
  for (const [tid, t] of after) {
    const b = before.get(tid);
    out.set(tid, { cpuMs: t.cpuMs - (b?.cpuMs ?? 0), waitMs: t.waitMs - (b?.waitMs ?? 0) });
  }
  return out;
}

/** This thread's totals (/proc/thread-self/schedstat), or undefined where /proc has no thread-self. */
export function ownThreadTime(): ThreadTime | undefined {
  return readSchedstat('/proc/thread-self/schedstat');
}

/** The schedstat file's first two fields (ns on CPU, ns waiting on a run queue), in ms. */
export function readSchedstat(file: string): ThreadTime | undefined {
  try {
    const [cpu, wait] = readFileSync(file, 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return undefined; // the thread ended between the listing and the read, or no /proc
  }
}

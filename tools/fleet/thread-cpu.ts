import { readdirSync, readFileSync } from 'node:fs';

/** CPU milliseconds (user + system) of each of this process's threads, by Linux thread id; empty where /proc is missing. */
export function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** CPU ms each thread used between two `threadCpu()` readings (threads that ended in between are left out). */
export function threadCpuSince(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number> = threadCpu()): Map<number, number> {
  const out = new Map<number, number>();
  for (const [tid, ms] of after) out.set(tid, ms - (before.get(tid) ?? 0));
  return out;
}

import { readFileSync } from 'node:fs';

/** user + system clock ticks of a process (/proc/PID/stat fields 14 and 15), or of its waited-for children (16, 17). */
export function cpuTicks(pid: number | 'self', children = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const at = children ? 13 : 11;
  return Number(fields[at]) + Number(fields[at + 1]);
}

/** One clock tick in ms (USER_HZ is 100 on Linux). */
export const TICK_MS = 1000 / 100;

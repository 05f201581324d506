import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) this process has used. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * CPU seconds of this process's finished child processes (TTS engines, sox, pocketsphinx): Linux's
 * /proc/self/stat cutime + cstime. 0 where /proc is missing.
 */
export function childCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

/** Wall and CPU time per named stage of a run. */
export class StageTimer {
  readonly stages: Record<string, { wallSeconds: number; cpuSeconds: number }> = {};
  private readonly wall0 = performance.now();
  private readonly cpu0 = cpuSeconds();
  private readonly child0 = childCpuSeconds();

  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const w = performance.now();
    const c = cpuSeconds();
    try {
      return await work();
    } finally {
      this.stages[name] = { wallSeconds: Math.round((performance.now() - w) / 100) / 10, cpuSeconds: Math.round((cpuSeconds() - c) * 10) / 10 };
    }
  }

  totals(): { wallSeconds: number; cpuSeconds: number; childCpuSeconds: number } {
    return {
      wallSeconds: Math.round((performance.now() - this.wall0) / 100) / 10,
      cpuSeconds: Math.round((cpuSeconds() - this.cpu0) * 10) / 10,
      childCpuSeconds: Math.round((childCpuSeconds() - this.child0) * 10) / 10,
    };
  }
}

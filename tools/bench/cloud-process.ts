import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/package-root.js';

/**
 * `echosim cloud` in a child process, for benchmarks that attack it: a crash is the child exiting,
 * memory is its resident set, and what it saw comes from its `--events jsonl` stream (one JSON
 * object per line, `type` the event name) and its warn/error log lines on stderr. The fleet
 * benchmarks, which need the heap after a full GC and broker outages on demand, fork cloud-child.ts
 * instead (cloud-child-process.ts).
 */

export interface CloudProcessOptions {
  /** The cloud's data directory. */
  dir: string;
  /** `--broker` URL of an external broker, with `--mosquitto-auth` / `--mosquitto-pid`; default the embedded one on a free port. */
  broker?: { url: string; mosquittoAuth: string; mosquittoPid: string };
  verify: boolean;
}

export interface CloudExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class CloudProcess {
  /** Events seen, by type. */
  readonly counts = new Map<string, number>();
  /** The highest profile version each device reported it applied (`profile-applied`). */
  readonly appliedVersions = new Map<string, number>();
  /** Log lines at error level or above. */
  errorsLogged = 0;
  /** The cloud's own reconnections to its broker (a warn line each). */
  brokerReconnects = 0;
  exit: CloudExit | undefined;
  brokerUrl = '';
  apiUrl = '';
  adminToken = '';
  private stderrTail = '';
  private readonly listeners: Array<(event: Record<string, unknown>) => void> = [];

  private constructor(private readonly child: ChildProcess) {}

  static async start(o: CloudProcessOptions): Promise<CloudProcess> {
    const cli = path.join(packageRoot(), 'dist', 'tools', 'cli.js');
    const args = [cli, 'cloud', '--data', o.dir, '--mqtt-port', '0', '--http-port', '0', '--events', 'jsonl'];
    if (o.broker) args.push('--broker', o.broker.url, '--mosquitto-auth', o.broker.mosquittoAuth, '--mosquitto-pid', o.broker.mosquittoPid);
    if (!o.verify) args.push('--no-verify');
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ECHOSIM_LOG_LEVEL: 'warn' } });
    const cloud = new CloudProcess(child);
    cloud.follow();
    const ready = await cloud.next((e) => e.type === 'ready', 60_000, 'the cloud to start');
    cloud.brokerUrl = String(ready.broker);
    cloud.apiUrl = String(ready.api);
    cloud.adminToken = readFileSync(String(ready.adminTokenFile), 'utf8').trim();
    return cloud;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  /** The last lines the cloud wrote on stderr (for a crash report). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Resident and peak resident memory, MB (Linux /proc), or undefined once it has exited. */
  memory(): { rssMb: number; peakMb: number } | undefined {
    if (!this.alive || this.child.pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
      return { rssMb: round1(kb('VmRSS') / 1024), peakMb: round1(kb('VmHWM') / 1024) };
    } catch {
      return undefined;
    }
  }

  /** Calls `listener` with every event from now on. */
  onEvent(listener: (event: Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the first event from now on that matches (rejects if the cloud exits first). */
  next(match: (event: Record<string, unknown>) => boolean, limitMs: number, what: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`gave up waiting for ${what} after ${limitMs} ms`)), limitMs);
      const onExit = (): void => done(new Error(`the cloud exited while waiting for ${what}:\n${this.stderrTail}`));
      const listener = (e: Record<string, unknown>): void => {
        if (match(e)) done(undefined, e);
      };
      const done = (err?: Error, e?: Record<string, unknown>): void => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
        if (err) reject(err);
        else resolve(e!);
      };
      this.listeners.push(listener);
      this.child.once('exit', onExit);
    });
  }

  /** SIGTERM, and SIGKILL after 10 s; resolves once it has exited. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private follow(): void {
    let pending = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as Record<string, unknown>;
        const type = String(event.type);
        this.counts.set(type, this.count(type) + 1);
        if (type === 'profile-applied') {
          const id = String(event.deviceId);
          this.appliedVersions.set(id, Math.max(this.appliedVersions.get(id) ?? 0, Number(event.version)));
        }
        for (const l of [...this.listeners]) l(event);
      }
    });
    let pendingErr = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-8192);
      const parts = (pendingErr + text).split('\n');
      pendingErr = parts.pop() ?? '';
      for (const line of parts) {
        const level = /"level":(\d+)/.exec(line)?.[1];
        if (level !== undefined && Number(level) >= 50) this.errorsLogged++;
        if (line.includes('cloud lost its broker connection')) this.brokerReconnects++;
      }
    });
    this.child.once('exit', (code, signal) => {
      this.exit = { code, signal };
    });
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

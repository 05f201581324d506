import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EchosimError } from '../../core/errors.js';

/**
 * A benchmark's cloud in its own Node process (cloud-child.ts): started, asked for its memory,
 * its embedded broker stopped and started (an outage), and stopped, over the IPC channel. For the
 * fleet benchmarks (bench-fleet.ts). The attack benchmarks run the `echosim cloud` CLI itself
 * instead and read its event stream (cloud-process.ts).
 */

export interface CloudChildConfig {
  /** The cloud's data directory. */
  dir: string;
  /** An external broker (Mosquitto); default the embedded one on a free port. */
  brokerUrl?: string;
  /** With brokerUrl: where the cloud writes Mosquitto's password and ACL files. */
  mosquittoAuthDir?: string;
}

export interface MemorySample {
  rssMb: number;
  /** After a full GC when the child runs with --expose-gc (`gc`). */
  heapUsedMb: number;
  externalMb: number;
  gc: boolean;
}

export type CloudChildRequest =
  | { type: 'sample' | 'stop-broker' | 'start-broker' | 'stop'; id: number }
  | { type: 'mosquitto-reloaded'; id: number };

export type CloudChildReply =
  | { type: 'ready'; brokerUrl: string; apiUrl: string; adminToken: string; pid: number }
  | { type: 'done'; id: number; sample?: MemorySample }
  | { type: 'failed'; id: number; message: string }
  | { type: 'reload-mosquitto'; id: number };

export interface CloudChildProcessOptions extends CloudChildConfig {
  /** Makes an external Mosquitto reread its password and ACL files (the child asks for it). */
  reloadMosquitto?: () => Promise<void>;
}

export class CloudChildProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (s: MemorySample | undefined) => void; reject: (e: Error) => void }>();
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly brokerUrl: string,
    readonly apiUrl: string,
    readonly adminToken: string,
    readonly pid: number,
  ) {}

  static async start(options: CloudChildProcessOptions): Promise<CloudChildProcess> {
    const { reloadMosquitto, ...config } = options;
    const entry = fileURLToPath(new URL('./cloud-child.js', import.meta.url));
    const child = fork(entry, [JSON.stringify(config)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let cloud: CloudChildProcess | undefined;
    const ready = await new Promise<Extract<CloudChildReply, { type: 'ready' }>>((resolve, reject) => {
      child.on('message', (raw) => {
        const m = raw as CloudChildReply;
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'reload-mosquitto') {
          void (reloadMosquitto?.() ?? Promise.resolve()).finally(() => {
            if (child.connected) child.send({ type: 'mosquitto-reloaded', id: m.id } satisfies CloudChildRequest);
          });
        } else if (m.type === 'failed' && m.id === 0) reject(new Error(m.message));
        else cloud?.settle(m);
      });
      child.once('exit', (code) => {
        if (cloud) cloud.gone(code);
        else reject(new Error(`the cloud process exited with ${String(code)} before it was ready`));
      });
    }).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw new EchosimError('BENCH_FAILED', `the benchmark's cloud did not start: ${(err as Error).message}`, {
        hint: 'Run `npx tsc -p tsconfig.json` first (it runs from dist/), and check the broker it was given.',
      });
    });
    cloud = new CloudChildProcess(child, ready.brokerUrl, ready.apiUrl, ready.adminToken, ready.pid);
    return cloud;
  }

  /** Its RSS, heap (after a full GC) and external memory now. */
  async sample(): Promise<MemorySample> {
    const s = await this.request('sample');
    if (!s) throw new Error('no memory sample');
    return s;
  }

  /** Stops the embedded broker: every client is dropped and reconnection is refused until startBroker(). */
  async stopBroker(): Promise<void> {
    await this.request('stop-broker');
  }

  async startBroker(): Promise<void> {
    await this.request('start-broker');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request('stop').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  }

  private request(type: 'sample' | 'stop-broker' | 'start-broker' | 'stop'): Promise<MemorySample | undefined> {
    if (this.exited) return Promise.reject(new Error('the cloud process has exited'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ type, id } satisfies CloudChildRequest);
    });
  }

  private settle(m: CloudChildReply): void {
    if (m.type !== 'done' && m.type !== 'failed') return;
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    if (m.type === 'done') w?.resolve(m.sample);
    else w?.reject(new Error(m.message));
  }

  private gone(code: number | null): void {
    this.exited = true;
    for (const w of this.waiting.values()) w.reject(new Error(`the cloud process exited (${String(code)})`));
    this.waiting.clear();
  }
}

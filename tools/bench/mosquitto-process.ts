import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeMosquittoAuth, writeMosquittoConfig, type MosquittoAuthFiles, type MosquittoTlsFiles, type MosquittoUser } from '../../cloud-link/broker/mosquitto-config.js';
import { PRIVATE_FILE_MODE } from '../../core/private-files.js';

/**
 * A real Mosquitto process for benchmarks and tests: its own temp directory, config, password and ACL
 * files (cloud-link/broker/mosquitto-config.ts), a free port, and a process that can be restarted on
 * the same port, or stopped for a while (an outage) and started again, and finally stopped for good;
 * or one whose password and ACL files the cloud then owns (startManagedMosquitto: `echosim cloud
 * --mosquitto-auth DIR --mosquitto-pid FILE`).
 *
 * Mosquitto comes from the system package that `bash tools/setup.sh` installs (Debian "mosquitto").
 */
const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/opt/homebrew/sbin/mosquitto', '/usr/local/bin/mosquitto'];

/** The mosquitto binary: $MOSQUITTO_BIN, then $PATH, then the usual sbin directories. */
export function findMosquitto(): string {
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'mosquitto'));
  const candidates = [process.env.MOSQUITTO_BIN, ...fromPath, ...CANDIDATES].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error('mosquitto is not installed: run `bash tools/setup.sh`, which installs it (Debian package "mosquitto"), or set MOSQUITTO_BIN.');
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface MosquittoOptions {
  /** Users to write into its own password and ACL files. */
  users?: MosquittoUser[];
  /** Or files written elsewhere (by the cloud's registry). */
  authFiles?: MosquittoAuthFiles;
  /** Keep sessions across restarts (default true). */
  persistence?: boolean;
  /** Serve mqtts:// with these files (its `url` says so). */
  tls?: MosquittoTlsFiles;
}

export class MosquittoBroker {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(
    readonly dir: string,
    readonly configFile: string,
    readonly port: number,
    readonly authFiles: MosquittoAuthFiles,
    private readonly bin: string,
    private readonly tls: boolean,
  ) {}

  /** Starts Mosquitto on a free port and resolves once it accepts TCP connections. */
  static async start(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
    const bin = findMosquitto();
    const dir = mkdtempSync(path.join(tmpdir(), 'echosim-mosquitto-'));
    try {
      const authFiles = options.authFiles ?? (await writeMosquittoAuth(path.join(dir, 'auth'), options.users ?? []));
      // Another process may grab the port between freePort() and mosquitto's bind: try a few.
      for (let attempt = 0; ; attempt++) {
        const port = await freePort();
        const configFile = await writeMosquittoConfig(dir, {
          port,
          ...authFiles,
          ...(options.persistence === false ? {} : { persistenceDir: path.join(dir, 'data') }),
          ...(process.getuid?.() === 0 ? { runAsUser: 'root' } : {}),
          ...(options.tls ? { tls: options.tls } : {}),
        });
        const broker = new MosquittoBroker(dir, configFile, port, authFiles, bin, options.tls !== undefined);
        try {
          await broker.launch();
          return broker;
        } catch (err) {
          if (attempt >= 3) throw err;
        }
      }
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  get url(): string {
    return `${this.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What Mosquitto logged (its stderr), for failure messages. */
  get log(): string {
    return this.output;
  }

  /** Rereads the password and ACL files (SIGHUP), e.g. after the cloud registered a device. */
  async reload(users?: MosquittoUser[]): Promise<void> {
    if (users) await writeMosquittoAuth(path.dirname(this.authFiles.passwordFile), users);
    this.child?.kill('SIGHUP');
  }

  /** Stops it (SIGTERM: it saves its persistence) and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.pause();
    await this.resume();
  }

  /** Stops the process (SIGTERM: it saves its persistence) and keeps its files: an outage until resume(). */
  async pause(): Promise<void> {
    await this.terminate();
  }

  /** Starts it again on the same port after pause(); resolves once it accepts TCP connections. */
  async resume(): Promise<void> {
    if (!this.child) await this.launch();
  }

  /** SIGTERM, waits for the exit, removes the temp directory. */
  async stop(): Promise<void> {
    await this.terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const child = spawn(this.bin, ['-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const append = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-64 * 1024);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exitCode: number | null | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        exitCode = code;
        resolve();
      });
      child.once('error', (err) => {
        this.output += `\nspawn failed: ${err.message}`;
        exitCode = -1;
        resolve();
      });
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) break;
      if (await canConnect(this.port, '127.0.0.1')) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    await this.terminate();
    throw new Error(`mosquitto did not start on port ${this.port} (exit ${String(exitCode)}):\n${this.output}`);
  }

  private async terminate(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}

export interface ManagedMosquitto {
  url: string;
  /** Where the cloud writes `passwd` and `acl` (--mosquitto-auth). */
  authDir: string;
  /** Mosquitto's pid, for the cloud's SIGHUP (--mosquitto-pid). */
  pidFile: string;
  stop(): Promise<void>;
}

/** Starts Mosquitto with no users yet, its auth files in `<dir>/auth`, for a cloud that manages them. */
export async function startManagedMosquitto(dir: string): Promise<ManagedMosquitto> {
  const authDir = path.join(dir, 'auth');
  const broker = await MosquittoBroker.start({ authFiles: await writeMosquittoAuth(authDir, []), persistence: false });
  const pidFile = path.join(dir, 'mosquitto.pid');
  writeFileSync(pidFile, `${broker.pid ?? ''}\n`, { mode: PRIVATE_FILE_MODE });
  return { url: broker.url, authDir, pidFile, stop: () => broker.stop() };
}

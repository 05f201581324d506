import { spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';
import { writeMosquittoAuth, writeMosquittoConfig } from '../../cloud-link/broker/mosquitto-config.js';

/**
 * A real Mosquitto for benchmarks and tests: the binary found on this machine, a free port, and a
 * process started on the echosim config (cloud-link/broker/mosquitto-config.ts) whose password and
 * ACL files the cloud then owns (`echosim cloud --mosquitto-auth DIR --mosquitto-pid FILE`).
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

export function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ManagedMosquitto {
  url: string;
  /** Where the cloud writes `passwd` and `acl` (--mosquitto-auth). */
  authDir: string;
  /** Mosquitto's pid, for the cloud's SIGHUP (--mosquitto-pid). */
  pidFile: string;
  stop(): Promise<void>;
}

/** Starts Mosquitto in `dir` with no users yet, for a cloud that manages its auth files. */
export async function startManagedMosquitto(dir: string): Promise<ManagedMosquitto> {
  const bin = findMosquitto();
  const authDir = path.join(dir, 'auth');
  const authFiles = await writeMosquittoAuth(authDir, []);
  const port = await freePort();
  const configFile = await writeMosquittoConfig(dir, { port, ...authFiles, ...(process.getuid?.() === 0 ? { runAsUser: 'root' } : {}) });
  const child = spawn(bin, ['-c', configFile], { stdio: ['ignore', 'ignore', 'ignore'] });
  const pidFile = path.join(dir, 'mosquitto.pid');
  writeFileSync(pidFile, `${child.pid ?? ''}\n`);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port, '127.0.0.1'))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    authDir,
    pidFile,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      await exit;
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EchosimError } from '../../core/errors.js';
import { A4bClient } from '../a4b-client.js';

/**
 * A cloud in its own process for load benchmarks: `echosim cloud` from this build on free ports,
 * with a fresh data directory and no wake-word model, so the load generator and the server do not
 * share an event loop (a flood measured in one process would time the generator as much as the cloud).
 */
export interface FloodCloud {
  apiUrl: string;
  mqttUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const START_LIMIT_MS = 60_000;

export async function startFloodCloud(): Promise<FloodCloud> {
  const root = mkdtempSync(path.join(tmpdir(), 'echosim-bench-flood-'));
  const dataDir = path.join(root, 'cloud');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const logFile = path.join(root, 'cloud.log');
  const logFd = openSync(logFile, 'w', 0o600);
  const child = spawn(
    process.execPath,
    [CLI, 'cloud', '--data', dataDir, '--http-port', String(httpPort), '--mqtt-port', String(mqttPort), '--no-verify'],
    { stdio: ['ignore', 'ignore', logFd] },
  );
  closeSync(logFd);
  const cloud: FloodCloud = {
    apiUrl: `http://127.0.0.1:${httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    dataDir,
    stop: async () => {
      await stopChild(child);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await waitHealthy(cloud.apiUrl, child, logFile);
    return cloud;
  } catch (err) {
    await cloud.stop();
    throw err;
  }
}

async function waitHealthy(apiUrl: string, child: ChildProcess, logFile: string): Promise<void> {
  const client = new A4bClient({ endpoint: apiUrl, token: 'unused', timeoutMs: 1000 });
  const deadline = Date.now() + START_LIMIT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await client.health()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = readFileSync(logFile, 'utf8').split('\n').slice(-5).join('\n');
  throw new EchosimError('BENCH_FAILED', `the benchmark's cloud did not come up at ${apiUrl}`, {
    hint: `Run \`npm run build\` first. Its log ends with:\n${tail}`,
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

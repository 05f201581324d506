import { spawn } from 'node:child_process';
import path from 'node:path';

export const CLI = path.join(process.cwd(), 'dist', 'tools', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /**
   * stdout's JSON lines (`listen`, `device --events jsonl`), parsed when first read: commands that
   * print pretty multi-line JSON (`a4b`) leave it unread and use `stdout`.
   */
  readonly lines: Array<Record<string, unknown>>;
}

/** Runs the built `echosim` CLI (npm test builds it first). */
export function runCli(args: string[], options: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let lines: Array<Record<string, unknown>> | undefined;
      resolve({
        code,
        stdout,
        stderr,
        get lines() {
          lines ??= stdout
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as Record<string, unknown>);
          return lines;
        },
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running CLI process (`echosim cloud`), its JSON lines read as they come. */
export interface RunningCli {
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  /** Everything printed on stdout so far. */
  readonly stdout: () => string;
  /** Resolves with the first match of `pattern` in stdout (same rules as waitForLine). */
  waitForText(pattern: RegExp, limitMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the first JSON line matching `match` (rejects if the process exits first or after `limitMs`). */
  waitForLine(match: (line: Record<string, unknown>) => boolean, limitMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let pending = '';
  let stderr = '';
  let stdout = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve((exitCode = code))));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const l of parts) if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    lines,
    stderr: () => stderr,
    stdout: () => stdout,
    async waitForText(pattern, limitMs = 30_000) {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const m = stdout.match(pattern);
        if (m) return m;
        if (exitCode !== undefined) throw new Error(`echosim exited (${String(exitCode)}) before ${String(pattern)} appeared; stdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; stdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async waitForLine(match, limitMs = 30_000) {
      const deadline = Date.now() + limitMs;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (exitCode !== undefined) throw new Error(`echosim exited (${String(exitCode)}) before the line appeared; stderr:\n${stderr.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for a line; stderr:\n${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}

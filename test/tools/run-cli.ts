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

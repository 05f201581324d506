import { spawn } from 'node:child_process';

/** How runTool reports a tool that cannot start, or that exits with a failure. */
export interface RunToolErrors {
  /** The tool could not be started (not installed, not executable). */
  notStarted(cause: Error): Error;
  /** It exited with a status other than 0; `stderr` is its first few hundred characters. */
  failed(status: number | null, stderr: string): Error;
}

/**
 * Runs a command-line tool (no shell: each argument is passed as is) to its end, its stdout ignored
 * and the start of its stderr kept for the error. Resolves when it exits with status 0.
 */
export function runTool(cmd: string, args: readonly string[], errors: RunToolErrors): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr.length < 1000 && (stderr += d.toString())));
    child.on('error', (cause) => reject(errors.notStarted(cause)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(errors.failed(code, stderr.trim().slice(0, 300)))));
  });
}

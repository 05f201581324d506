/**
 * A real pseudo-terminal for tests of what a person sees: a command run in a tmux pane of a given
 * size, on a tmux server of the test's own (its own socket, no user configuration), whose screen is
 * read back as text with `capture-pane`. The pane stays after the command exits, so its last screen
 * and exit status can be read.
 *
 * tmux comes from the system package that `bash tools/setup.sh` installs. When it is missing the
 * tests fail saying so; they do not skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SESSION = 'echosim-test';

export function findTmux(): string {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'pipe' });
    return 'tmux';
  } catch {
    throw new Error('tmux is not installed: run `bash tools/setup.sh`, which installs it (Debian package "tmux").');
  }
}

export interface TmuxPaneOptions {
  columns: number;
  rows: number;
  cwd: string;
  /** Variables set for the command (on top of the test's environment). */
  env?: Record<string, string>;
}

export class TmuxPane {
  private readonly dir: string;
  private readonly socket: string;
  /** The command's process id (the pane runs it directly, without a shell). */
  readonly pid: number;
  /** The tmux server's process id (its command line still holds the pane's command). */
  readonly serverPid: number;

  private constructor(command: readonly string[], options: TmuxPaneOptions) {
    findTmux();
    this.dir = mkdtempSync(path.join(tmpdir(), 'echosim-tmux-'));
    this.socket = path.join(this.dir, 'socket');
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux(
      ['new-session', '-d', '-s', SESSION, '-x', String(options.columns), '-y', String(options.rows), '-c', options.cwd, ...env, ...command],
      [';', 'set-option', '-t', SESSION, 'remain-on-exit', 'on'],
    );
    this.pid = Number(this.display('#{pane_pid}'));
    this.serverPid = Number(this.display('#{pid}'));
  }

  /** Starts `command` (argv, no shell) in a pane of `columns` x `rows`. */
  static start(command: readonly string[], options: TmuxPaneOptions): TmuxPane {
    return new TmuxPane(command, options);
  }

  /**
   * The screen as text lines (no colours), trailing blank lines dropped; with `history`, the
   * scrollback first. The line tmux adds under an exited command ("Pane is dead ...") is left out.
   */
  capture(options: { history?: boolean } = {}): string[] {
    const text = this.tmux(['capture-pane', '-p', '-t', SESSION, ...(options.history ? ['-S', '-'] : [])]);
    const lines = text.split('\n');
    const blank = (): boolean => (lines[lines.length - 1] ?? '').trim() === '';
    while (lines.length > 0 && blank()) lines.pop();
    if (/^Pane is dead \(/.test(lines[lines.length - 1] ?? '')) lines.pop();
    while (lines.length > 0 && blank()) lines.pop();
    return lines;
  }

  /** Polls the screen until `ready` holds; throws with the last screen after `limitMs`. */
  async waitFor(ready: (screen: string[]) => boolean, limitMs = 60_000, options: { history?: boolean } = {}): Promise<string[]> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const screen = this.capture(options);
      if (ready(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal did not show what was expected within ${limitMs} ms; it shows:\n${screen.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Keys as tmux names them, e.g. 'C-c'. */
  sendKeys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', SESSION, ...keys]);
  }

  /** Resizes the terminal; the command gets SIGWINCH. */
  resize(columns: number, rows: number): void {
    this.tmux(['resize-window', '-t', SESSION, '-x', String(columns), '-y', String(rows)]);
  }

  /** Waits for the command to exit and returns its exit status. */
  async exitStatus(limitMs = 30_000): Promise<number> {
    const deadline = Date.now() + limitMs;
    while (this.display('#{pane_dead}') !== '1') {
      if (Date.now() > deadline) throw new Error(`the command did not exit within ${limitMs} ms; the terminal shows:\n${this.capture().join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Number(this.display('#{pane_dead_status}'));
  }

  /** Stops the tmux server (and with it anything still running in the pane) and removes its socket. */
  close(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private display(format: string): string {
    return this.tmux(['display-message', '-p', '-t', SESSION, format]).trim();
  }

  private tmux(args: readonly string[], more: readonly string[] = []): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args, ...more], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

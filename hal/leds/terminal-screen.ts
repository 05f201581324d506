import type { Writable } from 'node:stream';
import { rootLogger, type Logger } from '../../core/log.js';

/** A stream a screen is drawn on; `isTTY` decides whether its status area is redrawn in place. */
export type TerminalStream = Pick<Writable, 'write' | 'on' | 'off'> & {
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
};

/** The terminal's size when it is known (a TTY). */
export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

/** The status area's lines for a terminal of this size (undefined: size unknown). */
export type StatusLines = (size: ScreenSize | undefined) => readonly string[];

export interface TerminalScreenOptions {
  /** Redraw the status area in place with cursor movement. Default: when the stream is a TTY. */
  readonly live?: boolean;
  readonly logger?: Logger;
}

const ESC = '\x1b[';
export const ANSI = {
  hideCursor: `${ESC}?25l`,
  showCursor: `${ESC}?25h`,
  clearLine: `${ESC}2K`,
  reset: `${ESC}0m`,
  /** Cursor up n lines, then to column 1. */
  up: (n: number): string => `${ESC}${n}A\r`,
  /** Cursor down n lines, then to column 1 (never scrolls). */
  down: (n: number): string => `${ESC}${n}B\r`,
  /**
   * Clears the cursor's line and the n lines above it, leaving the cursor at column 1 of the top one.
   * Line by line rather than "erase below": from the top left corner that erases the whole screen,
   * which some terminals (tmux's scroll-on-clear) answer by pushing the screen into the scrollback.
   */
  clearUp: (n: number): string => `\r${ESC}2K${`${ESC}1A${ESC}2K`.repeat(n)}`,
} as const;

/** An escape sequence (CSI ... final byte) at the start of a string. */
const CSI = /^\x1b\[[0-9;?]*[ -/]*[@-~]/;

/**
 * One terminal shared by lines that scroll (a running commentary, log-like messages) and a status
 * area below them that is redrawn in place (the light ring). On a TTY, a printed line goes where the
 * status area was (its lines are erased first) and the status area is drawn again under it, in one
 * write, so the lines read top to bottom and exactly one status area is ever on the screen. Status
 * lines are cut to the terminal's width so none wraps (a wrapped line would throw the cursor
 * arithmetic off), and a resize (SIGWINCH) redraws them for the new size. The cursor is hidden while
 * a status area is shown and shown again on close (also if the process exits without closing).
 * When the stream is not a TTY, printed lines are written as they are and there is no status area.
 */
export class TerminalScreen {
  readonly live: boolean;
  private readonly stream: TerminalStream;
  private readonly log: Logger;
  private status: StatusLines | undefined;
  /** Status lines on the screen now, so the next draw can move up over them. */
  private drawnLines = 0;
  private cursorHidden = false;
  private broken = false;
  private closed = false;
  private readonly restoreOnExit = (): void => {
    this.stream.write(ANSI.reset + ANSI.showCursor);
  };
  private readonly onStreamError = (err: Error): void => {
    if (!this.broken) this.log.warn({ err }, 'the terminal cannot be written to; drawing stops');
    this.broken = true;
  };
  private readonly onResize = (): void => {
    if (this.status) this.write(this.redraw());
  };

  constructor(stream: TerminalStream, options: TerminalScreenOptions = {}) {
    this.stream = stream;
    this.live = options.live ?? stream.isTTY === true;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/leds/terminal-screen' });
    stream.on('error', this.onStreamError);
    if (this.live) stream.on('resize', this.onResize);
  }

  /** The terminal's size, when the stream knows it. */
  get size(): ScreenSize | undefined {
    const { columns, rows } = this.stream;
    return columns && rows ? { columns, rows } : undefined;
  }

  /** Lines that scroll: above the status area on a TTY, written as they are otherwise. */
  print(...lines: string[]): void {
    if (lines.length === 0) return;
    const text = lines.map((l) => `${l}\n`).join('');
    if (!this.live || this.closed || this.drawnLines === 0) {
      this.write(text);
      return;
    }
    this.write(`${ANSI.clearUp(this.drawnLines)}${text}${this.statusText()}`);
  }

  /**
   * Shows (or replaces) the status area; `lines` is called again whenever it is redrawn (after a
   * printed line, after a resize). Nothing is drawn when the screen is not live.
   */
  showStatus(lines: StatusLines): void {
    if (!this.live || this.closed) return;
    this.status = lines;
    this.write(this.redraw());
  }

  /** Erases the status area (and the cursor's line under it); the cursor ends where the area began. */
  clearStatus(): void {
    if (this.closed) return;
    this.status = undefined;
    if (this.drawnLines > 0) this.write(ANSI.clearUp(this.drawnLines));
    this.drawnLines = 0;
  }

  /**
   * Stops drawing the status area and shows the cursor again; later printed lines are written as
   * they are. The status area stays on the screen as last drawn unless `clearStatus`.
   */
  close(options: { clearStatus?: boolean } = {}): void {
    if (this.closed) return;
    if (options.clearStatus) this.clearStatus();
    this.closed = true;
    this.status = undefined;
    if (this.cursorHidden) {
      process.off('exit', this.restoreOnExit);
      if (!this.broken) this.stream.write(ANSI.reset + ANSI.showCursor);
      this.cursorHidden = false;
    }
    this.stream.off('error', this.onStreamError);
    this.stream.off('resize', this.onResize);
  }

  /** Moves up over the status area and draws it again over itself, clearing what is left when it got shorter. */
  private redraw(): string {
    const before = this.drawnLines;
    let out = '';
    if (!this.cursorHidden) {
      out += ANSI.hideCursor;
      this.cursorHidden = true;
      process.once('exit', this.restoreOnExit);
    }
    if (before > 0) out += ANSI.up(before);
    out += this.statusText();
    // Shorter than before: clear the lines left over (and the cursor's line below them), come back.
    const left = before - this.drawnLines;
    if (left > 0) out += `${ANSI.down(left)}${ANSI.clearUp(left)}`;
    return out;
  }

  /** The status lines for the current size, each on a cleared line; records how many were drawn. */
  private statusText(): string {
    const size = this.size;
    let lines = this.status?.(size) ?? [];
    // Keep a row for the cursor: a status area taller than the terminal scrolls its top away.
    if (size && lines.length > size.rows - 1) lines = lines.slice(lines.length - Math.max(0, size.rows - 1));
    this.drawnLines = lines.length;
    return lines.map((l) => `${ANSI.clearLine}${size ? fitWidth(l, size.columns - 1) : l}\n`).join('');
  }

  private write(text: string): void {
    if (this.broken || text === '') return;
    this.stream.write(text);
  }
}

/**
 * The line cut to `width` visible characters; escape sequences (colours) are kept and cost nothing.
 * A cut line ends with a colour reset so the cut does not leave a colour on.
 */
export function fitWidth(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; ) {
    const esc = line[i] === '\x1b' ? CSI.exec(line.slice(i)) : null;
    if (esc) {
      out += esc[0];
      i += esc[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i) ?? 0);
    if (visible >= width) return `${out}${ANSI.reset}`;
    out += ch;
    visible++;
    i += ch.length;
  }
  return out;
}

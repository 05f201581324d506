import type { Writable } from 'node:stream';
import { rootLogger, type Logger } from '../log.js';
import type { LedFrame, LedRenderer, Rgb } from './types.js';

/** The stream the ring is drawn on; `isTTY` decides whether it is redrawn in place. */
export type TerminalStream = Pick<Writable, 'write' | 'on' | 'off'> & { readonly isTTY?: boolean };

export interface TerminalRingOptions {
  /** Default process.stderr (stdout carries the CLI's JSON lines). */
  readonly stream?: TerminalStream;
  /**
   * 'ring': the LEDs around a circle, seen from above, LED 0 (azimuth 0, microphone 0) at the top and
   * indices growing counter-clockwise, the label beside it. 'line': LED 0..L-1 on one line, then the
   * label. Default 'ring' when the LEDs fit on the circle without two sharing a cell, else 'line'.
   */
  readonly layout?: 'ring' | 'line';
  /** Redraw over the previous frame with cursor movement. Default: when the stream is a TTY. */
  readonly inPlace?: boolean;
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
  /** 24-bit foreground colour. */
  fg: (c: Rgb): string => `${ESC}38;2;${c.r};${c.g};${c.b}m`,
} as const;

/** A lit LED, and a dark one (drawn grey and hollow so the ring keeps its shape when off). */
export const LED_GLYPH = '●';
export const DARK_GLYPH = '○';
const DARK_COLOR: Rgb = { r: 70, g: 70, b: 70 };

/** Ring geometry in character cells: cells are about twice as tall as wide, so columns are doubled. */
const RING_RADIUS_ROWS = 4;
const RING_RADIUS_COLS = 2 * RING_RADIUS_ROWS;

/**
 * The LED ring drawn with 24-bit ANSI colour, for running echosim in a terminal as a physical Echo
 * stand-in. A frame is drawn only when it differs from the last one drawn; on a TTY it is redrawn in
 * place (cursor up, clear line) with the cursor hidden, and close() shows the cursor again (also if
 * the process exits without closing). On a non-TTY stream every change is appended as one line.
 */
export class TerminalRingRenderer implements LedRenderer {
  private readonly stream: TerminalStream;
  private readonly layout: 'ring' | 'line' | undefined;
  private readonly inPlace: boolean;
  private readonly log: Logger;
  /** Lines drawn last time, so the next frame can move up over them; 0 before the first frame. */
  private drawnLines = 0;
  private lastText: string | undefined;
  private cursorHidden = false;
  private broken = false;
  private closed = false;
  private readonly restoreOnExit = (): void => {
    this.stream.write(ANSI.reset + ANSI.showCursor);
  };
  private readonly onStreamError = (err: Error): void => {
    if (!this.broken) this.log.warn({ err }, 'the terminal LED ring cannot write to its stream; it stops drawing');
    this.broken = true;
  };

  constructor(options: TerminalRingOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.layout = options.layout;
    this.inPlace = options.inPlace ?? this.stream.isTTY === true;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/leds/terminal' });
    this.stream.on('error', this.onStreamError);
  }

  async render(frame: LedFrame): Promise<void> {
    if (this.closed || this.broken) return;
    const lines = this.lines(frame);
    const text = lines.join('\n');
    if (text === this.lastText) return;
    this.lastText = text;
    let out = '';
    if (this.inPlace) {
      if (!this.cursorHidden) {
        out += ANSI.hideCursor;
        this.cursorHidden = true;
        process.once('exit', this.restoreOnExit);
      }
      if (this.drawnLines > 0) out += ANSI.up(this.drawnLines);
      out += lines.map((l) => `${ANSI.clearLine}${l}\n`).join('');
      this.drawnLines = lines.length;
    } else {
      out += `${text}\n`;
    }
    this.stream.write(out);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.cursorHidden) {
      process.off('exit', this.restoreOnExit);
      if (!this.broken) this.stream.write(ANSI.reset + ANSI.showCursor);
      this.cursorHidden = false;
    }
    this.stream.off('error', this.onStreamError);
  }

  /** The text lines of one frame (with colour codes), in the configured or best-fitting layout. */
  lines(frame: LedFrame): string[] {
    const label = frame.label ?? '';
    const cells = this.layout === 'line' ? undefined : ringCells(frame.leds.length);
    if (!cells) {
      const dots = frame.leds.map(glyph).join(' ');
      return [label ? `${dots}  ${label}` : dots];
    }
    const rows = Array.from({ length: 2 * RING_RADIUS_ROWS + 1 }, () => Array<string>(2 * RING_RADIUS_COLS + 1).fill(' '));
    frame.leds.forEach((c, k) => {
      const cell = cells[k];
      const row = cell && rows[cell.row];
      if (row) row[cell.col] = glyph(c);
    });
    return rows.map((r, i) => {
      const line = r.join('').trimEnd();
      if (i !== RING_RADIUS_ROWS || !label) return line;
      return `${r.join('')}   ${label}`;
    });
  }
}

function glyph(c: Rgb): string {
  const dark = c.r <= 0 && c.g <= 0 && c.b <= 0;
  const rounded = { r: clampByte(c.r), g: clampByte(c.g), b: clampByte(c.b) };
  return dark ? `${ANSI.fg(DARK_COLOR)}${DARK_GLYPH}${ANSI.reset}` : `${ANSI.fg(rounded)}${LED_GLYPH}${ANSI.reset}`;
}

function clampByte(v: number): number {
  return Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v))) : 0;
}

/**
 * Character cells of `n` LEDs on the drawn circle: LED k at azimuth 360·k/n counter-clockwise from
 * the top. undefined when two LEDs would share a cell (large rings): those are drawn as a line.
 */
export function ringCells(n: number): Array<{ row: number; col: number }> | undefined {
  const cells: Array<{ row: number; col: number }> = [];
  const seen = new Set<string>();
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    const row = Math.round(RING_RADIUS_ROWS - RING_RADIUS_ROWS * Math.cos(a));
    // Counter-clockwise seen from above with 0 at the top: a quarter turn lands on the left.
    const col = Math.round(RING_RADIUS_COLS - RING_RADIUS_COLS * Math.sin(a));
    const key = `${row},${col}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    cells.push({ row, col });
  }
  return cells;
}

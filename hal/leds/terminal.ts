import type { Logger } from '../../core/log.js';
import { ANSI as SCREEN_ANSI, TerminalScreen, type ScreenSize, type TerminalStream } from './terminal-screen.js';
import type { LedFrame, LedRenderer, Rgb } from './types.js';

export type { TerminalStream } from './terminal-screen.js';

export interface TerminalRingOptions {
  /**
   * The screen to draw on, shared with whoever prints lines to the same terminal (they scroll above
   * the ring). Default: a screen of the ring's own on `stream`, closed with the renderer.
   */
  readonly screen?: TerminalScreen;
  /** Without `screen`: the stream to draw on. Default process.stderr (stdout carries the CLI's JSON lines). */
  readonly stream?: TerminalStream;
  /**
   * 'ring': the LEDs around a circle, seen from above, LED 0 (azimuth 0, microphone 0) at the top and
   * indices growing counter-clockwise, the label beside it. 'line': LED 0..L-1 on one line, then the
   * label. Default 'ring' when the LEDs fit on the circle without two sharing a cell and the terminal
   * has the rows for it, else 'line'.
   */
  readonly layout?: 'ring' | 'line';
  /** Without `screen`: redraw over the previous frame with cursor movement. Default: when the stream is a TTY. */
  readonly inPlace?: boolean;
  readonly logger?: Logger;
}

export const ANSI = {
  ...SCREEN_ANSI,
  /** 24-bit foreground colour. */
  fg: (c: Rgb): string => `\x1b[38;2;${c.r};${c.g};${c.b}m`,
} as const;

/** A lit LED, and a dark one (drawn grey and hollow so the ring keeps its shape when off). */
export const LED_GLYPH = '●';
export const DARK_GLYPH = '○';
const DARK_COLOR: Rgb = { r: 70, g: 70, b: 70 };

/** Ring geometry in character cells: cells are about twice as tall as wide, so columns are doubled. */
const RING_RADIUS_ROWS = 4;
const RING_RADIUS_COLS = 2 * RING_RADIUS_ROWS;
/** Rows the drawn ring takes; a terminal with fewer than this plus a few rows for text gets the line. */
const RING_ROWS = 2 * RING_RADIUS_ROWS + 1;
const RING_MIN_TERMINAL_ROWS = RING_ROWS + 4;

/**
 * The LED ring drawn with 24-bit ANSI colour, for running echosim in a terminal as a physical Echo
 * stand-in. A frame is drawn only when it differs from the last one drawn. On a TTY the ring is the
 * screen's status area (terminal-screen.ts): redrawn in place, below any lines printed on the same
 * screen, with the cursor hidden until close. On a non-TTY stream every change is appended as lines.
 */
export class TerminalRingRenderer implements LedRenderer {
  private readonly screen: TerminalScreen;
  private readonly ownScreen: boolean;
  private readonly layout: 'ring' | 'line' | undefined;
  private lastText: string | undefined;
  private closed = false;

  constructor(options: TerminalRingOptions = {}) {
    this.ownScreen = options.screen === undefined;
    this.screen =
      options.screen ??
      new TerminalScreen(options.stream ?? process.stderr, {
        ...(options.inPlace === undefined ? {} : { live: options.inPlace }),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    this.layout = options.layout;
  }

  async render(frame: LedFrame): Promise<void> {
    if (this.closed) return;
    const size = this.screen.size;
    const text = this.lines(frame, size).join('\n');
    if (text === this.lastText) return;
    this.lastText = text;
    if (this.screen.live) this.screen.showStatus((s) => this.lines(frame, s));
    else this.screen.print(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownScreen) this.screen.close();
  }

  /**
   * The text lines of one frame (with colour codes), in the configured or best-fitting layout for a
   * terminal of `size` (the ring needs RING_MIN_TERMINAL_ROWS rows).
   */
  lines(frame: LedFrame, size?: ScreenSize): string[] {
    const label = frame.label ?? '';
    const fits = size === undefined || size.rows >= RING_MIN_TERMINAL_ROWS;
    const cells = this.layout === 'line' || (this.layout === undefined && !fits) ? undefined : ringCells(frame.leds.length);
    if (!cells) {
      const dots = frame.leds.map(glyph).join(' ');
      return [label ? `${dots}  ${label}` : dots];
    }
    const rows = Array.from({ length: RING_ROWS }, () => Array<string>(2 * RING_RADIUS_COLS + 1).fill(' '));
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

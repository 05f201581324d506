import { EventEmitter } from 'node:events';
import { ringCells, TerminalRingRenderer } from '../../../hal/leds/terminal.js';
import { TerminalScreen } from '../../../hal/leds/terminal-screen.js';
import type { LedFrame } from '../../../hal/leds/types.js';

/** A terminal stand-in that keeps every write, so the escape codes can be checked byte for byte. */
class FakeTty extends EventEmitter {
  writes: string[] = [];
  columns?: number;
  rows?: number;
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(chunk: string | Uint8Array): boolean {
    this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }
}

const ring = (n: number, lit: Record<number, [number, number, number]>, label?: string): LedFrame => ({
  at: 0,
  leds: Array.from({ length: n }, (_, k) => {
    const c = lit[k];
    return c ? { r: c[0], g: c[1], b: c[2] } : { r: 0, g: 0, b: 0 };
  }),
  ...(label ? { label } : {}),
});

const RED_DOT = '\x1b[38;2;255;0;0m●\x1b[0m';
const DARK_DOT = '\x1b[38;2;70;70;70m○\x1b[0m';
/** The text with colour codes removed, to check the shape. */
const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('TerminalRingRenderer', () => {
  test('line layout: each LED in 24-bit colour, dark ones grey, then the state name', async () => {
    const tty = new FakeTty(false);
    const r = new TerminalRingRenderer({ stream: tty, layout: 'line' });
    await r.render(ring(3, { 0: [255, 0, 0], 2: [1, 2, 3] }, 'mic-off'));
    expect(tty.writes).toEqual([`${RED_DOT} ${DARK_DOT} \x1b[38;2;1;2;3m●\x1b[0m  mic-off\n`]);
    await r.close();
    expect(tty.writes).toHaveLength(1); // not a TTY: the cursor was never hidden
  });

  test('on a TTY: hides the cursor, redraws in place only when the frame changes, restores the cursor on close', async () => {
    const tty = new FakeTty(true);
    const r = new TerminalRingRenderer({ stream: tty, layout: 'line' });
    await r.render(ring(2, { 0: [255, 0, 0] }, 'mic-off'));
    await r.render({ ...ring(2, { 0: [255, 0, 0] }, 'mic-off'), at: 50 }); // same look, later: nothing drawn
    await r.render(ring(2, { 1: [255, 0, 0] }, 'mic-off'));
    await r.close();
    await r.close();
    expect(tty.writes).toEqual([
      `\x1b[?25l\x1b[2K${RED_DOT} ${DARK_DOT}  mic-off\n`,
      `\x1b[1A\r\x1b[2K${DARK_DOT} ${RED_DOT}  mic-off\n`,
      '\x1b[0m\x1b[?25h',
    ]);
    expect(tty.listenerCount('error')).toBe(0);
  });

  test('ring layout: 12 LEDs around a circle seen from above, LED 0 on top, LED 3 (90°) on the left, redrawn 9 lines up', async () => {
    const tty = new FakeTty(true);
    const r = new TerminalRingRenderer({ stream: tty });
    await r.render(ring(12, { 0: [255, 0, 0], 3: [0, 255, 0], 6: [0, 0, 255], 9: [255, 255, 255] }, 'listening'));
    const lines = plain(tty.writes[0]!.replace('\x1b[?25l', '')).split('\n').map((l) => l.replace('\x1b[2K', ''));
    expect(lines).toHaveLength(10); // 9 rows and the empty tail after the last newline
    expect(lines[0]).toBe('        ●');
    expect(lines[4]).toBe('●               ●   listening');
    expect(lines[8]).toBe('        ●');
    // Colour placement: top = LED 0 (red), left = LED 3 (green), bottom = LED 6 (blue), right = LED 9 (white).
    const rows = tty.writes[0]!.split('\n');
    expect(rows[0]).toContain('\x1b[38;2;255;0;0m●');
    expect(rows[4]!.indexOf('\x1b[38;2;0;255;0m●')).toBeLessThan(rows[4]!.indexOf('\x1b[38;2;255;255;255m●'));
    expect(rows[8]).toContain('\x1b[38;2;0;0;255m●');
    await r.render(ring(12, {}, 'off'));
    expect(tty.writes[1]!.startsWith('\x1b[9A\r\x1b[2K')).toBe(true);
    expect(tty.writes[1]!.split('\x1b[2K')).toHaveLength(10);
    await r.close();
  });

  test('rings too dense for the drawn circle fall back to a line', () => {
    expect(ringCells(12)).toHaveLength(12);
    expect(ringCells(64)).toBeUndefined();
    const r = new TerminalRingRenderer({ stream: new FakeTty(false) });
    expect(r.lines(ring(64, {}))).toHaveLength(1);
    expect(r.lines(ring(3, {}))).toHaveLength(9);
  });

  test('on a shared screen: lines printed there go above the ring, and a terminal too short for the circle gets the line', async () => {
    const tty = new FakeTty(true);
    tty.columns = 80;
    tty.rows = 24;
    const screen = new TerminalScreen(tty);
    const r = new TerminalRingRenderer({ screen });
    await r.render(ring(12, {}, 'off'));
    screen.print('  2.00 s  wake word');
    const shown = plain(tty.writes.join(''));
    expect(shown.lastIndexOf('wake word')).toBeLessThan(shown.lastIndexOf('off'));
    await r.close(); // the screen is not the renderer's: it stays open, the cursor hidden
    expect(tty.writes.join('')).not.toContain('\x1b[?25h');
    tty.rows = 12;
    tty.emit('resize');
    expect(plain(tty.writes[tty.writes.length - 1]!)).toMatch(/\x1b\[2K(○ ){11}○ {2}off\n/);
    screen.close();
  });

  test('a stream error stops drawing instead of crashing the device', async () => {
    const tty = new FakeTty(true);
    const r = new TerminalRingRenderer({ stream: tty, layout: 'line' });
    await r.render(ring(1, { 0: [9, 9, 9] }));
    tty.emit('error', new Error('EPIPE'));
    await r.render(ring(1, {}));
    await r.close();
    expect(tty.writes).toHaveLength(1);
  });
});

import { EventEmitter } from 'node:events';
import { ANSI, fitWidth, TerminalScreen, type ScreenSize } from '../../../hal/leds/terminal-screen.js';

/** A terminal stand-in that keeps every write; `columns`/`rows` can change, then 'resize' is emitted. */
class FakeTty extends EventEmitter {
  writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    public columns?: number,
    public rows?: number,
  ) {
    super();
  }
  write(chunk: string | Uint8Array): boolean {
    this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

const status = (...lines: string[]) => (): string[] => lines;
const drawn = (...lines: string[]): string => lines.map((l) => `${ANSI.clearLine}${l}\n`).join('');

describe('TerminalScreen', () => {
  test('not a terminal: printed lines are written as they are, there is no status area and no escape code', () => {
    const tty = new FakeTty(false, 80, 24);
    const screen = new TerminalScreen(tty);
    expect(screen.live).toBe(false);
    screen.print('one', 'two');
    screen.showStatus(status('ring'));
    screen.print('three');
    screen.close({ clearStatus: true });
    expect(tty.writes.join('')).toBe('one\ntwo\nthree\n');
  });

  test('a printed line takes the status area\'s place, which is drawn again under it in the same write', () => {
    const tty = new FakeTty(true, 80, 24);
    const screen = new TerminalScreen(tty);
    screen.print('before any status');
    screen.showStatus(status('r1', 'r2'));
    screen.print('narration');
    screen.showStatus(status('r1', 'R2'));
    expect(tty.writes).toEqual([
      'before any status\n',
      `${ANSI.hideCursor}${drawn('r1', 'r2')}`,
      // clear the cursor's line and the two status lines (line by line, never "erase below"), then the line, then the status
      `\r\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2Knarration\n${drawn('r1', 'r2')}`,
      `${ANSI.up(2)}${drawn('r1', 'R2')}`,
    ]);
    screen.close();
  });

  test('status lines are cut to the width (colours cost nothing) and a resize redraws them for the new size', () => {
    const tty = new FakeTty(true, 12, 24);
    const screen = new TerminalScreen(tty);
    const sizes: Array<ScreenSize | undefined> = [];
    screen.showStatus((size) => {
      sizes.push(size);
      return ['\x1b[31m●\x1b[0m 0123456789abcdef'];
    });
    expect(tty.writes[0]).toBe(`${ANSI.hideCursor}${drawn('\x1b[31m●\x1b[0m 012345678\x1b[0m')}`);
    tty.resize(40, 24);
    expect(tty.writes[1]).toBe(`${ANSI.up(1)}${drawn('\x1b[31m●\x1b[0m 0123456789abcdef')}`);
    expect(sizes).toEqual([
      { columns: 12, rows: 24 },
      { columns: 40, rows: 24 },
    ]);
    screen.close();
    expect(tty.listenerCount('resize')).toBe(0);
    expect(tty.listenerCount('error')).toBe(0);
  });

  test('a status area taller than the terminal keeps its last lines and a row for the cursor', () => {
    const tty = new FakeTty(true, 80, 3);
    const screen = new TerminalScreen(tty);
    screen.showStatus(status('a', 'b', 'c', 'd'));
    expect(tty.writes[0]).toBe(`${ANSI.hideCursor}${drawn('c', 'd')}`);
    screen.close();
  });

  test('a status area that gets shorter clears the lines it no longer uses and leaves the cursor under it', () => {
    const tty = new FakeTty(true, 80, 24);
    const screen = new TerminalScreen(tty);
    screen.showStatus(status('a', 'b', 'c'));
    screen.showStatus(status('x'));
    expect(tty.writes[1]).toBe(`${ANSI.up(3)}${drawn('x')}\x1b[2B\r\r\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K`);
    screen.close();
  });

  test('close shows the cursor again (once), clears the status area when asked, and later lines are plain', () => {
    const tty = new FakeTty(true, 80, 24);
    const screen = new TerminalScreen(tty);
    const exitListeners = process.listenerCount('exit');
    screen.showStatus(status('ring'));
    expect(process.listenerCount('exit')).toBe(exitListeners + 1); // shows the cursor if the process exits first
    screen.close({ clearStatus: true });
    screen.close();
    screen.print('after');
    screen.showStatus(status('ignored'));
    expect(tty.writes.slice(1)).toEqual(['\r\x1b[2K\x1b[1A\x1b[2K', `${ANSI.reset}${ANSI.showCursor}`, 'after\n']);
    expect(process.listenerCount('exit')).toBe(exitListeners);
  });

  test('a stream that fails stops the drawing instead of crashing', () => {
    const tty = new FakeTty(true, 80, 24);
    const screen = new TerminalScreen(tty);
    screen.showStatus(status('ring'));
    tty.emit('error', new Error('EPIPE'));
    screen.print('lost');
    screen.close();
    expect(tty.writes).toHaveLength(1);
  });
});

describe('fitWidth', () => {
  test('counts characters, not escape codes or bytes, and resets the colour when it cuts', () => {
    expect(fitWidth('abc', 3)).toBe('abc');
    expect(fitWidth('abcd', 3)).toBe(`abc${ANSI.reset}`);
    expect(fitWidth('\x1b[38;2;1;2;3m●\x1b[0m○x', 2)).toBe(`\x1b[38;2;1;2;3m●\x1b[0m○${ANSI.reset}`);
    expect(fitWidth('', 0)).toBe('');
  });
});

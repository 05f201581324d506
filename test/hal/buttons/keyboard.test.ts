import { PassThrough } from 'node:stream';
import { KeyboardButtons, keyAction } from '../../../hal/buttons/keyboard.js';
import type { ButtonEdge, ButtonName } from '../../../hal/buttons/types.js';
import { VirtualClock } from '../../../core/clock.js';

const ECHO: readonly ButtonName[] = ['action', 'mic-off', 'volume-up', 'volume-down'];
const TRIO: readonly ButtonName[] = ['mute', 'call', 'volume-up', 'volume-down'];

/** A PassThrough dressed as a TTY: it records raw-mode switches, the lowest layer of a terminal. */
class FakeTty extends PassThrough {
  readonly isTTY = true;
  isRaw = false;
  readonly modes: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.modes.push(mode);
    this.isRaw = mode;
    return this;
  }
}

function setup(buttons: readonly ButtonName[], input: PassThrough = new PassThrough()) {
  const clock = new VirtualClock(1000);
  const edges: ButtonEdge[] = [];
  let quits = 0;
  const driver = new KeyboardButtons({ buttons, clock, input, onQuit: () => quits++ });
  driver.start((e) => edges.push(e));
  /** Writes keys and lets the stream deliver them. */
  const type = async (keys: string): Promise<void> => {
    input.write(keys);
    await new Promise<void>((r) => setImmediate(r));
  };
  return { clock, edges, driver, type, quits: () => quits };
}

describe('keyAction', () => {
  test('the key map, per model', () => {
    expect(keyAction('m', ECHO)).toEqual({ button: 'mic-off' });
    expect(keyAction('M', ECHO)).toEqual({ button: 'mic-off' });
    expect(keyAction('m', TRIO)).toEqual({ button: 'mute' });
    expect(keyAction('a', ECHO)).toEqual({ button: 'action' });
    expect(keyAction(' ', ECHO)).toEqual({ button: 'action' });
    expect(keyAction('c', TRIO)).toEqual({ button: 'call' });
    expect(keyAction('c', ECHO)).toBeUndefined();
    expect(keyAction('a', TRIO)).toBeUndefined();
    expect(keyAction('+', ECHO)).toEqual({ button: 'volume-up' });
    expect(keyAction('=', TRIO)).toEqual({ button: 'volume-up' });
    expect(keyAction('-', ECHO)).toEqual({ button: 'volume-down' });
    expect(keyAction('q', ECHO)).toEqual({ quit: true });
    expect(keyAction('\u0003', ECHO)).toEqual({ quit: true });
    expect(keyAction('x', ECHO)).toBeUndefined();
  });
});

describe('KeyboardButtons', () => {
  test('each key is a click: down now, up 100 ms later on the clock', async () => {
    const { clock, edges, type, driver } = setup(ECHO);
    await type('m');
    expect(edges).toEqual([{ button: 'mic-off', pressed: true, at: 1000 }]);
    await clock.advance(99);
    expect(edges).toHaveLength(1);
    await clock.advance(1);
    expect(edges[1]).toEqual({ button: 'mic-off', pressed: false, at: 1100 });
    await type('a+-');
    await clock.advance(100);
    expect(edges.slice(2)).toEqual([
      { button: 'action', pressed: true, at: 1100 },
      { button: 'volume-up', pressed: true, at: 1100 },
      { button: 'volume-down', pressed: true, at: 1100 },
      { button: 'action', pressed: false, at: 1200 },
      { button: 'volume-up', pressed: false, at: 1200 },
      { button: 'volume-down', pressed: false, at: 1200 },
    ]);
    await driver.close();
  });

  test('on a Trio m is mute and c is call; keys for absent buttons do nothing', async () => {
    const { clock, edges, type, driver } = setup(TRIO);
    await type('macx');
    await clock.advance(100);
    expect(edges.map((e) => `${e.button}:${e.pressed}`)).toEqual(['mute:true', 'call:true', 'mute:false', 'call:false']);
    await driver.close();
  });

  test('a repeated key while its button is down holds it (terminal auto-repeat)', async () => {
    const { clock, edges, type, driver } = setup(ECHO);
    await type(' ');
    for (let i = 0; i < 5; i++) {
      await clock.advance(50);
      await type(' ');
    }
    await clock.advance(100);
    expect(edges).toEqual([
      { button: 'action', pressed: true, at: 1000 },
      { button: 'action', pressed: false, at: 1350 },
    ]);
    await driver.close();
  });

  test('q and Ctrl-C call onQuit; arrow keys (escape sequences) press nothing', async () => {
    const { clock, edges, type, quits, driver } = setup(ECHO);
    await type('\u001b[A\u001b[D\u001bOP');
    await clock.advance(200);
    expect(edges).toEqual([]);
    await type('q\u0003');
    expect(quits()).toBe(2);
    await driver.close();
  });

  test('a TTY goes into raw mode and back to its old mode on close; listeners are removed; no edges after', async () => {
    const tty = new FakeTty();
    const { clock, edges, type, driver } = setup(ECHO, tty);
    expect(tty.modes).toEqual([true]);
    expect(tty.listenerCount('data')).toBe(1);
    await type('a');
    await driver.close();
    expect(tty.modes).toEqual([true, false]);
    expect(tty.listenerCount('data')).toBe(0);
    expect(clock.pending).toBe(0);
    await clock.advance(1000);
    expect(edges).toEqual([{ button: 'action', pressed: true, at: 1000 }]);
  });

  test('a TTY already in raw mode stays raw after close', async () => {
    const tty = new FakeTty();
    tty.isRaw = true;
    const { driver } = setup(ECHO, tty);
    await driver.close();
    expect(tty.modes).toEqual([true, true]);
  });
});

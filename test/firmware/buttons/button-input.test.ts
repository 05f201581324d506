import { ButtonInput } from '../../../firmware/buttons/button-input.js';
import { Debouncer } from '../../../firmware/buttons/debouncer.js';
import { ButtonRecognizer, type ButtonEvents } from '../../../firmware/buttons/press-recognizer.js';
import { ScriptedButtons } from '../../../hal/buttons/scripted.js';
import type { ButtonEdge, ButtonName } from '../../../hal/buttons/types.js';
import { VirtualClock } from '../../../core/clock.js';

type Logged = string;

/** Every event as `name button @at [heldMs]`, in order. */
function log(r: ButtonRecognizer): Logged[] {
  const out: Logged[] = [];
  const names: Array<keyof ButtonEvents> = ['down', 'up', 'click', 'hold'];
  for (const name of names) {
    r.on(name, (e: { button: ButtonName; at: number; heldMs?: number }) =>
      out.push(`${name} ${e.button} @${e.at}${e.heldMs === undefined ? '' : ` held ${e.heldMs}`}`),
    );
  }
  return out;
}

const edge = (pressed: boolean, at: number, button: ButtonName = 'action'): ButtonEdge => ({ button, pressed, at });

/** Feeds edges at their own times on the clock, as a driver would deliver them. */
async function feed(clock: VirtualClock, sink: (e: ButtonEdge) => void, edges: ButtonEdge[]): Promise<void> {
  for (const e of edges) {
    await clock.advanceTo(e.at);
    sink(e);
  }
}

describe('Debouncer', () => {
  test('a new level is accepted only once it has held 20 ms; it carries the time it began', async () => {
    const clock = new VirtualClock();
    const out: ButtonEdge[] = [];
    const d = new Debouncer(clock, (e) => out.push(e));
    await feed(clock, (e) => d.edge(e), [edge(true, 100), edge(false, 102), edge(true, 105), edge(false, 109), edge(true, 111)]);
    await clock.advanceTo(130);
    expect(out).toEqual([]);
    await clock.advanceTo(131);
    expect(out).toEqual([edge(true, 111)]);
    expect(d.isPressed('action')).toBe(true);
  });

  test('glitches shorter than the debounce time never produce an edge', async () => {
    const clock = new VirtualClock();
    const out: ButtonEdge[] = [];
    const d = new Debouncer(clock, (e) => out.push(e));
    await feed(clock, (e) => d.edge(e), [edge(true, 10), edge(false, 29), edge(true, 500), edge(false, 505)]);
    await clock.advance(1000);
    expect(out).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  test('a burst delivered late, in one piece, is judged by its own times', async () => {
    const clock = new VirtualClock(1000);
    const out: ButtonEdge[] = [];
    const d = new Debouncer(clock, (e) => out.push(e));
    // Pressed from 500 (after a bounce), released at 580 with a bounce: the release that stuck began at 582.
    // Everything is delivered at 1000.
    for (const e of [edge(true, 498), edge(false, 499), edge(true, 500), edge(false, 580), edge(true, 581), edge(false, 582)]) d.edge(e);
    expect(out).toEqual([edge(true, 500)]);
    await clock.advance(20);
    expect(out).toEqual([edge(true, 500), edge(false, 582)]);
  });

  test('buttons are independent; a repeated level keeps its start time', async () => {
    const clock = new VirtualClock();
    const out: ButtonEdge[] = [];
    const d = new Debouncer(clock, (e) => out.push(e));
    await feed(clock, (e) => d.edge(e), [edge(true, 0, 'volume-up'), edge(true, 5, 'volume-down'), edge(true, 15, 'volume-up')]);
    await clock.advanceTo(25);
    expect(out).toEqual([edge(true, 0, 'volume-up'), edge(true, 5, 'volume-down')]);
  });
});

describe('ButtonRecognizer', () => {
  test('a short press is down, up, click', () => {
    const clock = new VirtualClock();
    const r = new ButtonRecognizer(clock);
    const events = log(r);
    r.edge(edge(true, 0));
    r.edge(edge(false, 300));
    expect(events).toEqual(['down action @0', 'up action @300 held 300', 'click action @300']);
  });

  test('a press past longPressMs but before any threshold is down and up only', async () => {
    const clock = new VirtualClock();
    const r = new ButtonRecognizer(clock);
    const events = log(r);
    await feed(clock, (e) => r.edge(e), [edge(true, 0), edge(false, 3000)]);
    expect(events).toEqual(['down action @0', 'up action @3000 held 3000']);
  });

  test('hold fires once per threshold while still held, at down + threshold', async () => {
    const clock = new VirtualClock();
    const r = new ButtonRecognizer(clock, { holdThresholdsMs: [7000, 3000], longPressMs: 500 });
    const events = log(r);
    r.edge(edge(true, 0));
    await clock.advanceTo(2999);
    expect(events).toEqual(['down action @0']);
    await clock.advanceTo(3000);
    expect(events.at(-1)).toBe('hold action @3000 held 3000');
    await clock.advanceTo(9000);
    r.edge(edge(false, 9000));
    expect(events).toEqual(['down action @0', 'hold action @3000 held 3000', 'hold action @7000 held 7000', 'up action @9000 held 9000']);
  });

  test('a release arriving after a threshold passed but before its timer ran still reports the hold first', () => {
    const clock = new VirtualClock(10_000);
    const r = new ButtonRecognizer(clock);
    const events = log(r);
    r.edge(edge(true, 1000));
    r.edge(edge(false, 9000));
    expect(events).toEqual(['down action @1000', 'hold action @8000 held 7000', 'up action @9000 held 8000']);
    expect(clock.pending).toBe(0);
  });

  test('a second down or a stray up is ignored; stop() cancels hold timers', () => {
    const clock = new VirtualClock();
    const r = new ButtonRecognizer(clock);
    const events = log(r);
    r.edge(edge(false, 0));
    r.edge(edge(true, 10));
    r.edge(edge(true, 20));
    expect(events).toEqual(['down action @10']);
    expect(r.pressed).toEqual(['action']);
    r.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('ButtonInput (debouncer + recognizer)', () => {
  test('stable mode: a bouncy press and release give exactly one click, timed from the real contact', async () => {
    const clock = new VirtualClock();
    const input = new ButtonInput(clock, { debounce: 'stable' });
    const events = log(input);
    await feed(clock, (e) => input.edge(e), [
      edge(true, 1000), edge(false, 1001), edge(true, 1003), edge(false, 1004), edge(true, 1006),
      edge(false, 1150), edge(true, 1152), edge(false, 1155),
    ]);
    await clock.advance(100);
    expect(events).toEqual(['down action @1006', 'up action @1155 held 149', 'click action @1155']);
  });

  test('stable mode: an 8 s hold gives down, hold at 7000 ms, up, and no click', async () => {
    const clock = new VirtualClock();
    const input = new ButtonInput(clock, { debounce: 'stable' });
    const events = log(input);
    await feed(clock, (e) => input.edge(e), [edge(true, 2000), edge(false, 2004), edge(true, 2008), edge(false, 10_008)]);
    await clock.advance(100);
    expect(events).toEqual(['down action @2008', 'hold action @9008 held 7000', 'up action @10008 held 8000']);
  });

  test('options reach both stages; stop() leaves no timers', async () => {
    const clock = new VirtualClock();
    const input = new ButtonInput(clock, { debounce: 'stable', debounceMs: 50, longPressMs: 200, holdThresholdsMs: [1000] });
    const events = log(input);
    await feed(clock, (e) => input.edge(e), [edge(true, 0), edge(false, 40), edge(true, 100), edge(false, 350)]);
    await clock.advance(100);
    expect(events).toEqual(['down action @100', 'up action @350 held 250']);
    input.edge(edge(true, clock.now()));
    input.stop();
    expect(clock.pending).toBe(0);
    await clock.advance(5000);
    expect(events).toHaveLength(2);
  });

  test('leading mode (the default): a bouncy press acts at its first edge, and the bounce gives nothing more', async () => {
    const clock = new VirtualClock();
    const input = new ButtonInput(clock);
    const events = log(input);
    const downs: number[] = [];
    input.on('down', (e) => downs.push(clock.now() - e.at));
    await feed(clock, (e) => input.edge(e), [
      edge(true, 1000), edge(false, 1001), edge(true, 1003), edge(false, 1004), edge(true, 1006),
      edge(false, 1150), edge(true, 1152), edge(false, 1155),
    ]);
    await clock.advance(100);
    expect(events).toEqual(['down action @1000', 'up action @1150 held 150', 'click action @1150']);
    expect(downs).toEqual([0]); // delivered at the instant of the press, not after a settling time
  });

  test('leading mode: a release during the lock is accepted when the lock ends', async () => {
    const clock = new VirtualClock();
    const input = new ButtonInput(clock, { debounceMs: 50 });
    const events = log(input);
    await feed(clock, (e) => input.edge(e), [edge(true, 0), edge(false, 40)]);
    await clock.advance(100);
    expect(events).toEqual(['down action @0', 'up action @50 held 50', 'click action @50']);
    input.stop();
    expect(clock.pending).toBe(0);
  });

  test('a button script through the device input: clicks, and the 8 s setup-mode hold', async () => {
    const clock = new VirtualClock();
    const input = new ButtonInput(clock);
    const events = log(input);
    const script = ScriptedButtons.fromScript('1.5:mic-off,6.0:action,10:action:8', ['action', 'mic-off', 'volume-up', 'volume-down'], clock);
    script.start((e) => input.edge(e));
    await clock.advanceTo(20_000);
    expect(script.remaining).toBe(0);
    expect(events).toEqual([
      'down mic-off @1500',
      'up mic-off @1600 held 100',
      'click mic-off @1600',
      'down action @6000',
      'up action @6100 held 100',
      'click action @6100',
      'down action @10000',
      'hold action @17000 held 7000',
      'up action @18000 held 8000',
    ]);
  });
});

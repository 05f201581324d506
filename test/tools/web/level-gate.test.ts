import { LevelGate } from '../../../tools/web/level-gate.js';

/** When the input level goes to a device page (tools/web/level-gate.ts). */

const lvl = (dbfs: number | null, queuedMs = 0): { dbfs: number | null; queuedMs: number } => ({ dbfs, queuedMs });

test('an unchanged level is never sent; the snapshot counts as sent', () => {
  const g = new LevelGate(500);
  g.reset(lvl(-60));
  expect(g.take(0, lvl(-60), false)).toBeUndefined();
  expect(g.take(1000, lvl(-60), true)).toBeUndefined();
  expect(g.take(1000, lvl(-59), false)).toEqual(lvl(-59));
});

test('a level alone goes out at most once per interval of device time; what it says then is the latest', () => {
  const g = new LevelGate(500);
  const sent: Array<[number, number | null]> = [];
  // Speech: a new level at every 250 ms batch tick for 3 s.
  for (let t = 0; t <= 3000; t += 250) {
    const out = g.take(t, lvl(-40 - (t / 250) * 2), false);
    if (out) sent.push([t, out.dbfs]);
  }
  expect(sent).toEqual([
    [0, -40],
    [500, -44],
    [1000, -48],
    [1500, -52],
    [2000, -56],
    [2500, -60],
    [3000, -64],
  ]);
});

test('a batch that goes out anyway carries a changed level at once, and restarts the interval', () => {
  const g = new LevelGate(500);
  expect(g.take(0, lvl(-50), false)).toEqual(lvl(-50));
  expect(g.take(250, lvl(-40), true)).toEqual(lvl(-40)); // with a state change: not held back
  expect(g.take(500, lvl(-30), false)).toBeUndefined(); // alone, 250 ms after the last
  expect(g.take(750, lvl(-30), false)).toEqual(lvl(-30));
});

test('the microphones going off (null) and page audio draining are changes too', () => {
  const g = new LevelGate(500);
  g.reset(lvl(-50, 0));
  expect(g.take(0, lvl(null, 0), false)).toEqual(lvl(null, 0));
  expect(g.take(500, lvl(null, 320), false)).toEqual(lvl(null, 320));
  g.reset();
  expect(g.take(510, lvl(null, 320), false)).toEqual(lvl(null, 320)); // a new client: nothing known yet
});

test('while page audio is queued, and when it has drained, the level goes out at every batch (the page paces its WAV by it)', () => {
  const g = new LevelGate(500);
  expect(g.take(0, lvl(-50, 0), false)).toEqual(lvl(-50, 0));
  expect(g.take(250, lvl(-30, 1000), false)).toEqual(lvl(-30, 1000));
  expect(g.take(500, lvl(-31, 750), false)).toEqual(lvl(-31, 750));
  expect(g.take(750, lvl(-32, 500), false)).toEqual(lvl(-32, 500));
  expect(g.take(1000, lvl(-33, 0), false)).toEqual(lvl(-33, 0)); // drained: said at once
  expect(g.take(1250, lvl(-50, 0), false)).toBeUndefined(); // the device's own audio again: at most every 500 ms
  expect(g.take(1500, lvl(-50, 0), false)).toEqual(lvl(-50, 0));
});

import { VirtualClock } from '../../../core/clock.js';
import { BatchPacer } from '../../../tools/web/batch-pacer.js';

/**
 * When the device page's batches go out (tools/web/batch-pacer.ts): on the device's clock, so a
 * watched device wakes for nothing of the page's own; a wall-clock guard only while something waits.
 */
function pacer(): { device: VirtualClock; wall: VirtualClock; p: BatchPacer; flushes: number[] } {
  const device = new VirtualClock();
  const wall = new VirtualClock();
  const flushes: number[] = [];
  const p = new BatchPacer({ device, wall, intervalMs: 250, stallMs: 1000, flush: () => flushes.push(device.now()) });
  return { device, wall, p, flushes };
}

/** Device time and wall time moving together, as on a device hearing its microphone in real time. */
async function realTime(device: VirtualClock, wall: VirtualClock, ms: number, step = 80): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await wall.advance(step);
    await device.advance(step);
  }
}

test('a batch every 250 ms of device time, and no wall-clock timer left waiting between them', async () => {
  const { device, wall, p, flushes } = pacer();
  p.start();
  await device.advance(249);
  expect(flushes).toEqual([]);
  p.pending();
  expect(wall.pending).toBe(1); // the stall guard
  await wall.advance(1);
  await device.advance(1);
  expect(flushes).toEqual([250]);
  expect(wall.pending).toBe(0);
  await realTime(device, wall, 760);
  expect(flushes).toEqual([250, 500, 750, 1000]);
  expect(wall.pending).toBe(0);
});

test('when device time stands still, what waits goes out on the wall-clock guard', async () => {
  const { wall, p, flushes } = pacer();
  p.start();
  await wall.advance(5000);
  expect(flushes).toEqual([]); // nothing waited
  p.pending();
  p.pending();
  await wall.advance(999);
  expect(flushes).toEqual([]);
  await wall.advance(1);
  expect(flushes).toHaveLength(1);
  expect(wall.pending).toBe(0);
});

test('a device faster than real time (--fast) gets batches at most twice per interval of wall time', async () => {
  const { device, wall, p, flushes } = pacer();
  p.start();
  await device.advance(10_000);
  expect(flushes).toEqual([250]);
  await wall.advance(125);
  await device.advance(250);
  expect(flushes).toEqual([250, 10_250]);
});

test('stop leaves no timer on either clock, and a stopped pacer arms no guard', async () => {
  const { device, wall, p, flushes } = pacer();
  p.start();
  p.pending();
  p.stop();
  expect(device.pending).toBe(0);
  expect(wall.pending).toBe(0);
  p.pending();
  expect(wall.pending).toBe(0);
  await realTime(device, wall, 2000);
  expect(flushes).toEqual([]);
});

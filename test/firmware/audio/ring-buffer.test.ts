import { AudioRingBuffer, DEFAULT_RING_CAPACITY } from '../../../firmware/audio/ring-buffer.js';
import { isEchosimError } from '../../../core/errors.js';

/** Samples whose value encodes their absolute index, so any misplaced sample is visible. */
function ramp(start: number, n: number): Int16Array {
  const a = new Int16Array(n);
  for (let i = 0; i < n; i++) a[i] = (start + i) % 32000;
  return a;
}

function expectRamp(out: Int16Array, start: number, n: number): void {
  expect(Array.from(out.subarray(0, n))).toEqual(Array.from(ramp(start, n)));
}

describe('AudioRingBuffer', () => {
  test('wraps around and keeps absolute indices', () => {
    const ring = new AudioRingBuffer({ capacity: 1000 });
    const reader = ring.createReader();
    const out = new Int16Array(300);
    let written = 0;
    let read = 0;
    for (let round = 0; round < 20; round++) {
      ring.write(ramp(written, 300));
      written += 300;
      const n = reader.read(out);
      expect(n).toBe(300);
      expectRamp(out, read, n);
      read += n;
    }
    expect(ring.writeIndex).toBe(6000);
    expect(ring.oldestIndex).toBe(5000);
    expect(reader.position).toBe(6000);
  });

  test('several readers at different positions read the same audio independently', () => {
    const ring = new AudioRingBuffer({ capacity: 1600 });
    ring.write(ramp(0, 1000));
    const late = ring.createReader(200);
    const live = ring.createReader();
    ring.write(ramp(1000, 500));
    const out = new Int16Array(2000);
    expect(late.read(out)).toBe(1300);
    expectRamp(out, 200, 1300);
    expect(live.read(out)).toBe(500);
    expectRamp(out, 1000, 500);
    expect(ring.readerCount).toBe(2);
    late.close();
    expect(ring.readerCount).toBe(1);
  });

  test('a reader that fell behind gets RING_OVERRUN, with how much it lost', () => {
    const ring = new AudioRingBuffer({ capacity: 1000 });
    const slow = ring.createReader();
    ring.write(ramp(0, 800));
    ring.write(ramp(800, 800));
    let caught: unknown;
    try {
      slow.read(new Int16Array(100));
    } catch (err) {
      caught = err;
    }
    expect(isEchosimError(caught, 'RING_OVERRUN')).toBe(true);
    expect((caught as { details: { lostSamples: number } }).details.lostSamples).toBe(600);
    // Seeking to the oldest held sample recovers the reader.
    slow.seek(ring.oldestIndex);
    const out = new Int16Array(1000);
    expect(slow.read(out)).toBe(1000);
    expectRamp(out, 600, 1000);
  });

  test('seeking before the oldest sample or past the write position is refused', () => {
    const ring = new AudioRingBuffer({ capacity: 100 });
    ring.write(ramp(0, 250));
    expect(() => ring.createReader(149)).toThrow(expect.objectContaining({ code: 'RING_INDEX_OUT_OF_RANGE' }));
    expect(() => ring.createReader(251)).toThrow(expect.objectContaining({ code: 'RING_INDEX_OUT_OF_RANGE' }));
    expect(ring.createReader(150).available()).toBe(100);
  });

  test('a write larger than the capacity keeps only the newest samples', () => {
    const ring = new AudioRingBuffer({ capacity: 100 });
    ring.write(ramp(0, 350));
    expect(ring.writeIndex).toBe(350);
    const out = new Int16Array(100);
    expect(ring.createReader(250).read(out)).toBe(100);
    expectRamp(out, 250, 100);
  });

  test('clear drops held audio so no pre-roll survives; a gap in indices starts afresh', () => {
    const ring = new AudioRingBuffer({ capacity: 1000 });
    ring.write(ramp(0, 500));
    const reader = ring.createReader(100);
    ring.clear();
    expect(ring.oldestIndex).toBe(500);
    expect(() => reader.read(new Int16Array(10))).toThrow(expect.objectContaining({ code: 'RING_OVERRUN' }));
    ring.write(ramp(900, 100), 900);
    expect(ring.oldestIndex).toBe(900);
    expect(() => ring.createReader(500)).toThrow(expect.objectContaining({ code: 'RING_INDEX_OUT_OF_RANGE' }));
    const out = new Int16Array(100);
    expect(ring.createReader(900).read(out)).toBe(100);
    expectRamp(out, 900, 100);
  });

  test('out-of-order writes and too many readers are clear errors', () => {
    const ring = new AudioRingBuffer({ capacity: 100, maxReaders: 2 });
    ring.write(ramp(0, 50));
    expect(() => ring.write(ramp(10, 5), 10)).toThrow(expect.objectContaining({ code: 'RING_INDEX_OUT_OF_RANGE' }));
    ring.createReader();
    ring.createReader();
    expect(() => ring.createReader()).toThrow(expect.objectContaining({ code: 'RING_TOO_MANY_READERS' }));
  });
});

test('a ring holds no audio memory until the first write (an idle device of a fleet costs no 320 KB ring)', () => {
  const rings: AudioRingBuffer[] = [];
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 50; i++) rings.push(new AudioRingBuffer());
  const idle = process.memoryUsage().arrayBuffers - before;
  // 50 rings of 10 s would be 16 MB
  expect(idle).toBeLessThan(1024 * 1024);
  expect(rings[0]!.createReader().read(new Int16Array(10))).toBe(0);
  for (const r of rings) r.write(new Int16Array([1, 2, 3]));
  expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(50 * DEFAULT_RING_CAPACITY * 2);
  const out = new Int16Array(3);
  const reader = rings[1]!.createReader(0);
  expect(reader.read(out)).toBe(3);
  expect([...out]).toEqual([1, 2, 3]);
});

import { SpentBuffers } from '../../models/spent-buffers.js';

/** What a batch frees at its end is freed (its arrays read as empty), and nothing else is. */
describe('SpentBuffers', () => {
  test('release detaches every added buffer once, views sharing a buffer included, and nothing else', () => {
    const spent = new SpentBuffers();
    const output = new Float32Array(1000).fill(1);
    const row = output.subarray(100, 200); // a view over the same buffer
    const other = new Int16Array(10).fill(7);
    const kept = new Float32Array(10).fill(2);
    spent.add(output, row, other);
    expect(spent.size).toBe(2); // two distinct buffers
    expect(row[0]).toBe(1); // still readable until the release
    spent.release();
    expect(spent.size).toBe(0);
    expect(output.length).toBe(0);
    expect(row.length).toBe(0);
    expect(other.length).toBe(0);
    expect(output.buffer.byteLength).toBe(0);
    expect(Array.from(kept)).toEqual(new Array(10).fill(2));
  });

  test('a release with nothing added, a detached buffer and an empty array are harmless', () => {
    const spent = new SpentBuffers();
    spent.release();
    const a = new Float32Array(4);
    spent.add(a);
    spent.release();
    spent.add(a, new Float32Array(0)); // already detached, and empty: nothing to free
    expect(spent.size).toBe(0);
    spent.release();
    const b = new Float32Array(4).fill(3);
    spent.add(b);
    spent.release();
    expect(b.length).toBe(0);
  });
});

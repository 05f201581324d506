import { MultichannelHistory } from '../../../../firmware/audio/doa/multichannel-history.js';
import { isEchosimError } from '../../../../core/errors.js';
import type { MicFrame } from '../../../../hal/mic/types.js';

/** A frame whose sample for channel c at absolute index i is c * 10000 + i (mod 10000), so reads are checkable. */
function frame(index: number, n: number, channels: number): MicFrame {
  const samples = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) samples[i * channels + c] = value(c, index + i);
  return { index, samples, channels };
}

function value(c: number, i: number): number {
  return c * 10000 + (i % 10000);
}

function expected(c: number, from: number, to: number): Int16Array {
  return Int16Array.from({ length: to - from }, (_, k) => value(c, from + k));
}

describe('MultichannelHistory', () => {
  it('holds the most recent capacity samples of every channel by absolute index', () => {
    const h = new MultichannelHistory(3, 3000);
    expect([h.oldestIndex, h.writeIndex]).toEqual([0, 0]);
    for (let s = 0; s < 5120; s += 1280) h.write(frame(s, 1280, 3));
    expect(h.writeIndex).toBe(5120);
    expect(h.oldestIndex).toBe(2120);
    const got = h.read(2120, 5120)!;
    expect(got).toHaveLength(3);
    for (let c = 0; c < 3; c++) expect(got[c]).toEqual(expected(c, 2120, 5120));
    // A span that wraps around the end of the ring storage.
    const mid = h.read(2999, 3001)!;
    expect(Array.from(mid[2]!)).toEqual([22999, 23000]);
  });

  it('read returns copies, and undefined for spans not fully held', () => {
    const h = new MultichannelHistory(2, 1000);
    h.write(frame(0, 1280, 2));
    expect(h.oldestIndex).toBe(280);
    expect(h.read(279, 300)).toBeUndefined(); // too old
    expect(h.read(1200, 1281)).toBeUndefined(); // not yet written
    expect(h.read(500, 400)).toBeUndefined(); // backwards
    expect(h.read(500.5, 600)).toBeUndefined();
    expect(h.read(700, 700)).toEqual([new Int16Array(0), new Int16Array(0)]);
    const a = h.read(280, 1280)!;
    a[0]![0] = -1;
    expect(h.read(280, 281)![0]![0]).toBe(value(0, 280));
  });

  it('the default capacity is 3 s at 16 kHz', () => {
    const h = new MultichannelHistory(4);
    expect(h.capacity).toBe(48000);
    for (let s = 0; s < 64000; s += 1280) h.write(frame(s, 1280, 4));
    expect(h.oldestIndex).toBe(64000 - 48000);
    expect(h.read(16000, 64000)![3]).toEqual(expected(3, 16000, 64000));
  });

  it('a frame that jumps forward discards older history (no span across the gap)', () => {
    const h = new MultichannelHistory(2, 8000);
    h.write(frame(0, 1280, 2));
    h.write(frame(1280, 1280, 2));
    h.write(frame(5000, 1280, 2));
    expect([h.oldestIndex, h.writeIndex]).toEqual([5000, 6280]);
    expect(h.read(1000, 2000)).toBeUndefined();
    expect(h.read(5000, 6280)![1]).toEqual(expected(1, 5000, 6280));
  });

  it('a frame that goes back (a restarted source) starts a new history', () => {
    const h = new MultichannelHistory(1, 8000);
    h.write(frame(4000, 1280, 1));
    h.write(frame(0, 100, 1));
    expect([h.oldestIndex, h.writeIndex]).toEqual([0, 100]);
    expect(h.read(0, 100)![0]).toEqual(expected(0, 0, 100));
  });

  it('a frame larger than the capacity keeps its newest samples; odd frame lengths work', () => {
    const h = new MultichannelHistory(2, 500);
    h.write(frame(0, 777, 2));
    expect([h.oldestIndex, h.writeIndex]).toEqual([277, 777]);
    expect(h.read(277, 777)![0]).toEqual(expected(0, 277, 777));
    h.write(frame(777, 333, 2));
    expect(h.read(610, 1110)![1]).toEqual(expected(1, 610, 1110));
  });

  it('clear() forgets everything; the next frame starts a history at its own index', () => {
    const h = new MultichannelHistory(2, 2000);
    h.write(frame(0, 1280, 2));
    h.clear();
    expect(h.read(0, 10)).toBeUndefined();
    expect(h.oldestIndex).toBe(h.writeIndex);
    h.write(frame(1280, 1280, 2));
    expect(h.oldestIndex).toBe(1280);
    expect(h.read(1280, 2560)![0]).toEqual(expected(0, 1280, 2560));
  });

  it('rejects frames with another channel count, with a stable code', () => {
    const h = new MultichannelHistory(4);
    let err: unknown;
    try {
      h.write(frame(0, 10, 2));
    } catch (e) {
      err = e;
    }
    expect(isEchosimError(err, 'AUDIO_FORMAT_INVALID')).toBe(true);
    expect(() => new MultichannelHistory(0)).toThrow(RangeError);
    expect(() => new MultichannelHistory(2, 0)).toThrow(RangeError);
    expect(() => h.write({ index: -5, samples: new Int16Array(4), channels: 4 })).toThrow(RangeError);
  });
});

import { toMono } from '../../../hal/mic/channel-policy.js';
import type { MicFrame } from '../../../hal/mic/types.js';

const frame: MicFrame = {
  index: 640,
  channels: 4,
  // sample frames: [1, 2, 3, 4], [-1, -2, -3, -4], [32767, 32767, 32767, 32766], [1, 2, 0, 0]
  samples: Int16Array.from([1, 2, 3, 4, -1, -2, -3, -4, 32767, 32767, 32767, 32766, 1, 2, 0, 0]),
};

describe('toMono', () => {
  it('picks one channel', () => {
    const mono = toMono(frame, { kind: 'channel', index: 2 });
    expect(mono.index).toBe(640);
    expect(Array.from(mono.samples)).toEqual([3, -3, 32767, 0]);
    expect(Array.from(toMono(frame, { kind: 'channel', index: 0 }).samples)).toEqual([1, -1, 32767, 1]);
  });

  it('takes the rounded mean (halves away from zero)', () => {
    // means: 2.5, -2.5, 32766.75, 0.75
    expect(Array.from(toMono(frame, { kind: 'mean' }).samples)).toEqual([3, -3, 32767, 1]);
  });

  it('writes into `out` when given', () => {
    const out = new Int16Array(4);
    const mono = toMono(frame, { kind: 'mean' }, out);
    expect(mono.samples).toBe(out);
    const again = toMono(frame, { kind: 'channel', index: 3 }, out);
    expect(again.samples).toBe(out);
    expect(Array.from(out)).toEqual([4, -4, 32766, 0]);
    // A longer `out` is used through a view of its start; a shorter one is not used.
    const long = new Int16Array(10).fill(9);
    const viewed = toMono(frame, { kind: 'channel', index: 1 }, long);
    expect(viewed.samples.buffer).toBe(long.buffer);
    expect(Array.from(viewed.samples)).toEqual([2, -2, 32767, 2]);
    expect(long[4]).toBe(9);
    expect(toMono(frame, { kind: 'mean' }, new Int16Array(2)).samples).toHaveLength(4);
  });

  it('passes mono frames through', () => {
    const m: MicFrame = { index: 0, channels: 1, samples: Int16Array.from([5, -7]) };
    expect(Array.from(toMono(m, { kind: 'mean' }).samples)).toEqual([5, -7]);
    expect(Array.from(toMono(m, { kind: 'channel', index: 0 }).samples)).toEqual([5, -7]);
  });

  it('refuses a channel the array does not have', () => {
    expect(() => toMono(frame, { kind: 'channel', index: 4 })).toThrow(
      expect.objectContaining({ code: 'AUDIO_FORMAT_INVALID', hint: expect.stringContaining('0 to 3') }),
    );
  });
});

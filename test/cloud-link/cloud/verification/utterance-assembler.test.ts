import { MAX_UTTERANCE_SAMPLES, UtteranceAssembler } from '../../../../cloud-link/cloud/verification/utterance-assembler.js';
import { MAX_UTTERANCE_CHUNKS } from '../../../../cloud-link/protocol/utterance-limits.js';

const ramp = (from: number, n: number): Int16Array => Int16Array.from({ length: n }, (_v, i) => from + i);

describe('UtteranceAssembler', () => {
  test('chunks out of order assemble into the original audio', () => {
    const a = new UtteranceAssembler();
    for (const [seq, offset] of [[2, 200], [0, 0], [3, 300], [1, 100]] as const) expect(a.add({ seq, offset, samples: ramp(offset, 100) })).toBe('added');
    const u = a.assemble();
    expect(u.audio).toEqual(ramp(0, 400));
    expect(u.gaps).toEqual([]);
    expect(u.missingSeqs).toEqual([]);
    expect(u.truncated).toBe(false);
    expect(a.contiguousSamples).toBe(400);
  });

  test('lost chunks are reported by seq and by sample range, and read as zeros', () => {
    const a = new UtteranceAssembler();
    a.add({ seq: 0, offset: 0, samples: ramp(1, 100) });
    a.add({ seq: 3, offset: 300, samples: ramp(301, 50) });
    expect(a.contiguousSamples).toBe(100);
    expect(a.extentSamples).toBe(350);
    expect(a.receivedSamples).toBe(150);
    expect(a.missingSeqs()).toEqual([1, 2]);
    // The device said it sent 6 chunks: the last two never came either.
    expect(a.missingSeqs(6)).toEqual([1, 2, 4, 5]);
    const u = a.assemble();
    expect(u.gaps).toEqual([{ offset: 100, samples: 200 }]);
    expect(Array.from(u.audio.subarray(95, 105))).toEqual([96, 97, 98, 99, 100, 0, 0, 0, 0, 0]);
    expect(u.audio[300]).toBe(301);
    expect(a.read(-10, 5)).toEqual(Int16Array.from([1, 2, 3, 4, 5]));
  });

  test('a retransmitted seq is ignored; with overlap the first chunk received wins', () => {
    const a = new UtteranceAssembler();
    a.add({ seq: 0, offset: 0, samples: ramp(0, 100) });
    expect(a.add({ seq: 0, offset: 0, samples: new Int16Array(100).fill(-1) })).toBe('duplicate');
    expect(a.add({ seq: 1, offset: 50, samples: new Int16Array(100).fill(-7) })).toBe('added');
    const u = a.assemble();
    expect(u.audio.length).toBe(150);
    expect(u.audio[49]).toBe(49);
    expect(u.audio[99]).toBe(99);
    expect(u.audio[100]).toBe(-7);
    expect(a.chunkCount).toBe(2);
  });

  test('the size is capped at 8 s plus the pre-roll: the excess is dropped and flagged', () => {
    expect(MAX_UTTERANCE_SAMPLES).toBe(136_000);
    const a = new UtteranceAssembler({ maxSamples: 1000 });
    expect(a.add({ seq: 0, offset: 900, samples: ramp(0, 200) })).toBe('truncated');
    expect(a.add({ seq: 1, offset: 1000, samples: ramp(0, 10) })).toBe('overflow');
    expect(a.extentSamples).toBe(1000);
    expect(a.assemble().truncated).toBe(true);
    expect(a.assemble().audio.length).toBe(1000);
  });

  test('the caller may reuse its buffer after add', () => {
    const a = new UtteranceAssembler();
    const buf = ramp(5, 10);
    a.add({ seq: 0, offset: 0, samples: buf });
    buf.fill(0);
    expect(a.assemble().audio).toEqual(ramp(5, 10));
  });

  test('malformed chunks are refused with a code and a hint', () => {
    const a = new UtteranceAssembler();
    for (const bad of [
      { seq: -1, offset: 0, samples: new Int16Array(1) },
      { seq: 0.5, offset: 0, samples: new Int16Array(1) },
      { seq: 0, offset: -3, samples: new Int16Array(1) },
      { seq: 0, offset: 0, samples: new Float32Array(1) as unknown as Int16Array },
    ]) {
      expect(() => a.add(bad)).toThrow(expect.objectContaining({ code: 'UTTERANCE_CHUNK_INVALID', hint: expect.stringContaining('seq') }));
    }
    expect(a.chunkCount).toBe(0);
  });

  test('a seq beyond the protocol bound is refused before anything is stored (it once meant an array of 4 billion missing seqs)', () => {
    const a = new UtteranceAssembler();
    expect(a.maxChunks).toBe(MAX_UTTERANCE_CHUNKS);
    a.add({ seq: 0, offset: 0, samples: ramp(0, 1280) });
    for (const seq of [0xffff_ffff, MAX_UTTERANCE_CHUNKS, Number.MAX_SAFE_INTEGER]) {
      expect(() => a.add({ seq, offset: 1280, samples: ramp(0, 1280) })).toThrow(
        expect.objectContaining({ code: 'UTTERANCE_CHUNK_INVALID', message: expect.stringContaining(`${MAX_UTTERANCE_CHUNKS} chunks`) }),
      );
    }
    expect(a.chunkCount).toBe(1);
    expect(a.heldBytes).toBe(2560);
    expect(a.add({ seq: MAX_UTTERANCE_CHUNKS - 1, offset: 1280, samples: ramp(0, 10) })).toBe('added');
  });

  test('missingSeqs never lists more than maxChunks, whatever the end claims', () => {
    const a = new UtteranceAssembler({ maxChunks: 8 });
    a.add({ seq: 2, offset: 0, samples: ramp(0, 4) });
    expect(a.missingSeqs(Number.MAX_SAFE_INTEGER)).toEqual([0, 1, 3, 4, 5, 6, 7]);
    expect(a.missingSeqs(2 ** 60)).toEqual([0, 1, 3, 4, 5, 6, 7]);
    expect(a.missingSeqs(-5)).toEqual([0, 1]); // not a count: the highest seq seen decides
    expect(a.missingSeqs(Number.NaN)).toEqual([0, 1]);
    expect(a.assemble(Number.MAX_SAFE_INTEGER).missingSeqs).toHaveLength(7);
    expect(() => new UtteranceAssembler({ maxChunks: 0 })).toThrow(expect.objectContaining({ code: 'UTTERANCE_CHUNK_INVALID' }));
  });

  test('overlapping chunks hold only what is new: the audio held never exceeds maxSamples', () => {
    const a = new UtteranceAssembler({ maxSamples: 1000, maxChunks: 100 });
    // Every chunk claims the same 1000 samples: only the first one's are kept.
    for (let seq = 0; seq < 100; seq++) a.add({ seq, offset: 0, samples: new Int16Array(1000).fill(seq + 1) });
    expect(a.heldBytes).toBe(2000);
    expect(Array.from(new Set(a.assemble().audio))).toEqual([1]);
    // Chunks that straddle earlier ones keep just the uncovered parts, and read back in place.
    const b = new UtteranceAssembler({ maxSamples: 1000 });
    b.add({ seq: 0, offset: 100, samples: new Int16Array(100).fill(1) });
    b.add({ seq: 1, offset: 300, samples: new Int16Array(100).fill(2) });
    expect(b.add({ seq: 2, offset: 50, samples: new Int16Array(400).fill(3) })).toBe('added');
    expect(b.heldBytes).toBe(2 * 400);
    const audio = b.assemble().audio;
    expect([audio[50], audio[150], audio[250], audio[350], audio[449]]).toEqual([3, 1, 3, 2, 3]);
    expect(b.gaps()).toEqual([{ offset: 0, samples: 50 }]);
  });
});

import { PassThrough } from 'node:stream';
import { StdinSource } from '../../../hal/mic/stdin-source.js';
import { collect, int16Bytes, pseudoRandomInt16, until } from './helpers.js';

describe('StdinSource', () => {
  it('frames raw s16le split at odd byte boundaries, 2 channels', async () => {
    const data = pseudoRandomInt16(2 * (2 * 1280 + 77), 9);
    const bytes = int16Bytes(data);
    const input = new PassThrough();
    const src = new StdinSource({ input, channels: 2 });
    expect(src.info).toEqual({ description: 'stdin', channels: 2, sampleRate: 16000 });
    const collecting = collect(src);
    // Splits of 1, 3, 5, ... bytes: every other chunk ends inside a sample.
    let at = 0;
    for (let size = 1; at < bytes.length; size += 2) {
      input.write(bytes.subarray(at, Math.min(bytes.length, at + size)));
      at += size;
      if (size % 7 === 0) await new Promise<void>((r) => setImmediate(r));
    }
    input.end();
    const got = await collecting;
    expect(got.frames.map((f) => [f.index, f.samples.length, f.channels])).toEqual([
      [0, 2560, 2],
      [1280, 2560, 2],
      [2560, 154, 2],
    ]);
    expect(Array.from(got.samples)).toEqual(Array.from(data));
  });

  it('drops a trailing odd byte and an incomplete sample frame at the end', async () => {
    const input = new PassThrough();
    const src = new StdinSource({ input, channels: 2 });
    const collecting = collect(src);
    input.end(Buffer.concat([int16Bytes(Int16Array.from([1, -1, 2, -2, 3])), Buffer.from([0x7f])]));
    const got = await collecting;
    expect(Array.from(got.samples)).toEqual([1, -1, 2, -2]);
    expect(got.frames[0]?.index).toBe(0);
  });

  it('close() ends an iteration waiting for input', async () => {
    const input = new PassThrough();
    const src = new StdinSource({ input });
    const it = src.frames()[Symbol.asyncIterator]();
    let result: IteratorResult<unknown> | undefined;
    void it.next().then((r) => (result = r));
    input.write(Buffer.alloc(100)); // not a whole frame yet
    await new Promise<void>((r) => setImmediate(r));
    expect(result).toBeUndefined();
    await src.close();
    await until(() => result !== undefined);
    expect(result?.done).toBe(true);
    expect(input.destroyed).toBe(true);
  });

  it('a stream error surfaces as STDIN_UNAVAILABLE', async () => {
    const input = new PassThrough();
    const src = new StdinSource({ input });
    const collecting = collect(src);
    input.destroy(new Error('boom'));
    await expect(collecting).rejects.toMatchObject({ code: 'STDIN_UNAVAILABLE', message: expect.stringContaining('boom') });
  });
});

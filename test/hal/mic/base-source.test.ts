import { BaseMicSource } from '../../../hal/mic/base-source.js';
import type { MicFrame, MicSourceInfo } from '../../../hal/mic/types.js';

/**
 * The lifecycle every microphone source shares (hal/mic/base-source.ts): iterated once, a frame the
 * source produces after close() is never handed out, a pending next() settles when it is closed, and
 * the source's generator is finished (its finally runs) however the iteration ends.
 */

const frame = (i: number): MicFrame => ({ index: i * 4, channels: 1, samples: new Int16Array(4).fill(i) });

/** Yields a frame each time `release()` is called; records when its generator finished. */
class GatedSource extends BaseMicSource {
  readonly info: MicSourceInfo = { description: 'gated', channels: 1, sampleRate: 16000 };
  finished = 0;
  started = false;
  private gate: (() => void) | undefined;

  release(): void {
    this.gate?.();
  }

  protected async *generate(): AsyncGenerator<MicFrame, void, undefined> {
    this.started = true;
    try {
      for (let i = 0; ; i++) {
        await new Promise<void>((r) => (this.gate = r));
        if (i === 99) throw new Error('broken capture');
        yield frame(i);
      }
    } finally {
      this.finished++;
    }
  }
}

describe('BaseMicSource', () => {
  test('frames come as the source makes them; a second frames() is refused', async () => {
    const src = new GatedSource();
    const it = src.frames()[Symbol.asyncIterator]();
    const first = it.next();
    src.release();
    expect((await first).value).toEqual(frame(0));
    expect(() => src.frames()).toThrow(/only once/);
    await src.close();
  });

  test('close() settles a pending next() with done, and the frame made after it is never handed out', async () => {
    const src = new GatedSource();
    const it = src.frames()[Symbol.asyncIterator]();
    const pending = it.next();
    await Promise.resolve();
    const closing = src.close();
    src.release(); // the source still produces frame 0, after the close
    expect(await pending).toEqual({ done: true, value: undefined });
    await closing;
    expect(src.finished).toBe(1);
    expect((await it.next()).done).toBe(true);
  });

  test('closed before the first next(): the source never starts', async () => {
    const src = new GatedSource();
    const it = src.frames()[Symbol.asyncIterator]();
    await src.close();
    expect((await it.next()).done).toBe(true);
    expect(src.started).toBe(false);
  });

  test('leaving a for-await early finishes the source (its finally runs)', async () => {
    const src = new GatedSource();
    const timer = setInterval(() => src.release(), 1);
    try {
      for await (const f of src.frames()) if (f.index >= 8) break;
    } finally {
      clearInterval(timer);
    }
    expect(src.finished).toBe(1);
  });

  test("the source's error reaches the consumer", async () => {
    const src = new GatedSource();
    const timer = setInterval(() => src.release(), 1);
    try {
      await expect(
        (async () => {
          for await (const f of src.frames()) void f;
        })(),
      ).rejects.toThrow('broken capture');
    } finally {
      clearInterval(timer);
    }
    expect(src.finished).toBe(1);
  });
});

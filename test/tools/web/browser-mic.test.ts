import { BaseMicSource } from '../../../hal/mic/base-source.js';
import type { MicFrame, MicSourceInfo } from '../../../hal/mic/types.js';
import { BrowserMic, rmsDbfs } from '../../../tools/web/browser-mic.js';

/**
 * The wrapper `--web` puts in every page-enabled device's audio path (tools/web/browser-mic.ts): with
 * no browser audio queued it must add no per-frame work; what a page sends is mixed in.
 */

/** Frames whose samples count how often they are read. */
class CountingSource extends BaseMicSource {
  readonly info: MicSourceInfo = { description: 'counting', channels: 2, sampleRate: 16000 };
  reads = 0;
  readonly yielded: MicFrame[] = [];

  constructor(
    private readonly count: number,
    private readonly value: number,
  ) {
    super();
  }

  protected async *generate(): AsyncGenerator<MicFrame, void, undefined> {
    for (let i = 0; i < this.count; i++) {
      const samples = new Int16Array(1280 * 2).fill(this.value);
      const frame: MicFrame = Object.defineProperty({ index: i * 1280, channels: 2 }, 'samples', {
        get: () => {
          this.reads++;
          return samples;
        },
      }) as MicFrame;
      this.yielded.push(frame);
      yield frame;
    }
  }
}

async function drain(mic: BrowserMic): Promise<MicFrame[]> {
  const out: MicFrame[] = [];
  for await (const f of mic.frames()) out.push(f);
  return out;
}

test('with no browser audio queued a frame passes through untouched: the same object, its samples never read', async () => {
  const inner = new CountingSource(25, 1000);
  const mic = new BrowserMic(inner);
  const out = await drain(mic);
  expect(out).toHaveLength(25);
  out.forEach((f, i) => expect(f).toBe(inner.yielded[i]));
  expect(inner.reads).toBe(0);
});

test('the level is worked out when asked for, from the last frame, once per frame', async () => {
  const inner = new CountingSource(3, 16384); // half scale: -6.0 dBFS
  const mic = new BrowserMic(inner);
  expect(mic.level).toBe(-120); // nothing heard yet
  await drain(mic);
  expect(inner.reads).toBe(0);
  expect(mic.level).toBe(-6);
  expect(mic.level).toBe(-6);
  expect(inner.reads).toBe(1);
});

test("a page's audio is mixed into every channel of the frames that follow, then frames pass through again", async () => {
  const inner = new CountingSource(3, 100);
  const mic = new BrowserMic(inner);
  const pcm = Buffer.alloc(1280 * 2);
  for (let i = 0; i < 1280; i++) pcm.writeInt16LE(1000, i * 2);
  mic.push(pcm);
  expect(mic.queuedMs).toBe(80);
  const out = await drain(mic);
  expect(Array.from(out[0]?.samples.subarray(0, 4) ?? [])).toEqual([1100, 1100, 1100, 1100]);
  expect(mic.queuedMs).toBe(0);
  expect(out[1]).toBe(inner.yielded[1]);
  expect(rmsDbfs(out[0]!)).toBeCloseTo(20 * Math.log10(1100 / 32768), 1);
});

test('bad browser audio is refused and queues nothing', () => {
  const mic = new BrowserMic(new CountingSource(0, 0));
  expect(() => mic.push(Buffer.alloc(3))).toThrow(expect.objectContaining({ code: 'WEB_AUDIO_INVALID' }) as Error);
  expect(mic.queuedMs).toBe(0);
});

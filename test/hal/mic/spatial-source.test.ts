import path from 'node:path';
import { micPositions } from '../../../firmware/device-model.js';
import { BaseMicSource } from '../../../hal/mic/base-source.js';
import { SpatialSource } from '../../../hal/mic/spatial-source.js';
import { spatialize } from '../../../hal/mic/talker.js';
import type { MicFrame, MicSourceInfo } from '../../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { WavSource } from '../../../hal/mic/wav-source.js';
import { readWav16kMono } from '../../models/reference/wav.js';
import { readFileSync } from 'node:fs';
import { collect, pseudoRandomInt16, thrown } from './helpers.js';

const DEMO = path.join(process.cwd(), 'test', 'fixtures', 'demo', 'alexa-demo.wav');
const dot = micPositions({ count: 4, geometry: 'circular', radiusMm: 32 });
const trio = micPositions({ count: 3, geometry: 'circular', radiusMm: 60 });

/** A source that plays back given frames (the lowest layer, standing in for a capture device). */
class FramesSource extends BaseMicSource {
  readonly info: MicSourceInfo;
  constructor(
    private readonly list: MicFrame[],
    channels: number,
  ) {
    super();
    this.info = { description: 'frames', channels, sampleRate: SAMPLE_RATE };
  }
  protected async *generate(): AsyncGenerator<MicFrame, void, undefined> {
    for (const f of this.list) yield f;
  }
}

describe('SpatialSource', () => {
  it('turns the demo WAV into a 4-mic talker at 37 deg: same frames and indices, equal to spatialize of the whole', async () => {
    const voice = readWav16kMono(readFileSync(DEMO));
    const src = new SpatialSource(new WavSource(DEMO, { fast: true }), dot, 37, { noiseRms: 120, seed: 4 });
    expect(src.info).toEqual({ description: `talker@37deg(wav:${DEMO})`, channels: 4, sampleRate: 16000 });
    const got = await collect(src);
    const n = voice.length;
    const sizes = got.frames.map((f) => [f.index, f.samples.length / f.channels, f.channels]);
    const want = Array.from({ length: Math.ceil(n / 1280) }, (_, i) => [i * 1280, Math.min(1280, n - i * 1280), 4]);
    expect(sizes).toEqual(want);
    expect(got.samples).toEqual(spatialize(voice, dot, 37, { noiseRms: 120, seed: 4 }));
  });

  it('takes the voice from any channel of a multichannel source', async () => {
    const voice = pseudoRandomInt16(3000, 3);
    const other = pseudoRandomInt16(3000, 99);
    const frames: MicFrame[] = [];
    for (let s = 0; s < 3000; s += 700) {
      const n = Math.min(700, 3000 - s);
      const samples = new Int16Array(n * 2);
      for (let i = 0; i < n; i++) {
        samples[2 * i] = other[s + i]!;
        samples[2 * i + 1] = voice[s + i]!;
      }
      frames.push({ index: s, samples, channels: 2 });
    }
    const got = await collect(new SpatialSource(new FramesSource(frames, 2), trio, 300, { channel: 1 }));
    expect(got.channels).toBe(3);
    expect(got.frames.map((f) => f.index)).toEqual([0, 700, 1400, 2100, 2800]);
    expect(got.samples).toEqual(spatialize(voice, trio, 300));
  });

  it('after a gap in the indices the filter starts afresh (the voice before the gap is not smeared over it)', async () => {
    const a = pseudoRandomInt16(1280, 1);
    const b = pseudoRandomInt16(1280, 2);
    const src = new SpatialSource(
      new FramesSource(
        [
          { index: 0, samples: a, channels: 1 },
          { index: 10_000, samples: b, channels: 1 },
        ],
        1,
      ),
      dot,
      200,
    );
    const got = await collect(src);
    expect(got.frames.map((f) => f.index)).toEqual([0, 10_000]);
    expect(got.frames[0]!.samples).toEqual(spatialize(a, dot, 200));
    expect(got.frames[1]!.samples).toEqual(spatialize(b, dot, 200));
  });

  it('close() closes the wrapped source', async () => {
    const inner = new WavSource(DEMO, { fast: true });
    const src = new SpatialSource(inner, dot, 0);
    const it = src.frames()[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    await src.close();
    expect(inner.closed).toBe(true);
    expect((await it.next()).done).toBe(true);
  });

  it('rejects a voice channel the source does not have', () => {
    const err = thrown(() => new SpatialSource(new WavSource(DEMO, { fast: true }), dot, 0, { channel: 1 }));
    expect(err.code).toBe('MIC_SPEC_INVALID');
    expect(err.hint).toMatch(/between 0 and 0/);
  });
});

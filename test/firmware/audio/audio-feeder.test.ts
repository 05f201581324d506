import { AudioFeeder, type AudioSink } from '../../../firmware/audio/audio-feeder.js';
import { frontEndSink } from '../../../firmware/audio/front-end-sink.js';
import { VirtualClock } from '../../../core/clock.js';
import type { MicFrame, MicSource, MonoFrame } from '../../../hal/mic/types.js';

/** Frames of `n` samples per channel whose sample values are their own index, so slices can be checked. */
class CountingSource implements MicSource {
  readonly info = { description: 'counting', channels: 1, sampleRate: 16_000 } as const;
  closed = false;
  constructor(
    private readonly frameCount: number,
    private readonly n = 1600,
    readonly channels = 1,
  ) {}
  async *frames(): AsyncIterable<MicFrame> {
    for (let f = 0; f < this.frameCount && !this.closed; f++) {
      const samples = new Int16Array(this.n * this.channels);
      for (let i = 0; i < this.n; i++) for (let c = 0; c < this.channels; c++) samples[i * this.channels + c] = (f * this.n + i) * (c + 1);
      yield { index: f * this.n, channels: this.channels, samples };
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A sink that records what reached it and the clock's time when it did. */
class RecordingSink implements AudioSink {
  pushed: Array<{ index: number; count: number; first: number; at: number }> = [];
  ended = 0;
  constructor(private readonly clock?: VirtualClock) {}
  async pushFrame(frame: MicFrame): Promise<void> {
    this.pushed.push({ index: frame.index, count: frame.samples.length / frame.channels, first: frame.samples[0]!, at: this.clock?.now() ?? NaN });
  }
  async endOfAudio(): Promise<void> {
    this.ended++;
  }
}

describe('AudioFeeder', () => {
  it('moves the clock with the samples and splits a frame at the instant a timer falls due', async () => {
    const clock = new VirtualClock();
    const sink = new RecordingSink(clock);
    const fired: number[] = [];
    // 150 ms falls inside the second 100 ms frame: samples before 2400 must reach the sink first.
    clock.setTimeout(() => fired.push(sink.pushed.reduce((n, p) => n + p.count, 0)), 150);
    const feeder = new AudioFeeder(sink, new CountingSource(3), { clock, origin: { ms: 0, index: 0 } });
    expect(await feeder.run()).toBe('ended');
    expect(sink.pushed.map((p) => [p.index, p.count, p.at])).toEqual([
      [0, 1600, 100],
      [1600, 800, 150],
      [2400, 800, 200],
      [3200, 1600, 300],
    ]);
    expect(sink.pushed[2]!.first).toBe(2400); // the slice carries its own samples
    expect(fired).toEqual([2400]);
    expect(feeder.position).toBe(4800);
    expect(sink.ended).toBe(1);
    expect(feeder.finished).toBe(true);
  });

  it('pauses before a frame, re-aligns audio and clock at the resume, and renumbers onto baseIndex', async () => {
    const clock = new VirtualClock();
    const sink = new RecordingSink(clock);
    const source = new CountingSource(4);
    const slices: number[] = [];
    const feeder = new AudioFeeder(sink, source, { clock, baseIndex: 16_000, closeSource: true, onSlice: (at) => slices.push(at) });
    expect(await feeder.run(() => sink.pushed.length === 2)).toBe('paused');
    expect(feeder.position).toBe(16_000 + 3200);
    expect(sink.ended).toBe(0);
    await clock.advance(1000); // time passes without audio
    expect(await feeder.run()).toBe('ended');
    expect(sink.pushed.map((p) => [p.index, p.at])).toEqual([
      [16_000, 100],
      [17_600, 200],
      [19_200, 1300],
      [20_800, 1400],
    ]);
    expect(slices).toEqual([17_600, 19_200, 20_800, 22_400]);
    expect(source.closed).toBe(true);
    expect(sink.ended).toBe(1);
  });

  it('stops at the next frame boundary when its signal aborts, and still tells the sink the audio ended', async () => {
    const abort = new AbortController();
    const sink = new RecordingSink();
    const feeder = new AudioFeeder(sink, new CountingSource(10), { signal: abort.signal, onFrame: (reached) => reached >= 3200 && abort.abort() });
    expect(await feeder.run()).toBe('ended');
    expect(sink.pushed).toHaveLength(2);
    expect(feeder.stopped).toBe(true);
    expect(sink.ended).toBe(1);
    await feeder.end(); // idempotent
    expect(sink.ended).toBe(1);
  });

  it('settles timer to timer until nothing is in progress, at most maxMs', async () => {
    const clock = new VirtualClock();
    const feeder = new AudioFeeder(new RecordingSink(clock), new CountingSource(1), { clock });
    await feeder.run();
    let busy = true;
    clock.setTimeout(() => (busy = false), 250); // due at 350: the audio ended at 100
    const advances: number[] = [];
    await feeder.settle({ maxMs: 10_000, settled: () => !busy, beforeAdvance: async () => void advances.push(clock.now()) });
    expect(clock.now()).toBe(350);
    expect(advances).toEqual([100]);
    await feeder.settle({ maxMs: 500, settled: () => false });
    expect(clock.now()).toBe(850);
  });

  it('feeds a bare front end through frontEndSink: the channel policy picks the spotter mono, in one reused buffer', async () => {
    const got: Array<{ index: number; first: number; buffer: ArrayBufferLike }> = [];
    let ended = 0;
    const frontEnd = {
      push: async (m: MonoFrame) => void got.push({ index: m.index, first: m.samples[1]!, buffer: m.samples.buffer }),
      end: async () => void ended++,
    };
    const sink = frontEndSink(frontEnd as never, { kind: 'channel', index: 1 });
    const feeder = new AudioFeeder(sink, new CountingSource(3, 1600, 2));
    await feeder.run();
    expect(got.map((g) => [g.index, g.first])).toEqual([
      [0, 2],
      [1600, 3202],
      [3200, 6402],
    ]);
    expect(new Set(got.map((g) => g.buffer)).size).toBe(1);
    expect(ended).toBe(1);
    expect(feeder.position).toBe(4800);
  });
});

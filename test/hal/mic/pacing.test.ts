import { VirtualClock } from '../../../core/clock.js';
import { SyntheticSource } from '../../../hal/mic/synthetic-source.js';
import type { MicFrame, MicSource } from '../../../hal/mic/types.js';
import { WavSource } from '../../../hal/mic/wav-source.js';
import { writeWav16 } from '../../../hal/mic/wav-writer.js';
import { collect, pseudoRandomInt16, tempDir, until } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Pulls the next frame in the background, recording when (on the virtual clock) it arrived. */
function pull(it: AsyncIterator<MicFrame>, clock: VirtualClock) {
  const state: { result?: IteratorResult<MicFrame>; at?: number } = {};
  void it.next().then((r) => {
    state.result = r;
    state.at = clock.now();
  });
  return state;
}

async function expectPaced(source: MicSource, clock: VirtualClock, frameEnds: number[]): Promise<void> {
  const it = source.frames()[Symbol.asyncIterator]();
  const t0 = clock.now(); // the timeline starts at the first pull
  for (const end of frameEnds) {
    const dueMs = t0 + (end * 1000) / 16000;
    const p = pull(it, clock);
    // Wait (in real time, for file I/O) until the source is sleeping on the clock.
    await until(() => clock.pending > 0 || p.result !== undefined);
    expect(p.result).toBeUndefined();
    await clock.advance(dueMs - 1 - clock.now());
    expect(p.result).toBeUndefined(); // 1 ms early: not yet
    await clock.advance(1);
    expect(p.result?.done).toBe(false);
    expect(p.at).toBe(dueMs);
    const frame = p.result?.value as MicFrame;
    expect(frame.index + frame.samples.length / frame.channels).toBe(end);
  }
  const last = pull(it, clock);
  await until(() => last.result !== undefined);
  expect(last.result?.done).toBe(true);
}

describe('real-time pacing', () => {
  it('a WAV file releases each frame when a microphone would have finished capturing it', async () => {
    const file = tmp.file('paced.wav');
    await writeWav16(file, pseudoRandomInt16(2 * 1280 + 320), 1, 16000);
    const clock = new VirtualClock(5000);
    await expectPaced(new WavSource(file, { clock }), clock, [1280, 2560, 2880]);
  });

  it('a 3 s file takes 3 s of (virtual) time', async () => {
    const file = tmp.file('three.wav');
    await writeWav16(file, new Int16Array(3 * 16000), 1, 16000);
    const clock = new VirtualClock();
    const src = new WavSource(file, { clock });
    let frames = 0;
    const done = (async () => {
      for await (const _ of src.frames()) frames++;
    })();
    let finished = false;
    void done.then(() => (finished = true));
    await until(() => clock.pending > 0);
    await clock.advance(2999);
    expect(finished).toBe(false);
    await clock.advance(1);
    await until(() => finished);
    expect(frames).toBe(Math.ceil(48000 / 1280));
  });

  it('synthetic audio is paced the same way', async () => {
    const clock = new VirtualClock();
    await expectPaced(new SyntheticSource({ clock, durationSeconds: 0.1 }), clock, [1280, 1600]);
  });

  it('fast mode ignores the clock', async () => {
    const file = tmp.file('fast.wav');
    await writeWav16(file, pseudoRandomInt16(10 * 1280), 1, 16000);
    const clock = new VirtualClock();
    const got = await collect(new WavSource(file, { clock, fast: true }));
    expect(got.frames).toHaveLength(10);
    expect(clock.now()).toBe(0);
    expect(clock.pending).toBe(0);
    const synth = await collect(new SyntheticSource({ clock, fast: true, durationSeconds: 2 }));
    expect(synth.samples.length).toBe(32000);
    expect(clock.pending).toBe(0);
  });

  it('close() ends a paced wait at once and clears its timer', async () => {
    const clock = new VirtualClock();
    const src = new SyntheticSource({ clock });
    const it = src.frames()[Symbol.asyncIterator]();
    const p = pull(it, clock);
    await until(() => clock.pending > 0);
    await src.close();
    await until(() => p.result !== undefined);
    expect(p.result?.done).toBe(true);
    expect(clock.pending).toBe(0);
    await src.close(); // idempotent
  });
});

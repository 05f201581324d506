import { VirtualClock } from '../../core/clock.js';
import { SyntheticSource } from '../../hal/mic/synthetic-source.js';
import type { MicFrame } from '../../hal/mic/types.js';
import { UtteranceThenQuietRoom } from '../../tools/commands/demo-microphone.js';

/** A 200 ms tone standing in for the utterance (as fast as it is pulled). */
const utterance = (): SyntheticSource => new SyntheticSource({ kind: 'tone', durationSeconds: 0.2, fast: true });

describe('UtteranceThenQuietRoom', () => {
  test('one microphone: the utterance, then a quiet room whose samples carry on from its last index', async () => {
    const mic = new UtteranceThenQuietRoom(utterance(), { clock: new VirtualClock() });
    let ended = false;
    void mic.utteranceEnded.then(() => (ended = true));
    const it = mic.frames()[Symbol.asyncIterator]();
    const frames: MicFrame[] = [];
    for (let i = 0; i < 3; i++) frames.push((await it.next()).value as MicFrame);
    // 3200 samples of tone: frames of 1280, 1280, 640
    expect(frames.map((f) => [f.index, f.samples.length])).toEqual([
      [0, 1280],
      [1280, 1280],
      [2560, 640],
    ]);
    expect(ended).toBe(false);
    expect(mic.info.description).toBe('synthetic:tone:440, then synthetic:silence');
    await mic.close();
  });

  test('the quiet room is in real time: its first frame comes 80 ms after the utterance ended, by the clock', async () => {
    const clock = new VirtualClock();
    const mic = new UtteranceThenQuietRoom(utterance(), { clock });
    const it = mic.frames()[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await it.next();
    let quiet: MicFrame | undefined;
    const next = it.next().then((r) => (quiet = r.value as MicFrame));
    await mic.utteranceEnded; // the utterance is over once its last frame was taken
    await clock.advance(79);
    expect(quiet).toBeUndefined();
    await clock.advance(1);
    await next;
    expect(quiet?.index).toBe(3200);
    expect(quiet?.samples.length).toBe(1280);
    // A quiet room: the -70 dBFS noise floor (RMS about 10 of 32768).
    const samples = Array.from(quiet?.samples ?? []);
    const rms = Math.sqrt(samples.reduce((a, v) => a + v * v, 0) / samples.length);
    expect(rms).toBeGreaterThan(5);
    expect(rms).toBeLessThan(20);
    await mic.close();
  });

  test('closing it ends a pending frame and closes the utterance too; utteranceEnded stays pending when closed first', async () => {
    const inner = utterance();
    const mic = new UtteranceThenQuietRoom(inner, { clock: new VirtualClock() });
    const it = mic.frames()[Symbol.asyncIterator]();
    await it.next();
    let ended = false;
    void mic.utteranceEnded.then(() => (ended = true));
    await mic.close();
    expect((await it.next()).done).toBe(true);
    expect(inner.closed).toBe(true);
    await Promise.resolve();
    expect(ended).toBe(false);
  });
});

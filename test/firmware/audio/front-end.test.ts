import { AudioFrontEnd } from '../../../firmware/audio/front-end.js';
import type { StreamAudio, StreamEnd, StreamStart } from '../../../cloud-link/protocol/stream.js';
import type { MonoFrame } from '../../../hal/mic/types.js';
import type { WakeWordDetection, WakeWordEngine } from '../../../models/wakeword/types.js';

/** Fires one detection, with the indices given, once the stream has reached `at`. */
class ScriptedEngine implements WakeWordEngine {
  readonly name = 'scripted';
  readonly keywords = ['alexa'];
  private fired = false;
  resets = 0;
  constructor(private readonly det: Omit<WakeWordDetection, 'keyword' | 'score'>) {}
  async feed(frame: MonoFrame): Promise<WakeWordDetection[]> {
    const end = frame.index + frame.samples.length;
    if (!this.fired && end >= this.det.detectedIndex) {
      this.fired = true;
      return [{ keyword: 'alexa', score: 0.9, ...this.det }];
    }
    return [];
  }
  reset(): void {
    this.resets++;
  }
  async dispose(): Promise<void> {}
}

/** Sample value = absolute index mod 30000, so every streamed sample can be checked against its index. */
function frame(index: number, n: number): MonoFrame {
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = (index + i) % 30000;
  return { index, samples };
}

async function runFrontEnd(engine: WakeWordEngine, totalSamples: number, maxStreamSamples = 128000) {
  const fe = new AudioFrontEnd({ engine, maxStreamSamples });
  const starts: StreamStart[] = [];
  const audio: StreamAudio[] = [];
  const ends: StreamEnd[] = [];
  fe.on('stream-start', (s) => starts.push(s));
  fe.on('stream-audio', (a) => audio.push(a));
  fe.on('stream-end', (e) => ends.push(e));
  for (let at = 0; at < totalSamples; at += 1280) await fe.push(frame(at, Math.min(1280, totalSamples - at)));
  await fe.end();
  return { fe, starts, audio, ends };
}

function checkContiguous(audio: StreamAudio[], from: number): number {
  let next = from;
  for (const a of audio) {
    expect(a.index).toBe(next);
    for (let i = 0; i < a.samples.length; i++) {
      if (a.samples[i] !== (a.index + i) % 30000) throw new Error(`sample ${a.index + i} is wrong`);
    }
    next += a.samples.length;
  }
  return next;
}

describe('AudioFrontEnd pre-roll contract', () => {
  test('the stream starts exactly 8000 samples before the wake word, with AVS wakeWordIndices', async () => {
    const engine = new ScriptedEngine({ beginIndex: 40_123, endIndex: 49_321, detectedIndex: 52_480 });
    const { starts, audio, ends } = await runFrontEnd(engine, 100_000, 40_000);
    expect(starts).toHaveLength(1);
    const s = starts[0]!;
    expect(s.startIndex).toBe(40_123 - 8000);
    expect(s.wakeWordIndices).toEqual({ startIndexInSamples: 8000, endIndexInSamples: 8000 + (49_321 - 40_123) });
    expect(s.preRoll).toEqual({ requestedSamples: 8000, availableSamples: 8000, complete: true });
    // Every sample from the stream start on, exactly once and in order, up to the maximum length.
    expect(checkContiguous(audio, 32_123)).toBe(32_123 + 40_000);
    expect(ends).toEqual([{ id: s.id, endIndex: 32_123 + 40_000, reason: 'max-length' }]);
  });

  test('with less than 500 ms before the wake word the stream says so and invents nothing', async () => {
    const engine = new ScriptedEngine({ beginIndex: 3_000, endIndex: 11_000, detectedIndex: 12_800 });
    const { starts, audio } = await runFrontEnd(engine, 30_000);
    const s = starts[0]!;
    expect(s.startIndex).toBe(0);
    expect(s.preRoll).toEqual({ requestedSamples: 8000, availableSamples: 3000, complete: false });
    expect(s.wakeWordIndices).toEqual({ startIndexInSamples: 3000, endIndexInSamples: 11_000 });
    expect(audio[0]!.index).toBe(0);
    checkContiguous(audio, 0);
  });

  test('the source ending closes the stream where the audio stops', async () => {
    const engine = new ScriptedEngine({ beginIndex: 20_000, endIndex: 28_000, detectedIndex: 29_440 });
    const { ends, audio } = await runFrontEnd(engine, 40_000);
    expect(ends).toEqual([expect.objectContaining({ endIndex: 40_000, reason: 'source-ended' })]);
    expect(checkContiguous(audio, 12_000)).toBe(40_000);
  });

  test('clear() (mic-off) ends the stream at once and no held audio survives', async () => {
    const engine = new ScriptedEngine({ beginIndex: 20_000, endIndex: 28_000, detectedIndex: 29_440 });
    const fe = new AudioFrontEnd({ engine });
    const ends: StreamEnd[] = [];
    fe.on('stream-end', (e) => ends.push(e));
    for (let at = 0; at < 32_000; at += 1280) await fe.push(frame(at, 1280));
    expect(fe.streaming).toBe(true);
    fe.clear();
    expect(fe.streaming).toBe(false);
    expect(ends[0]).toMatchObject({ reason: 'mic-off' });
    expect(fe.ring.oldestIndex).toBe(fe.ring.writeIndex);
    expect(engine.resets).toBe(1);
  });

  test('push-to-talk streams from the moment of the press with no pre-roll', async () => {
    const engine = new ScriptedEngine({ beginIndex: 0, endIndex: 0, detectedIndex: Number.MAX_SAFE_INTEGER });
    const fe = new AudioFrontEnd({ engine, maxStreamSamples: 6400 });
    const audio: StreamAudio[] = [];
    const ends: StreamEnd[] = [];
    fe.on('stream-audio', (a) => audio.push(a));
    fe.on('stream-end', (e) => ends.push(e));
    for (let at = 0; at < 12_800; at += 1280) await fe.push(frame(at, 1280));
    const s = fe.startTap()!;
    expect(s).toMatchObject({ initiator: 'tap', startIndex: 12_800, preRoll: { availableSamples: 0 } });
    for (let at = 12_800; at < 25_600; at += 1280) await fe.push(frame(at, 1280));
    expect(checkContiguous(audio, 12_800)).toBe(12_800 + 6400);
    expect(ends[0]).toMatchObject({ reason: 'max-length', endIndex: 19_200 });
  });
});

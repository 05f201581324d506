import { EchosimError } from '../../../core/errors.js';
import { dbfsToRms } from '../../../core/audio-format.js';
import { QuietGate } from '../../../models/vad/quiet-gate.js';
import { VAD_WINDOW } from '../../../models/vad/silero-vad.js';
import type { VoiceActivityDetector } from '../../../models/vad/types.js';

/** A VAD that records what it was given and scores each window by its first sample (so the test can tell windows apart). */
class RecordingVad implements VoiceActivityDetector {
  readonly pushes: Int16Array[] = [];
  resets = 0;
  short = false;
  async push(samples: Int16Array): Promise<number[]> {
    this.pushes.push(samples.slice());
    const out: number[] = [];
    for (let w = 0; w + VAD_WINDOW <= samples.length; w += VAD_WINDOW) out.push(samples[w]! / 10_000);
    return this.short ? out.slice(1) : out;
  }
  reset(): void {
    this.resets++;
  }
}

/** A window of constant level `value` (RMS = |value|). */
const windowOf = (value: number): Int16Array => new Int16Array(VAD_WINDOW).fill(value);
const concat = (...parts: Int16Array[]): Int16Array => {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

describe('QuietGate', () => {
  // -60 dBFS is an RMS of 32.8 int16 units: 30 is under it, 40 over it.
  test('levels: -60 dBFS is an RMS of 32.77 int16 units; a window at 33 reaches the model, one at 32 and digital zeros do not', async () => {
    expect(dbfsToRms(-60)).toBeCloseTo(32.768, 3);
    const inner = new RecordingVad();
    const gate = new QuietGate(inner, -60);
    expect(await gate.push(concat(windowOf(33), windowOf(32), new Int16Array(VAD_WINDOW)))).toEqual([0.0033, 0, 0]);
    expect({ gated: gate.gated, scored: gate.scored }).toEqual({ gated: 2, scored: 1 });
  });

  test('quiet windows are silence (0) without the model; the others reach it in order, in one call', async () => {
    const inner = new RecordingVad();
    const gate = new QuietGate(inner, -60);
    const audio = concat(windowOf(5000), windowOf(30), windowOf(7000), windowOf(-30), windowOf(40));
    expect(await gate.push(audio)).toEqual([0.5, 0, 0.7, 0, 0.004]);
    expect(inner.pushes).toHaveLength(1);
    expect(Array.from(inner.pushes[0]!)).toEqual(Array.from(concat(windowOf(5000), windowOf(7000), windowOf(40))));
    expect({ gated: gate.gated, scored: gate.scored }).toEqual({ gated: 2, scored: 3 });
  });

  test('a window split across pushes is judged whole; the model only ever sees whole windows', async () => {
    const inner = new RecordingVad();
    const gate = new QuietGate(inner, -60);
    const audio = concat(windowOf(2000), windowOf(10), windowOf(3000));
    const results: number[] = [];
    // 80 ms pushes that do not line up with the 32 ms windows, then the rest.
    for (const [a, b] of [[0, 300], [300, 700], [700, 1100], [1100, audio.length]] as const) results.push(...(await gate.push(audio.subarray(a, b))));
    expect(results).toEqual([0.2, 0, 0.3]);
    for (const p of inner.pushes) expect(p.length % VAD_WINDOW).toBe(0);
    // A push of only quiet or partial windows does not call the model.
    expect(inner.pushes).toHaveLength(2);
  });

  test('reset drops the partial window and resets the model', async () => {
    const inner = new RecordingVad();
    const gate = new QuietGate(inner, -60);
    expect(await gate.push(windowOf(9000).subarray(0, 500))).toEqual([]);
    gate.reset();
    expect(inner.resets).toBe(1);
    expect(await gate.push(windowOf(1000))).toEqual([0.1]);
  });

  test('a model that answers for fewer windows than it was given is an error, not a misaligned decision', async () => {
    const inner = new RecordingVad();
    inner.short = true;
    const gate = new QuietGate(inner, -60);
    await expect(gate.push(concat(windowOf(1000), windowOf(2000)))).rejects.toThrow(EchosimError);
  });
});

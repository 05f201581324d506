import { CHUNK_SAMPLES } from '../../../models/wakeword/oww-models.js';
import { Rng } from '../../../tools/bench/fuzz-rng.js';
import { windowExamples } from '../../../tools/train/data/hard-negatives.js';
import { AROUND, capInOrder, MINING_RULE, mineFirings, relabelHard } from '../../../tools/train/data/mining.js';
import { AFTER_END, type CloudWindow } from '../../../tools/train/eval/cloud-check.js';
import { fires } from '../../../tools/train/eval/decisions.js';
import type { ScoredClip, ScoredStream } from '../../../tools/train/eval/sweep.js';
import { SKIPPED_CHUNKS } from '../../../tools/train/features/windows.js';
import type { Example } from '../../../tools/train/model/train-head.js';

/** Scores that stay low but for `peaks` (chunk -> score), `n` chunks long. */
function scores(n: number, peaks: Record<number, number>, floor = 0.001): Float32Array {
  const s = new Float32Array(n).fill(floor);
  for (const [t, v] of Object.entries(peaks)) s[Number(t)] = v;
  return s;
}

/** Random scores with a few bursts: what a first stage gives on speech. */
function randomScores(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.chance(0.05) ? rng.next() : rng.next() * 0.005));
}

const clip = (index: number, s: Float32Array, word?: [number, number]): ScoredClip => ({
  index,
  group: word ? 'espeak-ng:en-us' : 'near-miss',
  positive: word !== undefined,
  scores: s,
  samples: s.length * CHUNK_SAMPLES,
  ...(word ? { wordStart: word[0], wordEnd: word[1] } : {}),
});

describe("mining the first stage's detections for the verifier", () => {
  test('mines exactly the chunks where the decision fires: negatives, real streams outside the word, positives at the word', () => {
    const clips = [
      clip(3, scores(40, { 10: 0.5, 30: 0.02 })), // two detections
      clip(4, scores(40, { 20: 0.005 })), // below the mining threshold: none
      clip(7, scores(40, { 6: 0.3, 25: 0.9 }), [22 * CHUNK_SAMPLES, 24 * CHUNK_SAMPLES]), // an early detection, then the word
      clip(8, scores(40, { 5: 0.3 }), [22 * CHUNK_SAMPLES, 24 * CHUNK_SAMPLES]), // only before the word: not found
    ];
    const streams: ScoredStream[] = [
      { name: 'a', scores: scores(100, { 10: 0.2, 50: 0.6, 80: 0.4 }), banned: new Set([50, 51]), wordSpans: [], samples: 100 * CHUNK_SAMPLES },
      { name: 'b', scores: scores(100, {}), banned: new Set(), wordSpans: [], samples: 100 * CHUNK_SAMPLES },
    ];
    const firings = mineFirings(clips, streams, MINING_RULE);
    expect(firings.clips).toEqual([
      [3, 10],
      [3, 30],
    ]);
    expect([...firings.positives]).toEqual([[7, 25]]);
    expect(firings.streams).toEqual([
      [0, 10],
      [0, 80],
    ]);
  });

  test('on random scores, agrees with the engine decision chunk for chunk and is the same every time', () => {
    const rng = new Rng(11);
    const clips = Array.from({ length: 30 }, (_, i) => clip(i, randomScores(rng, 60)));
    const streams: ScoredStream[] = [{ name: 's', scores: randomScores(rng, 2000), banned: new Set([100, 101, 102]), wordSpans: [], samples: 2000 * CHUNK_SAMPLES }];
    for (const rule of [MINING_RULE, { threshold: 0.5, patience: 2 }]) {
      const firings = mineFirings(clips, streams, rule);
      const expected = clips.flatMap((c) => fires(c.scores, rule).map((t) => [c.index, t]));
      expect(firings.clips).toEqual(expected);
      expect(firings.streams).toEqual(fires(streams[0]!.scores, rule).filter((t) => !streams[0]!.banned.has(t)).map((t) => [0, t]));
      expect(mineFirings(clips, streams, rule)).toEqual(firings);
    }
    expect(mineFirings(clips, streams).clips.length).toBeGreaterThan(mineFirings(clips, streams, { threshold: 0.5, patience: 2 }).clips.length);
  });

  test('a cap keeps a seeded sample in order: the same for a seed, another for another seed', () => {
    const items = Array.from({ length: 100 }, (_, i) => i * 3);
    const a = capInOrder(items, 10, new Rng(1));
    expect(a).toHaveLength(10);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(a.every((x) => items.includes(x))).toBe(true);
    expect(capInOrder(items, 10, new Rng(1))).toEqual(a);
    expect(capInOrder(items, 10, new Rng(2))).not.toEqual(a);
    expect(capInOrder(items, 200, new Rng(1))).toEqual(items);
  });

  test('cloud views the first stage scores high become hard negatives with the windows around them; positives stay', () => {
    const examples: Example[] = [];
    for (let t = 6; t < 27; t++) examples.push({ seq: 0, t, cls: 'real' }, { seq: 1, t, cls: 'near-miss' }, { seq: 2, t, cls: 'positive' });
    const hot = new Map([
      [0, scores(27, { 12: 0.02 })],
      [1, scores(27, { 26: 0.5 })],
      [2, scores(27, { 15: 0.9 })],
    ]);
    const out = relabelHard(examples, hot, MINING_RULE.threshold);
    const hard = (seq: number): number[] => out.filter((e) => e.seq === seq && e.cls === 'hard').map((e) => e.t);
    expect(hard(0)).toEqual(Array.from({ length: 2 * AROUND + 1 }, (_, k) => 12 - AROUND + k));
    expect(hard(1)).toEqual([24, 25, 26]); // the windows after the last one are past the view's end
    expect(hard(2)).toEqual([]);
    expect(out).toHaveLength(examples.length);
    expect(out.filter((e) => e.cls !== 'hard')).toHaveLength(examples.length - (2 * AROUND + 1) - 3);
    out.forEach((e, i) => expect(e.cls === 'hard' ? examples[i]!.cls !== 'positive' : e).toEqual(e.cls === 'hard' ? true : examples[i]));
  });

  test("a rebuilt cloud window's examples are the chunks the verdict takes: all hard for a negative, those after the word for a positive", () => {
    const window: CloudWindow = { start: 10_000, begin: 8000, end: 16_000, audio: new Int16Array(16_000 + AFTER_END) };
    const chunks = Math.floor(window.audio.length / CHUNK_SAMPLES);
    const negative = windowExamples(window, chunks, 4);
    const first = Math.ceil(8000 / CHUNK_SAMPLES) - 1;
    const last = Math.floor((16_000 + AFTER_END) / CHUNK_SAMPLES) - 1;
    expect(negative.map((e) => e.t)).toEqual(Array.from({ length: Math.min(last, chunks - 1) - Math.max(first, SKIPPED_CHUNKS) + 1 }, (_, k) => Math.max(first, SKIPPED_CHUNKS) + k));
    expect(negative.every((e) => e.cls === 'hard' && e.seq === 4)).toBe(true);
    // The word ends where the window's stream is at 10,000 + 16,000: positives end from 640 samples before it to 300 ms after.
    const positive = windowExamples(window, chunks, 5, 26_000);
    expect(positive.length).toBeGreaterThan(0);
    expect(positive.every((e) => e.cls === 'positive')).toBe(true);
    for (const e of positive) {
      const after = 10_000 + (e.t + 1) * CHUNK_SAMPLES - 26_000;
      expect(after).toBeGreaterThanOrEqual(-640);
    }
    expect(positive.length).toBeLessThan(negative.length);
  });
});

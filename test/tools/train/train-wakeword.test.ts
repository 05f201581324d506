import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeWav16 } from '../../../hal/mic/wav-writer.js';
import { loadManifest, resolveModelDir } from '../../../models/manifest.js';
import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { Rng } from '../../../tools/bench/fuzz-rng.js';
import { HeadRunner } from '../../../tools/train/eval/head-runner.js';
import { FeatureExtractor } from '../../../tools/train/features/extractor.js';
import { sha256 } from '../../../tools/train/hash.js';
import type { TrainingReport } from '../../../tools/train/report/report.js';
import { loadFixtures } from '../../models/wakeword/fixtures.js';
import { runCli } from '../run-cli.js';

/** Two folders of stand-in "real" recordings (murmur-like noise bursts), so the real-speech path runs without the network. */
async function fakeRealSpeech(dir: string): Promise<void> {
  const rng = new Rng(4);
  for (const sub of ['room-a', 'room-b']) {
    mkdirSync(path.join(dir, sub), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const samples = Int16Array.from({ length: 16000 * 2 }, (_, k) => Math.round((rng.next() - 0.5) * 3000 * (1 + Math.sin(k / 900))));
      await writeWav16(path.join(dir, sub, `${i}.wav`), samples, 1, 16000);
    }
  }
}

describe('echosim train wakeword (a tiny budget)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-train-'));
    await fakeRealSpeech(path.join(dir, 'real'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes heads the engine loads, the same heads again for the seed, from the cache', async () => {
    const out = path.join(dir, 'out');
    const args = ['train', 'wakeword', '--word', 'Computer', '--minutes', '0.05', '--no-debian-speech', '--real-negatives', path.join(dir, 'real'), '--out', out, '--cache', path.join(dir, 'cache'), '--seed', '7', '--json', '--no-progress'];
    const first = await runCli(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = first.lines[0] as { word: string; files: string[]; lacks: string[] };
    expect(summary.word).toBe('computer');
    expect(summary.files).toEqual(['computer.onnx', 'computer-verifier.onnx']);
    expect(summary.lacks.join(' ')).toMatch(/Debian real speech/);
    for (const f of ['computer.onnx', 'computer-verifier.onnx', 'computer.json', 'MODEL_CARD.md', 'training-report.json', 'training-report.md', 'det-real.svg', 'det-near-miss.svg']) expect(existsSync(path.join(out, f))).toBe(true);

    const description = JSON.parse(readFileSync(path.join(out, 'computer.json'), 'utf8')) as { word: string; wakeWord: string; files: Record<string, string>; threshold: number; patience: number; verifier: { high: number; low: number } };
    expect(description).toMatchObject({ word: 'computer', wakeWord: 'COMPUTER' });
    const bytes = readFileSync(path.join(out, 'computer.onnx'));
    expect(description.files['computer.onnx']).toBe(sha256(bytes));
    expect(description.files['computer-verifier.onnx']).toBe(sha256(readFileSync(path.join(out, 'computer-verifier.onnx'))));
    expect(description.threshold).toBeGreaterThan(0);
    expect(description.threshold).toBeLessThan(1);
    expect(description.verifier.low).toBeLessThanOrEqual(description.verifier.high);
    const report = JSON.parse(readFileSync(path.join(out, 'training-report.json'), 'utf8')) as TrainingReport;
    expect(report.counts.real.map((s) => s.split).sort()).toEqual(['train', 'val']);
    expect(readFileSync(path.join(out, 'MODEL_CARD.md'), 'utf8')).toContain('npx echosim train wakeword --word Computer');
    expect(readFileSync(path.join(out, 'det-real.svg'), 'utf8')).toMatch(/^<svg[\s\S]*stage 1, patience 1[\s\S]*<\/svg>\n$/);
    expect(description).toMatchObject({ featureModels: { melspectrogram: loadManifest().features.melspectrogram, embedding: loadManifest().features.embedding } });

    // The engine runs the trained head as it runs the bundled ones, and scores what the trainer's path scores.
    const manifest = loadManifest();
    const modelDir = resolveModelDir(manifest);
    const entry = { file: path.relative(modelDir, path.join(out, 'computer.onnx')), sha256: description.files['computer.onnx']!, threshold: description.threshold };
    const models = await OpenWakeWordModels.load({ keywords: ['computer'], manifest: { ...manifest, keywords: { computer: entry } } });
    const runner = await HeadRunner.load(bytes, 'computer');
    try {
      const clip = loadFixtures('pos')[0]!.samples;
      const engine = new OpenWakeWordEngine(models);
      const { scores } = await engine.process({ index: 0, samples: clip });
      await engine.dispose();
      const [embeddings] = await new FeatureExtractor(models).embed([[clip]]);
      const trainer = await runner.scoreSequence(models.seedFeatures, embeddings!);
      expect(scores.map((s, t) => Math.abs(s.scores.computer! - trainer[t]!)).every((d) => d < 1e-4)).toBe(true);
    } finally {
      await runner.dispose();
      await models.dispose();
    }

    // The same seed again: the same heads, every feature from the cache. The trained heads are
    // taken out of the cache first, so both heads are trained again and must come out the same.
    rmSync(out, { recursive: true });
    const heads = readdirSync(path.join(dir, 'cache', 'features'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.onnx'));
    expect(heads).toHaveLength(2);
    for (const f of heads) rmSync(path.join(dir, 'cache', 'features', f));
    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(readFileSync(path.join(out, 'computer.onnx'))).toEqual(bytes);
    const again = JSON.parse(readFileSync(path.join(out, 'training-report.json'), 'utf8')) as TrainingReport;
    expect(again.cache.misses).toBe(0);
    expect(again.cache.hits).toBeGreaterThan(0);
    expect(again.export).toEqual(report.export);
  }, 300_000);

  test('a word that cannot be trained changes nothing and says why', async () => {
    const r = await runCli(['train', 'wakeword', '--word', 'c0mputer', '--out', path.join(dir, 'bad'), '--cache', path.join(dir, 'cache')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TRAIN_INPUT_INVALID/);
    expect(existsSync(path.join(dir, 'bad'))).toBe(false);
  });
});

/**
 * `bench wakeword --sweep`: recall against false accepts per hour across thresholds for every model,
 * as JSON and as an SVG plot; at a model's default threshold it agrees with `bench wakeword`, which
 * runs the engine chunk by chunk.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keywordEntryFor, loadManifest, resolveModelDir } from '../../../models/manifest.js';
import type { SweepResult } from '../../../tools/bench/wakeword-sweep.js';
import { runCli } from '../run-cli.js';

let dir: string;
let pos: string;
let neg: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-sweep-'));
  pos = path.join(dir, 'pos');
  neg = path.join(dir, 'neg');
  mkdirSync(pos);
  mkdirSync(neg);
  for (const f of ['p01-flite-slt-clean.wav', 'p02-espeak-en-gb-clean.wav', 'p03-flite-awb-clean.wav']) symlinkSync(path.resolve('test/fixtures/wakeword/pos', f), path.join(pos, f));
  for (const f of ['n01-alex-flite-slt-clean.wav', 'n05-alexis-flite-awb-clean.wav', 'n09-espeak-en-us-klatt-clean.wav']) symlinkSync(path.resolve('test/fixtures/wakeword/neg', f), path.join(neg, f));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('one curve per model, monotone in the threshold, equal to bench wakeword at the default, drawn as SVG', async () => {
  // The same head a second time as a file, with a description that moves its default threshold.
  const manifest = loadManifest();
  const mine = path.join(dir, 'mine.onnx');
  copyFileSync(path.join(resolveModelDir(manifest), keywordEntryFor(manifest, 'alexa').file), mine);
  writeFileSync(path.join(dir, 'mine.json'), JSON.stringify({ word: 'mine', threshold: 0.9, files: {} }));
  const svg = path.join(dir, 'det.svg');
  const r = await runCli(['bench', 'wakeword', '--pos', pos, '--neg', neg, '--sweep', '--keyword', 'alexa', '--model', mine, '--svg', svg, '--json', '--no-progress']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const sweep = r.lines[0] as unknown as SweepResult;
  expect(sweep).toMatchObject({ positives: 3, negatives: 3, patience: 1 });
  expect(sweep.models.map((m) => [m.model, m.default_threshold])).toEqual([['alexa (bundled)', 0.5], ['mine', 0.9]]);
  for (const m of sweep.models) {
    expect(m.points.map((p) => p.threshold)).toEqual(sweep.thresholds);
    for (let k = 1; k < m.points.length; k++) {
      expect(m.points[k]!.recall).toBeLessThanOrEqual(m.points[k - 1]!.recall);
      expect(m.points[k]!.false_accepts).toBeLessThanOrEqual(m.points[k - 1]!.false_accepts);
    }
    expect(m.points[0]!.false_accepts).toBeGreaterThan(m.points.at(-1)!.false_accepts); // the near misses fire at low thresholds only
  }
  // The same head scores the same through both paths.
  expect(sweep.models[1]!.points).toEqual(sweep.models[0]!.points.map((p) => ({ ...p })));

  for (const [model, threshold] of [['alexa (bundled)', undefined], ['mine', '0.9']] as const) {
    const bench = await runCli(['bench', 'wakeword', '--pos', pos, '--neg', neg, '--json', '--no-progress', ...(threshold ? ['--threshold', threshold] : [])]);
    expect(bench.code).toBe(0);
    const at = sweep.models.find((m) => m.model === model)!.at_default;
    expect(at).toMatchObject({ detected: bench.lines[0]!.detected, false_accepts: bench.lines[0]!.false_accepts });
    expect(at.fa_per_hour).toBeCloseTo(bench.lines[0]!.fa_per_hour as number, 6);
  }

  expect(existsSync(svg)).toBe(true);
  const drawn = readFileSync(svg, 'utf8');
  expect(drawn.startsWith('<svg')).toBe(true);
  expect(drawn.match(/<polyline /g)).toHaveLength(2);
  expect(drawn).toContain('alexa (bundled)');
  expect(drawn).toContain('>mine<');
}, 180_000);

test('--svg without --sweep is refused and writes nothing', async () => {
  const svg = path.join(dir, 'none.svg');
  const r = await runCli(['bench', 'wakeword', '--pos', pos, '--neg', neg, '--svg', svg, '--no-progress']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/CLI_ARGUMENT_INVALID/);
  expect(existsSync(svg)).toBe(false);
});

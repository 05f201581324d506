import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyFileSync } from 'node:fs';
import { runCli } from './run-cli.js';
import { makeHeadsDir } from '../support/test-heads.js';

const DEMO = 'test/fixtures/demo/alexa-demo.wav';

function demoLabel(): { startS: number; endS: number } {
  const [, line] = readFileSync('test/fixtures/demo/labels.tsv', 'utf8').split('\n');
  const [, start, end] = line!.split('\t');
  return { startS: Number(start), endS: Number(end) };
}

describe('echosim listen', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'echosim-listen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the detection, a stream starting 500 ms before the wake word, and its end', async () => {
    const r = await runCli(['listen', '--mic', `wav:${DEMO}`, '--fast', '--save-streams', dir]);
    expect(r.code).toBe(0);
    const types = r.lines.map((l) => l.type);
    expect(types).toEqual(['detection', 'stream-start', 'stream-end']);
    const [det, start, end] = r.lines as [Record<string, number>, Record<string, unknown>, Record<string, unknown>];
    expect(det).toMatchObject({ type: 'detection', keyword: 'alexa' });
    expect(det.score).toBeGreaterThanOrEqual(0.5);

    const label = demoLabel();
    expect(Math.abs(det.beginIndex! / 16000 - label.startS)).toBeLessThan(0.15);
    expect(Math.abs(det.endIndex! / 16000 - label.endS)).toBeLessThan(0.15);

    expect(start.startIndex).toBe(det.beginIndex! - 8000);
    expect(start.wakeWordIndices).toEqual({ startIndexInSamples: 8000, endIndexInSamples: 8000 + det.endIndex! - det.beginIndex! });
    expect(end.reason).toBe('end-of-speech');
    expect(end.endIndex as number).toBeGreaterThan(det.endIndex!);

    // The saved stream is exactly the audio from startIndex to endIndex.
    const wav = readFileSync(path.join(dir, 'stream-1.wav'));
    const samples = (wav.length - 44) / 2;
    expect(samples).toBe((end.endIndex as number) - (start.startIndex as number));
  });

  test('reads raw PCM from stdin', async () => {
    const wav = readFileSync(DEMO);
    const r = await runCli(['listen', '--mic', 'stdin', '--no-vad', '--max-stream', '1'], { input: wav.subarray(44) });
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => l.type)).toEqual(['detection', 'stream-start', 'stream-end']);
    expect(r.lines[2]).toMatchObject({ reason: 'max-length' });
  });

  test('a bad mic spec is a usage error that names the accepted forms', async () => {
    const r = await runCli(['listen', '--mic', 'usb:0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MIC_SPEC_INVALID');
    expect(r.stderr).toMatch(/wav:FILE/);
    expect(r.lines).toEqual([]);
  });

  test('a truncated WAV is a clear error and nothing is printed on stdout', async () => {
    const bad = path.join(dir, 'cut.wav');
    writeFileSync(bad, readFileSync(DEMO).subarray(0, 30));
    const r = await runCli(['listen', '--mic', `wav:${bad}`, '--fast']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WAV_TRUNCATED');
    expect(r.stdout).toBe('');
  });

  test('an out-of-range threshold is refused before anything runs', async () => {
    const r = await runCli(['listen', '--mic', `wav:${DEMO}`, '--threshold', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/between 0 and 1/);
  });

  test('--keyword picks a word of the heads folder, --model an ONNX head file; each detection names its word', async () => {
    // "computer" is a copy of the bundled alexa head, so the demo's "Alexa" wakes it.
    const heads = makeHeadsDir([{ word: 'computer', wakeWord: 'COMPUTER', from: 'alexa' }]);
    try {
      const byWord = await runCli(['listen', '--mic', `wav:${DEMO}`, '--fast', '--heads-dir', heads.dir, '--keyword', 'computer']);
      expect(byWord.code).toBe(0);
      expect(byWord.lines.filter((l) => l.type === 'detection').map((l) => l.keyword)).toEqual(['computer']);
      const custom = path.join(dir, 'my_word.onnx');
      copyFileSync(path.join(heads.dir, 'computer', 'computer.onnx'), custom);
      const byFile = await runCli(['listen', '--mic', `wav:${DEMO}`, '--fast', '--model', custom]);
      expect(byFile.code).toBe(0);
      expect(byFile.lines.filter((l) => l.type === 'detection').map((l) => l.keyword)).toEqual(['my_word']);
      const unknown = await runCli(['listen', '--mic', `wav:${DEMO}`, '--fast', '--heads-dir', heads.dir, '--keyword', 'echo']);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toMatch(/MODEL_UNKNOWN/);
    } finally {
      heads.remove();
    }
  });
});

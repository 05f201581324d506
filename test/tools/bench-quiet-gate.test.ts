/** `bench quiet-gate` end-points real fixtures with Silero alone and behind the gate (no timing asserted). */
import { runCli } from './run-cli.js';

test('reports what the gate decided on a folder, against the model alone', async () => {
  const res = await runCli(['bench', 'quiet-gate', '--wavs', 'test/fixtures/wakeword/silence', '--json', '--files', '--no-progress']);
  expect(res.code).toBe(0);
  const r = res.lines[0] as { files: number; windows: number; gated_percent: number; same_end: number; per_file: Array<{ file: string; gated: number; windows: number; endMs: { model: number | null; gated: number | null } }> };
  expect(r.files).toBe(r.per_file.length);
  expect(r.files).toBeGreaterThan(0);
  // The folder's clips have digital zeros or a -70 dBFS floor around the speech: the gate decides those windows.
  const zeros = r.per_file.find((f) => f.file.includes('digital-zeros'))!;
  expect(zeros.gated).toBeGreaterThan(0);
  expect(zeros.gated).toBeLessThan(zeros.windows);
  // Both ways the clip's speech is heard and ended on (the figures themselves are the benchmark's).
  expect(zeros.endMs.model).not.toBeNull();
  expect(zeros.endMs.gated).not.toBeNull();
});

test('refuses a floor that is no level', async () => {
  const res = await runCli(['bench', 'quiet-gate', '--wavs', 'test/fixtures/wakeword/silence', '--floor', '3']);
  expect(res.code).not.toBe(0);
  expect(res.stderr).toMatch(/dBFS between -120 and -20/);
});

/**
 * `bench answers` on two commands (no timing is asserted): each is answered, the intent is the labelled
 * one, and the resident decoders spend nothing while the device is idle.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PocketsphinxRecognizer } from '../../cloud-link/cloud/speech/command-recognizer.js';
import { runCli } from './run-cli.js';

/** pocketsphinx is a test dependency (tools/setup.sh installs it): without it this test fails and says so. */
beforeAll(() => {
  const missing = new PocketsphinxRecognizer().unavailable();
  if (missing) throw missing;
});
const FIXTURES = new URL('../fixtures/commands/', import.meta.url).pathname;

test('two commands, answered, and the idle decoders at 0 ms of CPU', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-bench-answers-'));
  try {
    for (const f of ['flite-rms-01.wav', 'flite-rms-22.wav']) copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'labels.tsv'), 'file\tvoice\tintent\tslots\ttext\nflite-rms-01.wav\tflite:rms\tWhatTime\t{}\twhat time is it\nflite-rms-22.wav\tflite:rms\tDndOn\t{}\tturn on do not disturb\n');
    const res = await runCli(['bench', 'answers', '--commands', dir, '--idle-seconds', '2', '--json', '--no-progress'], { env: { ECHOSIM_LOG_LEVEL: 'silent' } });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const r = res.lines[0]!;
    expect(r).toMatchObject({ requests: 2, answered: 2, right_intent: 2, endpointer_silence_ms: 700 });
    expect(r.end_of_speech_to_answer_ms).toMatchObject({ median: expect.any(Number), p90: expect.any(Number) });
    expect(r.idle).toMatchObject({ seconds: 2, pocketsphinx_processes: 2, pocketsphinx_cpu_ms: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

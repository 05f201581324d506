/**
 * `echosim fleet` on a tiny fleet: every device connects to the in-process cloud and applies the
 * room's profile update, the listening device hears the demo's wake word in real time, and the
 * summary says so (figures, not timings, are checked: performance belongs in BENCHMARKS.md).
 */
import { runCli } from './run-cli.js';
import { makeHeadsDir } from '../support/test-heads.js';

test('connects every device, times one room-wide profile update, and listens in real time', async () => {
  const res = await runCli(['fleet', '--devices', '3', '--listening', '1', '--duration', '7', '--workers', '1', '--json', '--no-progress']);
  expect(res.code).toBe(0);
  const s = res.lines[0] as Record<string, any>;
  // inference on one worker thread, as a larger fleet runs it on one per core
  expect(s).toMatchObject({ devices: 3, connected: 3, listening: 1, inference_workers: 1 });
  // its devices reach the cloud's embedded broker in memory, not over loopback TCP
  expect(s.broker_link).toBe('in-memory');
  expect(s.end_lag_ms).toBeLessThanOrEqual(s.max_lag_ms);
  expect(s.main_loop_busy_percent).toBeGreaterThan(0);
  expect(s.wakes).toBeGreaterThanOrEqual(1);
  expect(s.profile_apply.median_ms).toBeGreaterThan(0);
  expect(s.profile_apply.median_ms).toBeLessThanOrEqual(s.profile_apply.max_ms);
  expect(s.duration_s).toBeGreaterThanOrEqual(6.5);
  expect(s.rss_per_device_kb).toBeGreaterThan(0);
  // the machine's speed, measured at start as `bench compute` measures it
  expect(s.machine).toMatchObject({ compute_chunks: 2000, cpus: expect.any(Number), cpu_model: expect.any(String), node: process.version });
  expect(s.machine.compute_ms_per_chunk).toBeGreaterThan(0);
  expect(s.machine.load_average).toHaveLength(3);
});

test('refuses more listening devices than devices (usage error)', async () => {
  const res = await runCli(['fleet', '--devices', '2', '--listening', '3']);
  expect(res.code).toBe(2);
});

test('scores in the main thread with --workers 0, and refuses a worker count that is not a number', async () => {
  const res = await runCli(['fleet', '--devices', '1', '--listening', '1', '--duration', '5', '--workers', '0', '--json', '--no-progress']);
  expect(res.code).toBe(0);
  const s = res.lines[0] as Record<string, any>;
  expect(s).toMatchObject({ listening: 1, inference_workers: 0 });
  expect(s.wakes).toBeGreaterThanOrEqual(1);
  expect((await runCli(['fleet', '--workers', 'two'])).code).toBe(2);
});

test('--switch-to: the timed profile update switches every device to another word, which the listening device then spots', async () => {
  // "computer" is a copy of the bundled alexa head: the demo's "Alexa" wakes it.
  const heads = makeHeadsDir([{ word: 'computer', wakeWord: 'COMPUTER', from: 'alexa' }]);
  try {
    const res = await runCli(['fleet', '--devices', '2', '--listening', '1', '--duration', '5', '--workers', '1', '--heads-dir', heads.dir, '--switch-to', 'COMPUTER', '--json', '--no-progress']);
    expect(res.code).toBe(0);
    const s = res.lines[0] as Record<string, any>;
    expect(s).toMatchObject({ devices: 2, connected: 2, keyword: 'computer', wake_word: 'COMPUTER' });
    expect(s.wakes).toBeGreaterThanOrEqual(1);
    expect(s.wakes_by_keyword).toEqual({ computer: s.wakes });
    // A word no head covers, or two ways of naming the word, are refused.
    expect((await runCli(['fleet', '--devices', '1', '--heads-dir', heads.dir, '--switch-to', 'ECHO', '--no-progress'])).code).not.toBe(0);
    expect((await runCli(['fleet', '--keyword', 'alexa', '--model', 'x.onnx'])).code).toBe(2);
  } finally {
    heads.remove();
  }
});

/**
 * `echosim fleet` on a tiny fleet: every device connects to the in-process cloud and applies the
 * room's profile update, the listening device hears the demo's wake word in real time, and the
 * summary says so (figures, not timings, are checked: performance belongs in BENCHMARKS.md).
 */
import { runCli } from './run-cli.js';

test('connects every device, times one room-wide profile update, and listens in real time', async () => {
  const res = await runCli(['fleet', '--devices', '3', '--listening', '1', '--duration', '7', '--json', '--no-progress']);
  expect(res.code).toBe(0);
  const s = res.lines[0] as Record<string, any>;
  expect(s).toMatchObject({ devices: 3, connected: 3, listening: 1 });
  expect(s.wakes).toBeGreaterThanOrEqual(1);
  expect(s.profile_apply.median_ms).toBeGreaterThan(0);
  expect(s.profile_apply.median_ms).toBeLessThanOrEqual(s.profile_apply.max_ms);
  expect(s.duration_s).toBeGreaterThanOrEqual(6.5);
  expect(s.rss_per_device_kb).toBeGreaterThan(0);
});

test('refuses more listening devices than devices (usage error)', async () => {
  const res = await runCli(['fleet', '--devices', '2', '--listening', '3']);
  expect(res.code).toBe(2);
});

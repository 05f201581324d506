/**
 * `bench profile-apply` runs end to end on a tiny fleet and reports what it measured (no timing is
 * asserted: figures belong in BENCHMARKS.md).
 */
import { runCli } from './run-cli.js';

test('times profile updates from the API call to every device report', async () => {
  const res = await runCli(['bench', 'profile-apply', '--devices', '3', '--rounds', '2', '--json', '--no-progress']);
  expect(res.code).toBe(0);
  const r = res.lines[0] as Record<string, any>;
  expect(r).toMatchObject({ devices: 3, rounds: 2, samples: 6 });
  expect(r.round_ms).toHaveLength(2);
  for (const k of ['median_ms', 'p90_ms', 'p99_ms', 'max_ms']) expect(r[k]).toBeGreaterThan(0);
  expect(r.median_ms).toBeLessThanOrEqual(r.p99_ms);
  expect(r.p99_ms).toBeLessThanOrEqual(r.max_ms);
  expect(r.machine.nproc).toBeGreaterThan(0);
});

test('refuses a bad device count with a usage error', async () => {
  const res = await runCli(['bench', 'profile-apply', '--devices', '0']);
  expect(res.code).toBe(2);
});

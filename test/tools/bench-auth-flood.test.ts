/**
 * `bench auth-flood` runs end to end against a cloud it starts in its own process and reports what
 * came back (no timing is asserted: figures belong in BENCHMARKS.md).
 */
import { runCli } from './run-cli.js';

test('wrong bearer tokens: a few 401s, then the address is throttled (429); the health check is timed throughout', async () => {
  const res = await runCli(['bench', 'auth-flood', '--rate', '40', '--seconds', '1', '--baseline', '0.5', '--json', '--no-progress']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const r = res.lines[0] as Record<string, any>;
  expect(r).toMatchObject({ target: 'http', rate: 40, concurrency: 64, sources: 1 });
  const outcomes = r.outcomes as Record<string, number>;
  expect(Object.keys(outcomes).sort()).toEqual(['401', '429']);
  expect(outcomes['401']! + outcomes['429']!).toBe(r.attempts);
  expect(outcomes['401']).toBeGreaterThanOrEqual(5); // the free failures
  for (const phase of [r.health_baseline, r.health_flood]) {
    expect(phase.probes).toBeGreaterThan(0);
    expect(phase.p50_ms).toBeLessThanOrEqual(phase.max_ms);
  }
}, 120_000);

test('wrong device secrets over MQTT: refused (CONNACK 5), then throttled (CONNACK 3)', async () => {
  const res = await runCli(['bench', 'auth-flood', '--target', 'mqtt', '--rate', '40', '--seconds', '1', '--baseline', '0.5', '--json', '--no-progress']);
  expect(res.code).toBe(0);
  const r = res.lines[0] as Record<string, any>;
  expect(Object.keys(r.outcomes).sort()).toEqual(['connack 3', 'connack 5']);
  expect(r.outcomes['connack 5']).toBeGreaterThanOrEqual(5);
}, 120_000);

test('refuses an unknown target with a usage error', async () => {
  const res = await runCli(['bench', 'auth-flood', '--target', 'ftp']);
  expect(res.code).toBe(2);
});

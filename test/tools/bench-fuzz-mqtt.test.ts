/**
 * `bench fuzz-mqtt` on a small campaign: a few hundred fuzzed messages from a registered device
 * against `echosim cloud` (embedded broker, verification on) leave it running, and the device next
 * to it still converges on profile updates. The full 10,000-message campaign and its figures are in
 * BENCHMARKS.md; no timing is asserted here.
 */
import { runCli } from './run-cli.js';

test('a small campaign: the cloud survives, refuses what it must, and the good device converges', async () => {
  const res = await runCli(['bench', 'fuzz-mqtt', '--messages', '300', '--seed', '7', '--flash-every', '200', '--json', '--no-progress']);
  expect(res.stderr).not.toContain('FUZZ_CAMPAIGN_FAILED');
  expect(res.code).toBe(0);
  const r = res.lines[0] as Record<string, any>;
  expect(r).toMatchObject({ messages: 300, seed: 7, broker: 'embedded', cloud_crashes: 0, cloud_exit: null, converged: true, health_ok: true });
  // Every kind of message went out, and the bad ones were answered.
  expect(Object.keys(r.by_kind)).toEqual(expect.arrayContaining(['utterance/start', 'utterance/audio', 'utterance/end', 'shadow/update', 'jobs/update', 'unknown-topic']));
  expect(r.refusals).toBeGreaterThan(0);
  expect(r.refusals_seen_by_device).toBeGreaterThan(0);
  expect(r.refusals_seen_by_device).toBeLessThanOrEqual(r.refusals_published);
  expect(r.shadow_rejections).toBeGreaterThan(0);
  expect(r.cloud_errors_logged).toBe(0);
  expect(r.flashes_applied).toBeGreaterThan(0);
  expect(r.cloud_rss_mb_after).toBeGreaterThan(0);
});

test('refuses a bad broker kind with a usage error', async () => {
  const res = await runCli(['bench', 'fuzz-mqtt', '--broker', 'rabbitmq']);
  expect(res.code).toBe(2);
  expect(res.stderr).toContain('expected embedded or mosquitto');
});

/**
 * `bench outages` and `bench soak` run end to end on a tiny fleet (embedded broker, and `outages` on a
 * real Mosquitto too) and report what they measured. No timing or memory figure is asserted beyond
 * its shape and consistency: the figures belong in BENCHMARKS.md.
 */
import { trendOf, type SoakSample } from '../../tools/bench/soak.js';
import { runCli } from './run-cli.js';

describe.each(['embedded', 'mosquitto'])('bench outages on the %s broker', (broker) => {
  test('stops the broker twice and reports every device back and in sync with the profile flashed meanwhile', async () => {
    const res = await runCli(['bench', 'outages', '--devices', '3', '--outages', '2', '--outage-seconds', '1', '--up-seconds', '2', '--broker', broker, '--json', '--no-progress']);
    expect({ code: res.code, stderr: res.stderr }).toMatchObject({ code: 0 });
    const r = res.lines[0] as Record<string, any>;
    expect(r).toMatchObject({ broker, devices: 3, outages: 2, outage_s: 1, up_s: 2 });
    expect(r.rounds).toHaveLength(2);
    for (const round of r.rounds) expect(round.reconnected).toBe(3);
    expect(r.last).toMatchObject({ connected: 3, synced: 3 });
    expect(r.last.connected_p50_ms).toBeLessThanOrEqual(r.last.connected_max_ms);
    expect(r.last.synced_max_ms).toBeGreaterThanOrEqual(r.last.connected_p50_ms); // a report comes after its connect
    expect(r.longest_wait_ms).toBeGreaterThan(0);
    expect(typeof r.within_10s).toBe('boolean');
  });
});

test('bench soak samples the cloud process and reports the work done', async () => {
  const res = await runCli([
    'bench', 'soak', '--devices', '3', '--minutes', '0.3', '--flash-every', '2', '--reconnect-every', '4', '--reconnect-batch', '1',
    '--sample-every', '3', '--broker-restarts', '1', '--outage-seconds', '1', '--warmup-minutes', '0.05', '--json', '--no-progress',
  ]);
  expect({ code: res.code, stderr: res.stderr }).toMatchObject({ code: 0 });
  const r = res.lines[0] as Record<string, any>;
  expect(r).toMatchObject({ devices: 3, broker: 'embedded', broker_restarts: 1, synced_at_end: 3 });
  expect(r.flashes).toBeGreaterThanOrEqual(5);
  expect(r.device_restarts).toBeGreaterThanOrEqual(3);
  expect(r.reports).toBeGreaterThanOrEqual(r.flashes); // every flash reached every device: 3 reports each
  expect(r.samples.length).toBeGreaterThanOrEqual(6);
  for (const s of r.samples) {
    expect(s.rss_mb).toBeGreaterThan(s.heap_mb);
    expect(s.heap_mb).toBeGreaterThan(1);
  }
  expect(typeof r.growing).toBe('boolean');
});

test('bench soak refuses a warm-up as long as the run', async () => {
  const res = await runCli(['bench', 'soak', '--minutes', '1', '--warmup-minutes', '1']);
  expect(res.code).toBe(2);
  expect(res.stderr).toMatch(/warm-up/);
});

test('the growth verdict is the least-squares slope per 10 minutes', () => {
  const at = (t_s: number, heap_mb: number, rss_mb: number): SoakSample => ({ t_s, heap_mb, rss_mb, external_mb: 0, flashes: 0, device_restarts: 0, broker_restarts: 0 });
  expect(trendOf([at(0, 10, 100), at(600, 12, 100), at(1200, 14, 100)])).toMatchObject({ heap_slope_mb_per_10min: 2, rss_slope_mb_per_10min: 0, heap_first_mb: 10, heap_last_mb: 14 });
  expect(trendOf([at(0, 10, 100), at(300, 11, 90), at(600, 10, 100)]).heap_slope_mb_per_10min).toBe(0);
  expect(trendOf([at(0, 10, 100)]).heap_slope_mb_per_10min).toBe(0);
});

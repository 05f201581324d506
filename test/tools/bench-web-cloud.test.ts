/**
 * `bench web-cloud` runs end to end on a tiny fleet: rounds without and with a page (a WebSocket
 * client in its own process) in ABBA order, each with its latency median and its CPU time (no timing
 * is asserted: figures belong in BENCHMARKS.md).
 */
import { runCli } from './run-cli.js';

test('times profile updates without and with a cloud page watching, rounds ABBA', async () => {
  const res = await runCli(['bench', 'web-cloud', '--devices', '3', '--pairs', '2', '--in-view', '2', '--json', '--no-progress']);
  expect(res.code).toBe(0);
  const r = res.lines[0] as Record<string, any>;
  expect(r).toMatchObject({ devices: 3, pairs: 2, in_view: 2 });
  expect(r.rounds.map((x: { page: boolean }) => x.page)).toEqual([false, true, true, false]);
  for (const round of r.rounds) {
    expect(round.median_ms).toBeGreaterThan(0);
    expect(round.cpu_ms).toBeGreaterThan(0);
  }
  expect(r.without_page).toMatchObject({ samples: 6 });
  expect(r.with_page).toMatchObject({ samples: 6 });
  // the page got at least its snapshot in each of its rounds
  expect(r.with_page.messages).toBeGreaterThanOrEqual(2);
  expect(typeof r.median_change_percent).toBe('number');
  expect(typeof r.cpu_change_percent).toBe('number');
}, 120_000);

import type { Command } from 'commander';
import { formatMachine, machine, out, printJson } from '../bench/cli-helpers.js';
import { runWebCloudBench } from '../bench/web-cloud.js';
import { runWebDeviceBench } from '../bench/web-device.js';
import { parsePositive, parsePositiveInt } from '../options.js';

/** `bench web-cloud` and `bench web-device`: what the web pages cost the cloud and the device. */
export function registerBenchWeb(bench: Command): void {
  bench
    .command('web-cloud')
    .description('profile-apply latency with and without a cloud page watching the fleet (rounds interleaved ABBA)')
    .option('--devices <n>', 'simulated devices in the room', parsePositiveInt, 1000)
    .option('--pairs <n>', 'rounds with the page, and as many without', parsePositiveInt, 3)
    .option('--in-view <n>', 'rows the page has in view (live ring thumbnails)', parsePositiveInt, 30)
    .option('--json', 'print one JSON object on stdout')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: { devices: number; pairs: number; inView: number; json?: boolean; progress: boolean }) => {
      const r = await runWebCloudBench(opts);
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(
        [
          `devices:             ${r.devices} in one room, ${r.pairs} rounds without and ${r.pairs} with a page (${r.in_view} rows in view)`,
          `without the page:    median ${r.without_page.median_ms} ms, p90 ${r.without_page.p90_ms} ms (${r.without_page.samples} device reports)`,
          `with the page:       median ${r.with_page.median_ms} ms, p90 ${r.with_page.p90_ms} ms (${r.with_page.samples} device reports; the page got ${r.with_page.messages} messages)`,
          `median change:       ${signed(r.median_change_percent)}%`,
          `round medians:       without ${roundFigures(r.rounds, false, 'median_ms')} ms; with ${roundFigures(r.rounds, true, 'median_ms')} ms`,
          `CPU per round:       without ${roundFigures(r.rounds, false, 'cpu_ms')} ms; with ${roundFigures(r.rounds, true, 'cpu_ms')} ms (median change ${signed(r.cpu_change_percent)}%)`,
          '',
        ].join('\n'),
      );
    });
  bench
    .command('web-device')
    .description("the device page's CPU cost to its device: a busy device with and without a page connected")
    .option('--seconds <s>', 'measured seconds per run', parsePositive, 30)
    .option('--pairs <n>', 'runs with the page, and as many without', parsePositiveInt, 3)
    .option('--side-by-side', "run each pair's two devices at once, over the same window (steadier on a shared machine)")
    .option('--leds', 'the client subscribes to every LED frame, as an LED service does (the page does not)')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-progress', 'no progress on stderr')
    .action(async (opts: { seconds: number; pairs: number; sideBySide?: boolean; leds?: boolean; json?: boolean; progress: boolean }) => {
      const r = await runWebDeviceBench(opts);
      if (opts.json) return printJson({ machine: machine(), ...r });
      out(formatMachine());
      out(
        [
          `runs:                ${r.pairs} without and ${r.pairs} with a ${r.leds ? 'client taking LED frames' : 'page'}${r.pair_change_percent ? ' (each pair side by side)' : ''}, ${r.seconds} s each, the demo utterance in a loop in real time`,
          `device CPU, no page: ${r.without_page_cpu_percent.join(', ')} (median ${r.median_without}% of one core)`,
          `device CPU, page:    ${r.with_page_cpu_percent.join(', ')} (median ${r.median_with}% of one core; ${r.page_messages_per_second} messages/s to the page)`,
          r.pair_change_percent
            ? `change per pair:     ${r.pair_change_percent.map(signed).join(', ')}% (median ${signed(r.median_change_percent)}%, all pairs pooled ${signed(r.pooled_change_percent ?? 0)}%)`
            : `median change:       ${signed(r.median_change_percent)}%`,
          ...(r.mean_change_percent !== undefined
            ? [`mean change:         ${signed(r.mean_change_percent)}% ± ${r.mean_change_ci95_percent}% (95 % confidence interval over the pairs)`]
            : []),
          '',
        ].join('\n'),
      );
    });
}

/** One figure of each round with (or without) the page, in the order run. */
function roundFigures(rounds: ReadonlyArray<{ page: boolean; median_ms: number; cpu_ms: number }>, page: boolean, key: 'median_ms' | 'cpu_ms'): string {
  return rounds
    .filter((r) => r.page === page)
    .map((r) => Math.round(r[key]).toLocaleString('en-US'))
    .join(', ');
}

const signed = (x: number): string => `${x > 0 ? '+' : ''}${x}`;

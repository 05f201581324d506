import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { SystemClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { A4bClient } from '../a4b-client.js';
import { provisionFleet } from '../fleet/provision.js';
import type { SimulatedDevice } from '../fleet/simulated-device.js';
import { CloudWeb } from '../web/cloud-web.js';
import { timeProfileRound } from './profile-apply.js';
import { quantile } from './stats.js';

export interface WebCloudBenchOptions {
  devices: number;
  /** Rounds with the page and as many without, interleaved. */
  pairs: number;
  /** Rows the page has in view (live ring thumbnails). */
  inView: number;
  progress: boolean;
}

export interface WebCloudBenchResult {
  devices: number;
  pairs: number;
  in_view: number;
  without_page: { median_ms: number; p90_ms: number; samples: number; cpu_ms: number };
  with_page: { median_ms: number; p90_ms: number; samples: number; messages: number; cpu_ms: number };
  /** with / without medians, minus 1, in percent. */
  median_change_percent: number;
  /** with / without medians of the process's CPU time per round, minus 1, in percent. */
  cpu_change_percent: number;
  /**
   * Each round in the order run: its latency median, and the CPU time (user + system) the process
   * holding the cloud and the devices spent during it. How far rounds of one kind differ is the noise.
   */
  rounds: Array<{ page: boolean; median_ms: number; cpu_ms: number }>;
}

/**
 * Profile-apply latency with and without a cloud page watching: one cloud (embedded broker, API and
 * `--web`) and `devices` simulated devices in one process, as `bench profile-apply`; the page is a
 * WebSocket client in its own process (as a browser tab is) that logs in, takes the snapshot, keeps
 * `inView` rows' ring thumbnails live and parses everything it gets. Rounds run without and with it
 * in ABBA order (the page connects before its round and leaves after), so a steady drift (the
 * database growing, the machine's other load) hits both alike. Beside the latency, each round's CPU
 * time of the one process is taken: the page's work in the cloud shows there with less of the
 * machine's noise than in a latency.
 */
export async function runWebCloudBench(o: WebCloudBenchOptions): Promise<WebCloudBenchResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'echosim-bench-web-'));
  const clock = new SystemClock();
  const log = createLogger('bench', 'warn');
  const cloud = await Cloud.start({ dir: path.join(root, 'cloud'), clock, log, broker: { port: 0 }, http: { port: 0 }, verifier: false });
  const web = await CloudWeb.start(cloud, { host: '127.0.0.1', port: 0 }, { log, clock });
  const models = await OpenWakeWordModels.load();
  const fleet: SimulatedDevice[] = [];
  try {
    const api = new A4bClient({ endpoint: cloud.apiUrl ?? '', token: cloud.adminToken });
    const provisioned = await provisionFleet({ api, brokerUrl: cloud.brokerUrl, count: o.devices, prefix: 'web', root, models, log, clockFor: () => clock, progress: o.progress });
    fleet.push(...provisioned.devices);
    const ids = fleet.map((d) => d.link.deviceId);
    const without: number[] = [];
    const withPage: number[] = [];
    let messages = 0;
    const rounds: WebCloudBenchResult['rounds'] = [];
    for (let r = 0; r < o.pairs * 2; r++) {
      const watched = r % 4 === 1 || r % 4 === 2;
      const page = watched ? await openPage(`${web.url.replace(/^http/, 'ws')}ws`, cloud.adminToken, o.inView) : undefined;
      const cpu0 = process.cpuUsage();
      const latencies = await timeProfileRound(cloud, api, provisioned.profileArn, ids, r);
      const cpu = process.cpuUsage(cpu0);
      if (page) messages += await page.close();
      (watched ? withPage : without).push(...latencies);
      const median = quantile([...latencies].sort((a, b) => a - b), 0.5);
      rounds.push({ page: watched, median_ms: round1(median), cpu_ms: round1((cpu.user + cpu.system) / 1000) });
      if (o.progress) process.stderr.write(`round ${r + 1}/${o.pairs * 2} (${watched ? 'page watching' : 'no page'}): median ${median.toFixed(0)} ms, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU\n`);
    }
    const summary = (xs: number[]): { median_ms: number; p90_ms: number; samples: number } => {
      xs.sort((a, b) => a - b);
      return { median_ms: round1(quantile(xs, 0.5)), p90_ms: round1(quantile(xs, 0.9)), samples: xs.length };
    };
    const cpuOf = (page: boolean): number => round1(quantile(rounds.filter((x) => x.page === page).map((x) => x.cpu_ms).sort((x, y) => x - y), 0.5));
    const a = { ...summary(without), cpu_ms: cpuOf(false) };
    const b = { ...summary(withPage), cpu_ms: cpuOf(true) };
    return {
      devices: o.devices,
      pairs: o.pairs,
      in_view: o.inView,
      without_page: a,
      with_page: { ...b, messages },
      median_change_percent: round1((b.median_ms / a.median_ms - 1) * 100),
      cpu_change_percent: round1((b.cpu_ms / a.cpu_ms - 1) * 100),
      rounds,
    };
  } finally {
    for (const d of fleet) await d.stop().catch(() => undefined);
    await web.close();
    await cloud.stop();
    await models.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The page's socket in a child process; resolves once it has its snapshot. close() resolves with the messages it got. */
async function openPage(url: string, token: string, inView: number): Promise<{ close(): Promise<number> }> {
  const child = fork(fileURLToPath(new URL('./web-watcher-child.js', import.meta.url)), [url, String(inView)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send(token);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the page process exited (${code}) before its snapshot`)));
  });
  return {
    close: () =>
      new Promise<number>((resolve) => {
        let count = 0;
        child.on('message', (m: { messages?: number }) => void (m.messages !== undefined && (count = m.messages)));
        child.once('exit', () => resolve(count));
        child.send('stop');
      }),
  };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

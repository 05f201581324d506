import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Cloud } from '../../cloud-link/cloud/cloud.js';
import { SystemClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';
import { A4bClient } from '../a4b-client.js';
import { provisionFleet } from '../fleet/provision.js';
import type { SimulatedDevice } from '../fleet/simulated-device.js';
import { quantile } from './stats.js';

export interface ProfileApplyOptions {
  devices: number;
  rounds: number;
  progress: boolean;
  /** Devices connecting at once while the fleet starts. */
  connectBatch?: number;
}

export interface ProfileApplyResult {
  devices: number;
  rounds: number;
  /** One per device per round: ms from the UpdateProfile call to the cloud receiving the device's report. */
  samples: number;
  median_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Per round: ms until the last device reported. */
  round_ms: number[];
  /** The fleet's start: every device connected and converged on its first profile. */
  startup_s: number;
  rss_mb: number;
  rss_per_device_kb: number;
}

const ROUND_LIMIT_MS = 300_000;

/**
 * Profile-apply latency as an administrator sees it: UpdateProfile through the HTTP API on a room's
 * profile, to the cloud hearing from each device of the room that it applied the new version
 * (shadow delta -> shadow/get -> apply -> reported). One process: cloud, embedded broker, HTTP API
 * and the simulated devices (real firmware and link, shared models, silent microphones).
 */
export async function runProfileApplyBench(o: ProfileApplyOptions): Promise<ProfileApplyResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'echosim-bench-apply-'));
  const clock = new SystemClock();
  const log = createLogger('bench', 'warn');
  const cloud = await Cloud.start({ dir: path.join(root, 'cloud'), clock, log, broker: { port: 0 }, http: { port: 0 }, verifier: false });
  const models = await OpenWakeWordModels.load();
  const fleet: SimulatedDevice[] = [];
  try {
    const api = new A4bClient({ endpoint: cloud.apiUrl ?? '', token: cloud.adminToken });
    const started = performance.now();
    const provisioned = await provisionFleet({
      api, brokerUrl: cloud.brokerUrl, count: o.devices, prefix: 'bench', root, models, log,
      clockFor: () => clock, progress: o.progress, ...(o.connectBatch ? { batch: o.connectBatch } : {}),
    });
    fleet.push(...provisioned.devices);
    const { profileArn: ProfileArn } = provisioned;
    const startupS = (performance.now() - started) / 1000;

    const latencies: number[] = [];
    const roundMs: number[] = [];
    const ids = fleet.map((d) => d.link.deviceId);
    for (let r = 0; r < o.rounds; r++) {
      const seen = await timeProfileRound(cloud, api, ProfileArn, ids, r);
      latencies.push(...seen);
      roundMs.push(Math.max(...seen));
      if (o.progress) process.stderr.write(`round ${r + 1}/${o.rounds}: last device after ${roundMs[r]!.toFixed(0)} ms\n`);
    }
    latencies.sort((a, b) => a - b);
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    return {
      devices: o.devices,
      rounds: o.rounds,
      samples: latencies.length,
      median_ms: round1(quantile(latencies, 0.5)),
      p90_ms: round1(quantile(latencies, 0.9)),
      p99_ms: round1(quantile(latencies, 0.99)),
      max_ms: round1(latencies[latencies.length - 1] ?? 0),
      round_ms: roundMs.map(round1),
      startup_s: round1(startupS),
      rss_mb: round1(rssMb),
      rss_per_device_kb: Math.round((rssMb * 1024) / Math.max(1, o.devices)),
    };
  } finally {
    for (const d of fleet) await d.stop().catch(() => undefined);
    await cloud.stop();
    await models.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * One round: UpdateProfile through the API (alternating MaxVolumeLimit 6 and 5 with `round`), then ms
 * until the cloud hears each of `ids` report the new version. Returns one latency per device.
 */
export async function timeProfileRound(cloud: Cloud, api: A4bClient, ProfileArn: string, ids: readonly string[], round: number): Promise<number[]> {
  const want = new Map(ids.map((id) => [id, cloud.service.desiredStateFor(id).profileVersion + 1]));
  const seen = new Map<string, number>();
  const t0 = performance.now();
  const onApplied = ({ deviceId, version }: { deviceId: string; version: number }): void => {
    const target = want.get(deviceId);
    if (target !== undefined && version >= target && !seen.has(deviceId)) seen.set(deviceId, performance.now() - t0);
  };
  cloud.events.on('profile-applied', onApplied);
  try {
    await api.call('UpdateProfile', { ProfileArn, MaxVolumeLimit: round % 2 === 0 ? 6 : 5 });
    await until(() => seen.size === ids.length, ROUND_LIMIT_MS, `round ${round + 1}: every device reported`);
  } finally {
    cloud.events.off('profile-applied', onApplied);
  }
  return [...seen.values()];
}

async function until(condition: () => boolean, limitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`benchmark gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionStateChange } from '../../cloud-link/device/mqtt-connection.js';
import { BenchFleet, type BenchBroker } from './bench-fleet.js';
import { quantile } from './stats.js';

export interface OutagesOptions {
  devices: number;
  outages: number;
  outageSeconds: number;
  /** How long the broker stays up between outages. */
  upSeconds: number;
  broker: BenchBroker;
  /** After the last outage, how long to wait for every device before giving up. */
  limitSeconds: number;
  progress: boolean;
}

export interface OutageRound {
  outage: number;
  /** Devices connected again before the next outage began (or, for the last, before the limit). */
  reconnected: number;
  /** From the broker accepting connections again to each device's CONNECTED, ms. */
  reconnect_p50_ms: number;
  reconnect_max_ms: number;
}

export interface OutagesResult {
  broker: BenchBroker;
  devices: number;
  outages: number;
  outage_s: number;
  up_s: number;
  rounds: OutageRound[];
  /** After the last outage: from the broker's return to every device connected, and in sync with a profile flashed during that outage. */
  last: {
    connected: number;
    synced: number;
    connected_p50_ms: number;
    connected_max_ms: number;
    synced_p50_ms: number;
    synced_max_ms: number;
  };
  /** The longest reconnect wait any device drew, over the whole run and after the last outage, ms. */
  longest_wait_ms: number;
  longest_wait_after_last_ms: number;
  /** Every device re-converged within 10 s of the last outage (the bar). */
  within_10s: boolean;
}

/**
 * Re-convergence after broker outages in a row: N devices on the embedded broker (or a Mosquitto), the
 * broker stopped for `outageSeconds`, `outages` times, up `upSeconds` between; a room profile is
 * flashed (UpdateProfile) during every outage. After the last one: how long until every device is
 * connected, and how long until each has reported the new profile and the cloud shows it SYNCED.
 */
export async function runOutages(o: OutagesOptions): Promise<OutagesResult> {
  const fleet = await BenchFleet.start({ devices: o.devices, broker: o.broker, prefix: 'outage', progress: o.progress });
  try {
    const connectedAt = new Array<number | undefined>(o.devices).fill(undefined);
    const reportedAt = new Array<number | undefined>(o.devices).fill(undefined);
    const waits: Array<{ at: number; delayMs: number }> = [];
    fleet.on('connection', (i, c: ConnectionStateChange) => {
      if (c.to === 'CONNECTED') connectedAt[i] ??= performance.now();
      if (c.to === 'BACKOFF' && c.delayMs !== undefined) waits.push({ at: performance.now(), delayMs: c.delayMs });
    });
    fleet.on('reported', (i) => {
      reportedAt[i] ??= performance.now();
    });
    const rounds: OutageRound[] = [];
    let back = 0;
    for (let n = 1; n <= o.outages; n++) {
      await fleet.stopBroker();
      const down = performance.now();
      connectedAt.fill(undefined);
      reportedAt.fill(undefined);
      await fleet.flash(); // the cloud takes it while the broker is down; devices get it once back
      await sleep(Math.max(0, o.outageSeconds * 1000 - (performance.now() - down)));
      await fleet.startBroker();
      back = performance.now();
      const last = n === o.outages;
      if (!last) {
        await sleep(o.upSeconds * 1000);
        rounds.push(round(n, connectedAt, back));
        if (o.progress) process.stderr.write(describe(rounds.at(-1)!, o.devices));
      }
    }
    // After the last: every device connected, and its first report since (the shadow accepted the
    // profile flashed during the outage); then the API must show every device SYNCED.
    const deadline = back + o.limitSeconds * 1000;
    while (connectedAt.some((t) => t === undefined) && performance.now() < deadline) await sleep(20);
    const lastRound = round(o.outages, connectedAt, back);
    rounds.push(lastRound);
    if (o.progress) process.stderr.write(describe(lastRound, o.devices));
    while (reportedAt.some((t) => t === undefined) && performance.now() < deadline) await sleep(20);
    let synced = 0;
    while (performance.now() < deadline) {
      synced = [...(await fleet.syncStatus()).values()].filter((s) => s === 'SYNCED').length;
      if (synced === o.devices) break;
      await sleep(100);
    }
    const syncMs = reportedAt.filter((t): t is number => t !== undefined).map((t) => t - back).sort((a, b) => a - b);
    const connMs = connectedAt.filter((t): t is number => t !== undefined).map((t) => t - back).sort((a, b) => a - b);
    const syncedMax = syncMs.length === o.devices && synced === o.devices ? (syncMs.at(-1) ?? 0) : Infinity;
    return {
      broker: o.broker,
      devices: o.devices,
      outages: o.outages,
      outage_s: o.outageSeconds,
      up_s: o.upSeconds,
      rounds,
      last: {
        connected: connMs.length,
        synced,
        connected_p50_ms: round0(quantile(connMs, 0.5)),
        connected_max_ms: round0(connMs.at(-1) ?? 0),
        synced_p50_ms: round0(quantile(syncMs, 0.5)),
        synced_max_ms: round0(syncedMax),
      },
      longest_wait_ms: Math.max(0, ...waits.map((w) => w.delayMs)),
      longest_wait_after_last_ms: Math.max(0, ...waits.filter((w) => w.at >= back - o.outageSeconds * 1000).map((w) => w.delayMs)),
      within_10s: syncedMax <= 10_000,
    };
  } finally {
    await fleet.stop();
  }
}

function round(outage: number, connectedAt: ReadonlyArray<number | undefined>, back: number): OutageRound {
  const ms = connectedAt.filter((t): t is number => t !== undefined).map((t) => t - back).sort((a, b) => a - b);
  return { outage, reconnected: ms.length, reconnect_p50_ms: round0(quantile(ms, 0.5)), reconnect_max_ms: round0(ms.at(-1) ?? 0) };
}

function describe(r: OutageRound, devices: number): string {
  return `outage ${r.outage}: ${r.reconnected}/${devices} back, median ${r.reconnect_p50_ms} ms, last ${r.reconnect_max_ms} ms after the broker\n`;
}

const round0 = (x: number): number => (Number.isFinite(x) ? Math.round(x) : x);

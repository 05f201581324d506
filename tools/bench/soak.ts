import { setTimeout as sleep } from 'node:timers/promises';
import { EchosimError } from '../../core/errors.js';
import { BenchFleet, type BenchBroker } from './bench-fleet.js';

export interface SoakOptions {
  devices: number;
  minutes: number;
  /** A profile flashed to the whole room every this many seconds. */
  flashEverySeconds: number;
  /** Every this many seconds `reconnectBatch` devices reboot (stop cleanly, start again on their flash). */
  reconnectEverySeconds: number;
  reconnectBatch: number;
  /** The cloud's memory is sampled every this many seconds. */
  sampleEverySeconds: number;
  /** Broker outages of `outageSeconds`, spread evenly over the run. */
  brokerRestarts: number;
  outageSeconds: number;
  /** Samples before this are warm-up: not part of the growth verdict. */
  warmupMinutes: number;
  broker: BenchBroker;
  progress: boolean;
}

export interface SoakSample {
  t_s: number;
  rss_mb: number;
  /** After a full GC. */
  heap_mb: number;
  external_mb: number;
  flashes: number;
  device_restarts: number;
  broker_restarts: number;
}

export interface SoakTrend {
  /** Least-squares slope over the samples after warm-up, MB per 10 minutes. */
  heap_slope_mb_per_10min: number;
  rss_slope_mb_per_10min: number;
  heap_first_mb: number;
  heap_last_mb: number;
  rss_first_mb: number;
  rss_last_mb: number;
}

export interface SoakResult {
  broker: BenchBroker;
  devices: number;
  minutes: number;
  flash_every_s: number;
  reconnect_every_s: number;
  reconnect_batch: number;
  sample_every_s: number;
  warmup_min: number;
  flashes: number;
  device_restarts: number;
  broker_restarts: number;
  /** Device reports the shadow accepted over the run. */
  reports: number;
  /** Devices the API showed SYNCED at the end (after waiting up to 60 s for the last flash). */
  synced_at_end: number;
  samples: SoakSample[];
  after_warmup: SoakTrend;
  /** Heap growing more than HEAP_GROWTH_MB_PER_10MIN, or RSS more than RSS_GROWTH_MB_PER_10MIN, after warm-up. */
  growing: boolean;
}

/** What counts as growth after warm-up (MB per 10 minutes of the least-squares line). */
export const HEAP_GROWTH_MB_PER_10MIN = 1;
export const RSS_GROWTH_MB_PER_10MIN = 5;

/**
 * A soak of the cloud: N devices, a profile flashed to all of them every few seconds, devices
 * rebooting all the time and a broker outage now and then, while the cloud's memory (its own
 * process: RSS, and the heap after a full GC) is sampled. A leak shows as a heap that keeps growing
 * after warm-up.
 */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  if (o.warmupMinutes >= o.minutes) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `the warm-up (${o.warmupMinutes} min) must be shorter than the soak (${o.minutes} min)`, {
      hint: 'Lower --warmup-minutes or raise --minutes.',
    });
  }
  const fleet = await BenchFleet.start({ devices: o.devices, broker: o.broker, prefix: 'soak', progress: o.progress });
  const counts = { flashes: 0, device_restarts: 0, broker_restarts: 0, reports: 0 };
  fleet.on('reported', () => counts.reports++);
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  const endAt = t0 + o.minutes * 60_000;
  const elapsedS = (): number => (performance.now() - t0) / 1000;
  const failures: Error[] = [];
  /** Runs `step` at t0 + k * everyMs until the end; a failing step is kept and ends the soak. */
  const every = async (everyMs: number, step: () => Promise<void>, first = everyMs): Promise<void> => {
    for (let due = t0 + first; due <= endAt && failures.length === 0; due += everyMs) {
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() > endAt) return;
      await step().catch((err: unknown) => void failures.push(err as Error));
    }
  };
  const sample = async (): Promise<void> => {
    const m = await fleet.cloud.sample();
    const s: SoakSample = { t_s: Math.round(elapsedS()), rss_mb: round1(m.rssMb), heap_mb: round1(m.heapUsedMb), external_mb: round1(m.externalMb), ...pick(counts) };
    samples.push(s);
    if (o.progress) process.stderr.write(`${fmtTime(s.t_s)}  cloud RSS ${s.rss_mb} MB, heap ${s.heap_mb} MB; ${s.flashes} flashes, ${s.device_restarts} reboots, ${s.broker_restarts} broker outages\n`);
  };
  try {
    let next = 0;
    const restartBatch = async (): Promise<void> => {
      for (let k = 0; k < o.reconnectBatch; k++) {
        await fleet.restartDevice(next);
        next = (next + 1) % o.devices;
        counts.device_restarts++;
      }
    };
    const outageEveryMs = (o.minutes * 60_000) / (o.brokerRestarts + 1);
    await Promise.all([
      every(o.sampleEverySeconds * 1000, sample, 0),
      every(o.flashEverySeconds * 1000, async () => {
        await fleet.flash();
        counts.flashes++;
      }),
      every(o.reconnectEverySeconds * 1000, restartBatch),
      o.brokerRestarts > 0
        ? every(outageEveryMs, async () => {
            await fleet.stopBroker();
            await sleep(o.outageSeconds * 1000);
            await fleet.startBroker();
            counts.broker_restarts++;
          })
        : Promise.resolve(),
    ]);
    if (failures.length > 0) throw failures[0];
    await sample();
    const synced = await waitForSync(fleet, 60_000);
    const after = samples.filter((s) => s.t_s >= o.warmupMinutes * 60);
    const trend = trendOf(after);
    return {
      broker: o.broker,
      devices: o.devices,
      minutes: o.minutes,
      flash_every_s: o.flashEverySeconds,
      reconnect_every_s: o.reconnectEverySeconds,
      reconnect_batch: o.reconnectBatch,
      sample_every_s: o.sampleEverySeconds,
      warmup_min: o.warmupMinutes,
      ...counts,
      synced_at_end: synced,
      samples,
      after_warmup: trend,
      growing: trend.heap_slope_mb_per_10min > HEAP_GROWTH_MB_PER_10MIN || trend.rss_slope_mb_per_10min > RSS_GROWTH_MB_PER_10MIN,
    };
  } finally {
    await fleet.stop();
  }
}

/** Waits until every device is SYNCED (or `limitMs`); returns how many are. */
async function waitForSync(fleet: BenchFleet, limitMs: number): Promise<number> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const synced = [...(await fleet.syncStatus()).values()].filter((s) => s === 'SYNCED').length;
    if (synced === fleet.devices.length || performance.now() > deadline) return synced;
    await sleep(500);
  }
}

/** Least-squares slopes (per 10 minutes) and the ends of heap and RSS over `samples`. */
export function trendOf(samples: readonly SoakSample[]): SoakTrend {
  const slope = (ys: number[]): number => {
    const xs = samples.map((s) => s.t_s / 600);
    const n = xs.length;
    if (n < 2) return 0;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
      den += ((xs[i] ?? 0) - mx) ** 2;
    }
    return den === 0 ? 0 : round1(num / den);
  };
  const first = samples[0];
  const last = samples.at(-1);
  return {
    heap_slope_mb_per_10min: slope(samples.map((s) => s.heap_mb)),
    rss_slope_mb_per_10min: slope(samples.map((s) => s.rss_mb)),
    heap_first_mb: first?.heap_mb ?? 0,
    heap_last_mb: last?.heap_mb ?? 0,
    rss_first_mb: first?.rss_mb ?? 0,
    rss_last_mb: last?.rss_mb ?? 0,
  };
}

function pick(c: { flashes: number; device_restarts: number; broker_restarts: number }): Pick<SoakSample, 'flashes' | 'device_restarts' | 'broker_restarts'> {
  return { flashes: c.flashes, device_restarts: c.device_restarts, broker_restarts: c.broker_restarts };
}

export function fmtTime(s: number): string {
  return `${String(Math.floor(s / 60)).padStart(2, ' ')}:${String(s % 60).padStart(2, '0')}`;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

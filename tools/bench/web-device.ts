import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { packageRoot } from '../../core/package-root.js';
import { meanCi95, quantile } from './stats.js';

export interface WebDeviceBenchOptions {
  /** Measured seconds per run. */
  seconds: number;
  /** Runs with the page and as many without, alternating. */
  pairs: number;
  /**
   * Run each pair's two devices at the same time, measured over the same window, instead of one
   * after the other: on a shared machine the load then weighs on both alike (the per-pair ratios
   * spread much less than runs taken in turn do).
   */
  sideBySide?: boolean;
  /** The client subscribes to every LED frame (an LED service); without, it takes what the page takes. */
  leds?: boolean;
  progress: boolean;
}

export interface WebDeviceBenchResult {
  seconds: number;
  pairs: number;
  /** The client took LED frames as well. */
  leds: boolean;
  /** CPU of the device process, percent of one core, per run. */
  without_page_cpu_percent: number[];
  with_page_cpu_percent: number[];
  median_without: number;
  median_with: number;
  /** with / without medians, minus 1, in percent. */
  median_change_percent: number;
  /** Side by side only: each pair's with / without, minus 1, percent; and all pairs' CPU pooled. */
  pair_change_percent?: number[];
  pooled_change_percent?: number;
  /** Side by side only: the mean of the pairs' changes and the half-width of its 95 % confidence interval (Student's t), percent. */
  mean_change_percent?: number;
  mean_change_ci95_percent?: number;
  page_messages_per_second: number;
}

const WARMUP_MS = 2000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * What a device page costs its device: `echosim device --offline` hearing the demo utterance over and
 * over in real time (its ring busy: listening, thinking, pulses), with and without `--web` and a page
 * connected. The page is a WebSocket client in this process (another process than the device's, as a
 * browser is) taking what the page takes: ring scenes, status, levels and events (with `leds`, every
 * LED frame too, as an LED service). CPU is the device process's user + system time from /proc over
 * the same window of each run.
 */
export async function runWebDeviceBench(o: WebDeviceBenchOptions): Promise<WebDeviceBenchResult> {
  if (o.sideBySide) return runSideBySide(o);
  const without: number[] = [];
  const withPage: number[] = [];
  let messages = 0;
  for (let i = 0; i < o.pairs * 2; i++) {
    const page = i % 2 === (Math.floor(i / 2) % 2 === 0 ? 1 : 0); // ABBA order: no side always goes first
    const run = await measure(o, page);
    (page ? withPage : without).push(run.cpu);
    messages += run.messages;
    if (o.progress) process.stderr.write(`run ${i + 1}/${o.pairs * 2} (${page ? 'page' : 'no page'}): ${run.cpu.toFixed(2)}% of a core\n`);
  }
  const med = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
  const a = med(without);
  const b = med(withPage);
  return {
    seconds: o.seconds,
    pairs: o.pairs,
    leds: o.leds === true,
    without_page_cpu_percent: without.map(round2),
    with_page_cpu_percent: withPage.map(round2),
    median_without: round2(a),
    median_with: round2(b),
    median_change_percent: round2((b / a - 1) * 100),
    page_messages_per_second: Math.round((messages / (o.pairs * o.seconds)) * 10) / 10,
  };
}

/** Each pair: both devices at once (the order they start in alternates), CPU over the same window. */
async function runSideBySide(o: WebDeviceBenchOptions): Promise<WebDeviceBenchResult> {
  const without: number[] = [];
  const withPage: number[] = [];
  let messages = 0;
  for (let i = 0; i < o.pairs; i++) {
    const [a, b] = await Promise.all(i % 2 === 0 ? [startDevice(false, o), startDevice(true, o)] : [startDevice(true, o), startDevice(false, o)]);
    const [bare, watched] = a.page ? [b, a] : [a, b];
    try {
      await delay(WARMUP_MS);
      const t0 = [cpuTicks(bare.child), cpuTicks(watched.child)];
      const m0 = watched.messages();
      await delay(o.seconds * 1000);
      without.push(((cpuTicks(bare.child) - (t0[0] ?? 0)) / TICKS_PER_SECOND / o.seconds) * 100);
      withPage.push(((cpuTicks(watched.child) - (t0[1] ?? 0)) / TICKS_PER_SECOND / o.seconds) * 100);
      messages += watched.messages() - m0;
    } finally {
      await Promise.all([bare.stop(), watched.stop()]);
    }
    if (o.progress) process.stderr.write(`pair ${i + 1}/${o.pairs} side by side: ${without[i]?.toFixed(2)}% without, ${withPage[i]?.toFixed(2)}% with a page\n`);
  }
  const med = (xs: number[]): number => quantile([...xs].sort((x, y) => x - y), 0.5);
  const sum = (xs: number[]): number => xs.reduce((x, y) => x + y, 0);
  const pairChange = without.map((w, i) => ((withPage[i] ?? 0) / w - 1) * 100);
  const ci = meanCi95(pairChange);
  return {
    seconds: o.seconds,
    pairs: o.pairs,
    leds: o.leds === true,
    without_page_cpu_percent: without.map(round2),
    with_page_cpu_percent: withPage.map(round2),
    median_without: round2(med(without)),
    median_with: round2(med(withPage)),
    median_change_percent: round2(med(pairChange)),
    pair_change_percent: pairChange.map(round2),
    pooled_change_percent: round2((sum(withPage) / sum(without) - 1) * 100),
    ...(ci ? { mean_change_percent: round2(ci.mean), mean_change_ci95_percent: round2(ci.half) } : {}),
    page_messages_per_second: Math.round((messages / (o.pairs * o.seconds)) * 10) / 10,
  };
}

async function measure(o: WebDeviceBenchOptions, page: boolean): Promise<{ cpu: number; messages: number }> {
  const seconds = o.seconds;
  const d = await startDevice(page, o);
  try {
    await delay(WARMUP_MS);
    const c0 = cpuTicks(d.child);
    const m0 = d.messages();
    await delay(seconds * 1000);
    const cpu = ((cpuTicks(d.child) - c0) / TICKS_PER_SECOND / seconds) * 100;
    return { cpu, messages: d.messages() - m0 };
  } finally {
    await d.stop();
  }
}

interface RunningDevice {
  page: boolean;
  child: ChildProcess;
  /** Socket messages the page has had so far. */
  messages(): number;
  stop(): Promise<void>;
}

/** `echosim device` hearing the demo in a loop; with `page`, `--web 0` and a client taking what a page (or, with `leds`, an LED service) takes. */
async function startDevice(page: boolean, o: WebDeviceBenchOptions): Promise<RunningDevice> {
  const seconds = o.seconds;
  const wav = path.join(packageRoot(), 'test', 'fixtures', 'demo', 'alexa-demo.wav');
  const copies = Math.ceil((seconds + 10) / 4.6);
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
  const args = [cli, 'device', '--offline', '--mic', `wav:${Array(copies).fill(wav).join(',')}`, '--leds', 'none', '--buttons', 'none', '--events', 'jsonl', ...(page ? ['--web', '0'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ECHOSIM_LOG_LEVEL: 'warn' } });
  let out = '';
  let err = '';
  let messages = 0;
  let ws: WebSocket | undefined;
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4096)));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stop = async (): Promise<void> => {
    ws?.close();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  };
  try {
    await until(() => out.includes('"type":"state"'), child, () => err);
    if (page) {
      await until(() => /page is at http:\/\/[^\s]+/.test(err), child, () => err);
      const url = (/page is at (http:\/\/\S+)/.exec(err)?.[1] ?? '').replace(/^http/, 'ws');
      const socket = new WebSocket(`${url}ws`);
      ws = socket;
      socket.on('message', (d) => {
        messages++;
        JSON.parse(String(d));
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      if (o.leds) socket.send(JSON.stringify({ type: 'subscribe', leds: true }));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { page, child, messages: () => messages, stop };
}

/** utime + stime of a process, clock ticks (/proc/PID/stat fields 14 and 15). */
function cpuTicks(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function until(condition: () => boolean, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the device did not start: ${stderr()}`);
    await delay(20);
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round2 = (x: number): number => Math.round(x * 100) / 100;

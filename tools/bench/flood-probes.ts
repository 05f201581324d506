import { Agent, get } from 'node:http';
import { mqttConnect } from './flood-attempts.js';
import { quantile } from './stats.js';

/** What the people the flood is not aimed at see: latency summaries of sequential probes. */
export interface LatencySummary {
  probes: number;
  /** Probes that did not succeed (a login refused or throttled, a health check that failed). */
  failed: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** GET /health one after the other for `durationMs`, `pauseMs` apart, each timed to the end of its answer. */
export async function probeHealth(apiUrl: string, durationMs: number, pauseMs: number): Promise<LatencySummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/health', apiUrl).toString();
  try {
    return await probe(durationMs, pauseMs, () =>
      new Promise<boolean>((resolve) => {
        get(url, { agent }, (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode === 200));
        }).once('error', () => resolve(false));
      }),
    );
  } finally {
    agent.destroy();
  }
}

/**
 * A registered device logging in (MQTT CONNECT with its secret, from 127.0.0.1) one after the other,
 * each device of `devices` once while they last: a first login, the one a device makes after the
 * cloud restarts, which no cache of earlier logins can speed up.
 */
export async function probeLogins(
  mqttUrl: string,
  devices: Array<{ id: string; secret: string }>,
  durationMs: number,
  pauseMs: number,
): Promise<LatencySummary> {
  let next = 0;
  return probe(durationMs, pauseMs, async () => {
    const device = devices[next++ % devices.length]!;
    return (await mqttConnect(mqttUrl, device.id, device.secret, '127.0.0.1')) === 'connack 0';
  });
}

async function probe(durationMs: number, pauseMs: number, once: () => Promise<boolean>): Promise<LatencySummary> {
  const samples: number[] = [];
  let failed = 0;
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const t = performance.now();
    if (!(await once())) failed++;
    samples.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  samples.sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 10) / 10;
  return {
    probes: samples.length,
    failed,
    p50_ms: r(quantile(samples, 0.5)),
    p90_ms: r(quantile(samples, 0.9)),
    p99_ms: r(quantile(samples, 0.99)),
    max_ms: r(samples[samples.length - 1] ?? 0),
  };
}

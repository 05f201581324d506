import { randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import { A4bClient } from '../a4b-client.js';
import { httpAttempt, mqttAttempt, type Attempt } from './flood-attempts.js';
import { startFloodCloud, type FloodCloud } from './flood-cloud.js';
import { probeHealth, probeLogins, type LatencySummary } from './flood-probes.js';

export type { LatencySummary } from './flood-probes.js';

/** Pause between two probe logins (MQTT target). */
const LOGIN_PAUSE_MS = 250;

export interface AuthFloodOptions {
  /** Wrong bearer tokens on the HTTP API, or wrong device secrets in MQTT CONNECTs. */
  target: 'http' | 'mqtt';
  /** Attempts started per second; 0: as many as `concurrency` allows (closed loop). */
  rate: number;
  /** Attempts in flight at most. */
  concurrency: number;
  /** How long the flood lasts, seconds. */
  seconds: number;
  /** Health checks without a flood first, seconds. */
  baselineSeconds: number;
  /** Pause between two health checks, ms. */
  probeMs: number;
  /** Local addresses the flood comes from (127.1.x.y); 1 is a single attacker. */
  sources: number;
  /** MQTT: a new, unregistered username per attempt instead of one registered device's. */
  randomUsernames: boolean;
  /** A running cloud (else one is started from this build in its own process). */
  endpointUrl?: string;
  mqttUrl?: string;
  /** Admin token or data directory of that cloud (to register the device attacked over MQTT). */
  token?: string;
  dataDir?: string;
  progress: boolean;
}

export interface AuthFloodResult {
  target: 'http' | 'mqtt';
  rate: number;
  concurrency: number;
  seconds: number;
  sources: number;
  health_baseline: LatencySummary;
  health_flood: LatencySummary;
  /** MQTT target: first logins of registered devices (with their right secrets) before and during the flood. */
  login_baseline?: LatencySummary;
  login_flood?: LatencySummary;
  attempts: number;
  attempts_per_second: number;
  /** Attempts due but not started because `concurrency` were still in flight. */
  skipped: number;
  /** What came back, e.g. {"401": 12, "429": 988}. */
  outcomes: Record<string, number>;
}

/**
 * Times the API's unauthenticated health check (and, for MQTT, registered devices' first logins)
 * while wrong credentials arrive at a given rate: the cost a flood of bad logins imposes on everyone
 * else. Probes are sequential, each timed from request to answer.
 */
export async function runAuthFlood(o: AuthFloodOptions): Promise<AuthFloodResult> {
  const own: FloodCloud | undefined = o.endpointUrl ? undefined : await startFloodCloud();
  const apiUrl = o.endpointUrl ?? own!.apiUrl;
  const agents = new Map<string, Agent>();
  try {
    let attempt: Attempt;
    let logins: ((ms: number) => Promise<LatencySummary>) | undefined;
    if (o.target === 'http') {
      attempt = httpAttempt(apiUrl, agents, o.concurrency);
    } else {
      const mqttUrl = o.mqttUrl ?? own?.mqttUrl;
      if (!mqttUrl) throw new Error('--mqtt-url is needed with --endpoint-url and --target mqtt');
      const dataDir = own?.dataDir ?? o.dataDir;
      const api = new A4bClient({ endpoint: apiUrl, ...(o.token ? { token: o.token } : {}), ...(dataDir ? { dataDir } : {}) });
      const victim = o.randomUsernames ? undefined : (await registerDevices(api, 'flood', 1))[0]!.id;
      const good = await registerDevices(api, 'good', Math.ceil(((o.baselineSeconds + o.seconds) * 1000) / LOGIN_PAUSE_MS) + 2);
      attempt = mqttAttempt(mqttUrl, () => victim ?? `flood-${randomBytes(6).toString('hex')}`);
      logins = (ms) => probeLogins(mqttUrl, good, ms, LOGIN_PAUSE_MS);
    }
    const [baseline, loginBaseline] = await Promise.all([probeHealth(apiUrl, o.baselineSeconds * 1000, o.probeMs), logins?.(o.baselineSeconds * 1000)]);
    if (o.progress) process.stderr.write(`baseline health p50 ${baseline.p50_ms} ms; flooding for ${o.seconds} s\n`);
    const flooding = flood(attempt, o);
    const [during, loginDuring] = await Promise.all([probeHealth(apiUrl, o.seconds * 1000, o.probeMs), logins?.(o.seconds * 1000)]);
    const f = await flooding;
    return {
      target: o.target,
      rate: o.rate,
      concurrency: o.concurrency,
      seconds: o.seconds,
      sources: o.sources,
      health_baseline: baseline,
      health_flood: during,
      ...(loginBaseline && loginDuring ? { login_baseline: loginBaseline, login_flood: loginDuring } : {}),
      attempts: f.started,
      attempts_per_second: Math.round((f.started / o.seconds) * 10) / 10,
      skipped: f.skipped,
      outcomes: Object.fromEntries([...f.outcomes].sort(([a], [b]) => a.localeCompare(b))),
    };
  } finally {
    for (const a of agents.values()) a.destroy();
    await own?.stop();
  }
}

/** Registers `n` devices (`<prefix>-<random>-<i>`) and returns their ids and secrets. */
async function registerDevices(api: A4bClient, prefix: string, n: number): Promise<Array<{ id: string; secret: string }>> {
  const tag = randomBytes(3).toString('hex');
  const out: Array<{ id: string; secret: string }> = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${tag}-${i}`;
    const { Secret } = await api.call<{ Secret: string }>('RegisterDevice', { DeviceSerialNumber: id, DeviceType: 'echo-dot-3', DeviceName: id });
    out.push({ id, secret: Secret });
  }
  return out;
}

/** The i-th attacker's local address: 127.1.0.1, 127.1.0.2, ... (all of 127/8 is this host on Linux). */
function sourceAddress(i: number): string {
  const n = i + 1;
  return `127.1.${(n >> 8) & 255}.${n & 255}`;
}

async function flood(attempt: Attempt, o: AuthFloodOptions): Promise<{ started: number; skipped: number; outcomes: Map<string, number> }> {
  const outcomes = new Map<string, number>();
  let started = 0;
  let skipped = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  const launch = (): void => {
    const source = sourceAddress(started % o.sources);
    started++;
    inFlight++;
    void attempt(source).then((outcome) => {
      inFlight--;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (o.rate === 0 && performance.now() < end) launch();
    });
  };
  if (o.rate === 0) {
    for (let i = 0; i < o.concurrency; i++) launch();
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
  } else {
    let due = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        const target = Math.floor(((Math.min(now, end) - t0) / 1000) * o.rate);
        for (; due < target; due++) {
          if (inFlight < o.concurrency) launch();
          else skipped++;
        }
        if (now >= end) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
  }
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  return { started, skipped, outcomes };
}

/**
 * A real Mosquitto for tests: its own temp directory, config, password and ACL files
 * (cloud-link/broker/mosquitto-config.ts), a free port, and a process the test starts, restarts on the
 * same port and stops. `startTestBroker` gives the embedded broker and Mosquitto one shape, so a suite
 * can run unchanged against both.
 *
 * Mosquitto comes from the system package that `bash tools/setup.sh` installs. When it is missing the
 * tests fail saying so; they do not skip, or a CI without it would pass without testing anything.
 */
import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../../cloud-link/broker/embedded-broker.js';
import type { BrokerDenial } from '../../cloud-link/broker/broker-types.js';
import type { MosquittoUser } from '../../cloud-link/broker/mosquitto-config.js';
import { MosquittoBroker } from '../../tools/bench/mosquitto-process.js';

export { findMosquitto, freePort, MosquittoBroker, type MosquittoOptions } from '../../tools/bench/mosquitto-process.js';

/** One shape for both brokers, so a suite runs against each. */
export interface TestBroker {
  readonly kind: BrokerKind;
  readonly url: string;
  readonly port: number;
  /** Stops the broker and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Mosquitto's log so far (empty for the embedded broker), for failure messages. */
  readonly log: string;
  /** What the embedded broker refused so far (Mosquitto only logs it). */
  readonly denials: BrokerDenial[];
  /** Bytes of memory the broker holds: Mosquitto's resident set, or this process's heap and buffers for the embedded one. */
  memoryBytes(): number;
  /** QoS 1/2 messages the embedded broker holds for a client (undefined for Mosquitto, which does not tell). */
  queuedFor(clientId: string): Promise<number | undefined>;
}

/** VmRSS of a process, bytes. */
function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

export type BrokerKind = 'embedded' | 'mosquitto';

/** Two devices and the cloud, for suites that run against both brokers. */
export const TEST_USERS: readonly MosquittoUser[] = [
  { username: 'dev-A', password: 'secret-A-0123456789', role: 'device' },
  { username: 'dev-B', password: 'secret-B-0123456789', role: 'device' },
  { username: 'echosim-cloud', password: 'cloud-admin-secret', role: 'cloud' },
];
export const BROKER_KINDS: readonly BrokerKind[] = ['embedded', 'mosquitto'];

/** Starts an embedded broker (port 0) or a Mosquitto, both knowing exactly `users`. */
export async function startTestBroker(kind: BrokerKind, users: readonly MosquittoUser[]): Promise<TestBroker> {
  if (kind === 'mosquitto') {
    const m = await MosquittoBroker.start({ users });
    return {
      kind,
      url: m.url,
      port: m.port,
      restart: () => m.restart(),
      stop: () => m.stop(),
      get log() {
        return m.log;
      },
      denials: [],
      memoryBytes: () => residentBytes(m.pid),
      queuedFor: async () => undefined,
    };
  }
  const authenticate = async (username: string, password: string) =>
    users.find((u) => u.username === username && u.password === password)?.role;
  const denials: BrokerDenial[] = [];
  const start = async (port: number): Promise<EmbeddedBroker> => {
    const b = await EmbeddedBroker.start({ port, authenticate });
    b.on('denied', (d) => denials.push(d));
    return b;
  };
  let broker = await start(0);
  const port = broker.port;
  return {
    kind,
    url: broker.url,
    port,
    restart: async () => {
      await broker.close();
      broker = await start(port);
    },
    stop: () => broker.close(),
    log: '',
    denials,
    memoryBytes: () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    },
    queuedFor: async (clientId) => {
      const persistence = broker.persistence as { outgoingStream(c: { id: string }): AsyncIterable<unknown> };
      let n = 0;
      for await (const _ of persistence.outgoingStream({ id: clientId })) n++;
      return n;
    },
  };
}

/** A plain mqtt.js client for poking at a broker, with every message it receives recorded. */
export interface RawClient {
  client: MqttClient;
  /** Set when the broker accepted the CONNECT. */
  connack: IConnackPacket | undefined;
  /** Set when it refused it (or the connection failed). */
  error: (Error & { code?: number | string }) | undefined;
  messages: Array<{ topic: string; payload: string; retain: boolean }>;
  /** Payloads received on `topic`, in order. */
  payloads(topic: string): string[];
  end(force?: boolean): Promise<void>;
}

/** Connects (MQTT 3.1.1, no auto-reconnect) and resolves on CONNACK, refusal or failure. */
export async function rawConnect(url: string, options: IClientOptions): Promise<RawClient> {
  const client = connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000, ...options });
  const raw: RawClient = {
    client,
    connack: undefined,
    error: undefined,
    messages: [],
    payloads: (topic) => raw.messages.filter((m) => m.topic === topic).map((m) => m.payload),
    end: (force = false) => new Promise<void>((resolve) => client.end(force, {}, () => resolve())),
  };
  // Attached before CONNACK: a resumed session's queued messages arrive right behind it.
  client.on('message', (topic, payload, packet) => raw.messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await new Promise<void>((resolve) => {
    client.once('connect', (packet) => {
      raw.connack = packet;
      resolve();
    });
    client.on('error', (err) => {
      raw.error ??= err as RawClient['error'];
      resolve();
    });
    client.once('close', () => resolve());
  });
  return raw;
}

/**
 * Polls `condition` until it holds. The limit is a safety net that turns a hang into a readable
 * failure, not a performance assertion.
 */
export async function waitUntil(condition: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** SUBSCRIBEs at QoS 1 and returns the SUBACK's codes (1 granted, 128 refused), one per filter. */
export function subscribeCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filters, { qos: 1 }, (err, _granted, packet) => {
      const codes = packet?.granted;
      if (Array.isArray(codes)) resolve(codes.map((c) => (typeof c === 'number' ? c : Number(c.qos))));
      else reject(err ?? new Error('no SUBACK'));
    });
  });
}

/**
 * The topics under `filter` on which the broker holds a retained message right now: a fresh
 * subscriber gets them flagged retained right after its SUBACK; a message it then publishes itself
 * on `sentinelTopic` (covered by `filter`) arrives after all of them.
 */
export async function retainedTopics(url: string, login: IClientOptions, filter: string, sentinelTopic: string): Promise<string[]> {
  const c = await rawConnect(url, login);
  try {
    if (!c.connack) throw new Error(`cannot count retained messages: ${c.error?.message ?? 'no CONNACK'}`);
    await c.client.subscribeAsync(filter, { qos: 1 });
    await c.client.publishAsync(sentinelTopic, 'sentinel', { qos: 1 });
    await waitUntil(() => c.payloads(sentinelTopic).includes('sentinel'), 'the sentinel came back');
    return c.messages.filter((m) => m.retain).map((m) => m.topic);
  } finally {
    await c.end(true);
  }
}

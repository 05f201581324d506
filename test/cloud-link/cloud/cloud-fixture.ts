import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Cloud } from '../../../cloud-link/cloud/cloud.js';
import type { CloudOptions } from '../../../cloud-link/cloud/cloud-options.js';
import { WAKE_WORDS } from '../../../cloud-link/protocol/room-profile.js';
import type { CloudEvents } from '../../../cloud-link/cloud/mqtt/cloud-events.js';
import { deviceSubscriptions, deviceTopics, type DeviceTopics } from '../../../cloud-link/protocol/topics.js';
import { VirtualClock } from '../../../core/clock.js';
import { writeMosquittoAuth } from '../../../cloud-link/broker/mosquitto-config.js';
import { readCaFile } from '../../../cloud-link/tls/client-tls.js';
import { CloudTls, TLS_DIR, serverTlsFiles } from '../../../cloud-link/cloud/server-tls.js';
import { subjectNamesFor } from '../../../cloud-link/tls/subject-names.js';
import { MosquittoBroker, rawConnect, subscribeCodes, waitUntil, type BrokerKind, type RawClient } from '../../support/mosquitto.js';

export type CloudEventRecord = { [K in keyof CloudEvents]: { name: K; payload: CloudEvents[K][0] } }[keyof CloudEvents];

export interface TestCloud {
  cloud: Cloud;
  dir: string;
  clock: VirtualClock;
  events: CloudEventRecord[];
  call: (op: string, input?: unknown) => Promise<Record<string, any>>;
  /** Registers a device (echo-dot-3) and returns its one-time secret. */
  register: (serial: string, extra?: Record<string, unknown>) => Promise<string>;
  /** Waits for an event matching `match`; returns it. */
  waitFor: <K extends keyof CloudEvents>(name: K, match?: (p: CloudEvents[K][0]) => boolean, what?: string) => Promise<CloudEvents[K][0]>;
  brokerKind: BrokerKind;
  /** Stops the broker and starts it again on the same port (devices and cloud reconnect). */
  restartBroker: () => Promise<void>;
  /** Mosquitto's log (empty for the embedded broker), for failure messages. */
  brokerLog: () => string;
  stop: () => Promise<void>;
}

const NAMES: Array<keyof CloudEvents> = ['presence', 'shadow-updated', 'shadow-rejected', 'profile-applied', 'profile-rejected', 'job-updated', 'telemetry', 'verdict', 'utterance', 'utterance-refused'];

/**
 * A cloud on a temp data dir, API on a free port, every event recorded; its broker embedded (free
 * port) or a real Mosquitto whose password and ACL files the cloud writes and reloads.
 */
export async function startTestCloud(options: Partial<CloudOptions> & { brokerKind?: BrokerKind } = {}): Promise<TestCloud> {
  const { brokerKind = 'embedded', ...cloudOptions } = options;
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'echosim-cloud-'));
  const clock = (options.clock as VirtualClock | undefined) ?? new VirtualClock();
  let mosquitto: MosquittoBroker | undefined;
  let brokerOptions: Partial<CloudOptions> = { broker: { port: 0 } };
  if (brokerKind === 'mosquitto') {
    const authDir = mkdtempSync(path.join(tmpdir(), 'echosim-mosquitto-auth-'));
    const authFiles = await writeMosquittoAuth(authDir, []);
    // With `tls`, Mosquitto serves the certificate the cloud makes in its data directory (made here
    // first, as `echosim cloud --tls` would), and the cloud verifies it with the CA (--broker-ca).
    const tlsDir = path.join(dir, TLS_DIR);
    const tls = options.tls ? await CloudTls.open({ dir: tlsDir, names: subjectNamesFor(['127.0.0.1']) }) : undefined;
    tls?.stop();
    const { caFile, certFile, keyFile } = serverTlsFiles(tlsDir);
    const files = { cafile: caFile, certfile: certFile, keyfile: keyFile };
    mosquitto = await MosquittoBroker.start({ authFiles, ...(tls ? { tls: files } : {}) });
    const m = mosquitto;
    brokerOptions = { broker: { url: m.url, ...(tls ? { tls: readCaFile(files.cafile) } : {}) }, mosquitto: { authDir, reload: () => m.reload() } };
  }
  // The test cloud accepts every WakeWord, so what a device without a word's model does stays testable.
  const cloud = await Cloud.start({ dir, clock, http: { port: 0 }, verifier: false, wakeWords: WAKE_WORDS, ...brokerOptions, ...cloudOptions });
  const events: CloudEventRecord[] = [];
  for (const name of NAMES) cloud.events.on(name, ((payload: unknown) => void events.push({ name, payload } as CloudEventRecord)) as never);
  const t: TestCloud = {
    cloud,
    dir,
    clock,
    events,
    call: async (op, input = {}) => (await cloud.call(op, input)) as Record<string, any>,
    register: async (serial, extra = {}) => {
      const res = await t.call('RegisterDevice', { DeviceSerialNumber: serial, DeviceType: 'echo-dot-3', DeviceName: `Device ${serial}`, ...extra });
      await cloud.brokerAuthSettled();
      return res.Secret as string;
    },
    waitFor: async (name, match = () => true, what = name) => {
      let found: unknown;
      await waitUntil(() => {
        found = events.find((e) => e.name === name && match(e.payload as never))?.payload;
        return found !== undefined;
      }, what);
      return found as never;
    },
    brokerKind,
    restartBroker: () => (mosquitto ? mosquitto.restart() : cloud.restartBroker()),
    brokerLog: () => mosquitto?.log ?? '',
    stop: async () => {
      await cloud.stop();
      if (mosquitto) {
        await mosquitto.stop();
        rmSync(path.dirname(mosquitto.authFiles.passwordFile), { recursive: true, force: true });
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A device played by a raw MQTT client: its topics, subscribed to everything the cloud sends it. */
export interface RawDevice {
  raw: RawClient;
  topics: DeviceTopics;
  /** JSON payloads received on `topic`, parsed. */
  json: (topic: string) => Array<Record<string, any>>;
  publish: (topic: string, body: unknown, options?: { qos?: 0 | 1; retain?: boolean }) => Promise<void>;
  /** Waits until `topic` has received more than `count` messages; returns the newest. */
  next: (topic: string, count: number) => Promise<Record<string, any>>;
}

export async function rawDevice(url: string, serial: string, secret: string, extra: Record<string, unknown> = {}): Promise<RawDevice> {
  // Mosquitto rereads its password file on SIGHUP, a moment after the cloud wrote it: retry briefly
  let raw = await rawConnect(url, { clientId: serial, username: serial, password: secret, clean: false, ...extra });
  for (let i = 0; i < 50 && !raw.connack; i++) {
    await raw.end(true);
    await new Promise((r) => setTimeout(r, 50));
    raw = await rawConnect(url, { clientId: serial, username: serial, password: secret, clean: false, ...extra });
  }
  if (!raw.connack) throw new Error(`device ${serial} could not connect: ${raw.error?.message}`);
  const codes = await subscribeCodes(raw.client, deviceSubscriptions(serial));
  if (codes.some((c) => c >= 128)) throw new Error(`device ${serial}: subscription refused`);
  const json = (topic: string): Array<Record<string, any>> => raw.payloads(topic).map((p) => JSON.parse(p) as Record<string, any>);
  return {
    raw,
    topics: deviceTopics(serial),
    json,
    publish: (topic, body, options = {}) =>
      raw.client.publishAsync(topic, typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), { qos: options.qos ?? 1, retain: options.retain ?? false }).then(() => undefined),
    next: async (topic, count) => {
      await waitUntil(() => raw.payloads(topic).length > count, `a message on ${topic}`);
      return json(topic)[count] as Record<string, any>;
    },
  };
}

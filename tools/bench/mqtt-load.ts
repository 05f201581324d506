import { EmbeddedBroker } from '../../cloud-link/broker/embedded-broker.js';
import { MqttConnection } from '../../cloud-link/device/mqtt-connection.js';
import { createMqttClient, type MqttStreamTransport } from '../../cloud-link/mqtt/stream-transport.js';
import { CLOUD_USERNAME, subscriptionFilter, topicFor } from '../../cloud-link/protocol/topics.js';
import { SystemClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { ownThreadTime } from '../../models/thread-time.js';

/** How a client reaches the broker: a loopback TCP socket, or the broker's in-memory stream. */
export type BrokerLink = 'socket' | 'in-memory';

export interface MqttLoadOptions {
  devices: number;
  deviceLink: BrokerLink;
  cloudLink: BrokerLink;
  /** Timed seconds, after `warmupSeconds` untimed. */
  seconds: number;
  warmupSeconds: number;
}

export interface MqttLoadResult {
  devices: number;
  device_link: BrokerLink;
  cloud_link: BrokerLink;
  seconds: number;
  /** Messages the cloud's client received in the timed window. */
  delivered: number;
  main_cpu_ms: number;
  /** The main thread's CPU per delivered message (devices, broker and cloud client are all in it). */
  main_us_per_message: number;
  /** All threads' CPU per delivered message. */
  process_us_per_message: number;
}

/** What a listening device streams: an 80 ms chunk of 16 kHz 16-bit audio. */
const AUDIO_CHUNK = Buffer.alloc(2560, 7);
const TICK_MS = 80;
/** Every tenth tick a device also sends one QoS 1 telemetry message. */
const TELEMETRY_EVERY = 10;
const SECRET = 'bench-mqtt-load';

/**
 * A fixed MQTT load in one process, without models or audio pipeline: the embedded broker, N device
 * connections (MqttConnection) each publishing an audio chunk at QoS 0 every 80 ms and a telemetry
 * message at QoS 1 every 800 ms, and one cloud client subscribed to both. Each side reaches the broker
 * over a socket or in memory, so the transport's cost is the difference between runs.
 */
export async function measureMqttLoad(o: MqttLoadOptions): Promise<MqttLoadResult> {
  const log = createLogger('bench', 'error');
  const broker = await EmbeddedBroker.start({ port: 0, log, authenticate: async (username, password) => (password !== SECRET ? undefined : username === CLOUD_USERNAME ? 'cloud' : 'device') });
  const inMemory: MqttStreamTransport = { open: () => broker.connectInMemory() };
  const clock = new SystemClock();
  const devices: MqttConnection[] = [];
  const cloud = createMqttClient(
    broker.url,
    { protocolVersion: 4, clientId: CLOUD_USERNAME, username: CLOUD_USERNAME, password: SECRET, reconnectPeriod: 0 },
    o.cloudLink === 'in-memory' ? inMemory : undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    let received = 0;
    cloud.on('message', () => received++);
    await new Promise((resolve) => cloud.once('connect', resolve));
    await cloud.subscribeAsync([subscriptionFilter('utterance/audio'), subscriptionFilter('telemetry/state')], { qos: 1 });
    for (let i = 0; i < o.devices; i++) {
      const streamTransport = o.deviceLink === 'in-memory' ? { streamTransport: inMemory } : {};
      const d = new MqttConnection({ url: broker.url, deviceId: `load-${i}`, secret: SECRET, clock, log, ...streamTransport });
      devices.push(d);
      d.start();
    }
    while (!devices.every((d) => d.connected)) await new Promise((r) => setTimeout(r, 20));
    let tick = 0;
    timer = setInterval(() => {
      tick++;
      for (const d of devices) {
        d.publish(topicFor('utterance/audio', d.deviceId, { utteranceId: 1 }), AUDIO_CHUNK, { qos: 0 }).catch(() => undefined);
        if (tick % TELEMETRY_EVERY === 0) d.publish(topicFor('telemetry/state', d.deviceId), '{"state":"IDLE"}', { qos: 1 }).catch(() => undefined);
      }
    }, TICK_MS);
    await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
    const [main0, cpu0, received0, t0] = [ownThreadTime()?.cpuMs ?? 0, process.cpuUsage(), received, performance.now()];
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const [main1, cpu1, delivered, t1] = [ownThreadTime()?.cpuMs ?? 0, process.cpuUsage(cpu0), received - received0, performance.now()];
    const perMessage = (ms: number): number => Math.round((ms * 1000 * 10) / Math.max(1, delivered)) / 10;
    return {
      devices: o.devices,
      device_link: o.deviceLink,
      cloud_link: o.cloudLink,
      seconds: Math.round((t1 - t0) / 100) / 10,
      delivered,
      main_cpu_ms: Math.round(main1 - main0),
      main_us_per_message: perMessage(main1 - main0),
      process_us_per_message: perMessage((cpu1.user + cpu1.system) / 1000),
    };
  } finally {
    clearInterval(timer);
    await Promise.all(devices.map((d) => d.close({ abrupt: true })));
    await cloud.endAsync(true);
    await broker.close();
  }
}

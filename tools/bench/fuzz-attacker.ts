import { connect, type MqttClient } from 'mqtt';
import { deviceFilter } from '../../cloud-link/protocol/topics.js';
import { UtteranceRejectedSchema } from '../../cloud-link/protocol/utterance.js';

/**
 * The fuzz campaign's misbehaving device: a registered device's own credentials, as an attacker would
 * use them. The broker may cut it off (a packet over the device limit, a topic outside its ACL, a
 * retained message where the protocol has none); it then comes back with a new connection, as a real
 * client would, and the messages that were in flight count as failed. mqtt.js would otherwise resend
 * an unacknowledged QoS 1 message on every reconnect, and one that the broker refuses by closing the
 * connection would loop forever.
 */
export class FuzzAttacker {
  private client: MqttClient | undefined;
  /** Times the broker closed the connection. */
  disconnects = 0;
  /** Refusals the cloud published to this device (utterance/{n}/rejected). */
  refusalsSeen = 0;

  constructor(
    private readonly url: string,
    private readonly deviceId: string,
    private readonly secret: string,
  ) {}

  /** A connected client, subscribed to the device's own subtree; reconnects after the broker cut it off. */
  async connected(): Promise<MqttClient> {
    if (this.client?.connected) return this.client;
    if (this.client) await this.client.endAsync(true).catch(() => undefined);
    const client = await connectWithRetry(this.url, this.deviceId, this.secret);
    client.on('message', (topic, payload) => {
      // Its own publishes to that topic come back too (it subscribes to its whole subtree): count the cloud's.
      if (/\/utterance\/\d+\/rejected$/.test(topic) && UtteranceRejectedSchema.safeParse(safeJson(payload)).success) this.refusalsSeen++;
    });
    client.on('close', () => {
      this.disconnects++;
      // reconnectPeriod 0 and a clean session: a forced end fails the publishes in flight at once.
      client.end(true);
    });
    await client.subscribeAsync(deviceFilter(this.deviceId), { qos: 1 });
    this.client = client;
    return client;
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
    this.client = undefined;
  }
}

/** Connects (Mosquitto rereads its password file a moment after the cloud wrote it: retry briefly). */
async function connectWithRetry(url: string, deviceId: string, secret: string): Promise<MqttClient> {
  for (let attempt = 0; ; attempt++) {
    const client = connect(url, { clientId: deviceId, username: deviceId, password: secret, clean: true, reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4 });
    const ok = await withDeadline(
      new Promise<boolean>((resolve) => {
        client.once('connect', () => resolve(true));
        client.once('error', () => resolve(false));
        client.once('close', () => resolve(false));
      }),
      5000,
    );
    if (ok) return client;
    await client.endAsync(true);
    if (attempt >= 40) throw new Error(`${deviceId} could not connect to ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** `p`'s value, or undefined once `ms` have passed; the timer does not keep the process alive after. */
export async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

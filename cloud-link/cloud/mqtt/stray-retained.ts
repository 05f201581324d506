import type { Logger } from '../../../core/log.js';
import { MAX_RETAINED_PAYLOAD_BYTES } from '../../broker/topic-rules.js';
import { parseTopic, topicSpec } from '../../protocol/topics.js';

/**
 * Retained messages only where the protocol uses them (availability), one small one per topic.
 *
 * The embedded broker refuses any other retained PUBLISH itself (broker-rules.ts). Mosquitto has no
 * per-topic retain setting, so with Mosquitto the cloud clears what a device leaves behind: its ACL
 * lets a device write only the topics the cloud subscribes to (mosquitto-config.ts), and the cloud
 * subscribes over MQTT 5 with retain-as-published (cloud-client.ts), so a device's retained PUBLISH
 * reaches the cloud with its retain flag. The cloud then publishes an empty retained message on that
 * topic, which deletes the stored one, and drops the message: the protocol never retains it, so it
 * is a device misbehaving. An availability over MAX_RETAINED_PAYLOAD_BYTES is cleared the same way
 * (availability is subscribed without retain-as-published, to tell a replayed status from a live
 * one, so its size is what gives it away).
 */
export class StrayRetained {
  /** Devices already reported, so a flood is one warning, not thousands. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly clear: (topic: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** True when the message is a stray retained one: it is being cleared and must not be handled. */
  check(m: { topic: string; payload: Buffer; retain: boolean }): boolean {
    const parsed = parseTopic(m.topic);
    if (!parsed || m.payload.length === 0) return false;
    const allowed = topicSpec(parsed.kind).retain;
    const stray = allowed ? m.payload.length > MAX_RETAINED_PAYLOAD_BYTES : m.retain;
    if (!stray) return false;
    if (!this.reported.has(parsed.deviceId)) {
      this.reported.add(parsed.deviceId);
      this.log.warn({ deviceId: parsed.deviceId, kind: parsed.kind, bytes: m.payload.length }, 'retained message outside the protocol: cleared (further ones from this device cleared quietly)');
    }
    this.clear(m.topic).catch((err: unknown) => this.log.warn({ topic: m.topic, err: (err as Error).message }, 'stray retained message not cleared'));
    return true;
  }
}

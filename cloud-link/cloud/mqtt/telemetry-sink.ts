import type { z } from 'zod';
import type { Logger } from '../../../core/log.js';
import { parsePayload } from '../../protocol/parse.js';
import { TelemetryFalseWakeSchema, TelemetryMetricsSchema, TelemetryStateSchema, TelemetryWakeSchema } from '../../protocol/telemetry.js';
import type { CloudEventBus } from './cloud-events.js';

export type TelemetryKind = 'state' | 'wake' | 'false-wake' | 'metrics';

const SCHEMAS: Record<TelemetryKind, z.ZodType<Record<string, unknown> & { seq: number; at: number }>> = {
  state: TelemetryStateSchema,
  wake: TelemetryWakeSchema,
  'false-wake': TelemetryFalseWakeSchema,
  metrics: TelemetryMetricsSchema,
};

/** How many recent message ids per device are remembered to drop QoS 1 duplicates. */
const RECENT = 64;

/**
 * Telemetry from devices: validated against its schema, de-duplicated (QoS 1 and the device's
 * outbox deliver at least once, so a message may arrive twice, possibly after a reconnect), logged
 * and emitted. A message is identified by its `seq` and `at` together: `seq` restarts at each boot.
 */
export class TelemetrySink {
  private readonly recent = new Map<string, string[]>();
  private readonly counts = { accepted: 0, duplicates: 0, invalid: 0 };

  constructor(
    private readonly bus: CloudEventBus,
    private readonly log: Logger,
  ) {}

  get stats(): Readonly<{ accepted: number; duplicates: number; invalid: number }> {
    return { ...this.counts };
  }

  onTelemetry(deviceId: string, kind: TelemetryKind, payload: Buffer): void {
    const parsed = parsePayload(SCHEMAS[kind], payload);
    if (!parsed.ok) {
      this.counts.invalid++;
      this.log.warn({ deviceId, kind, reason: parsed.message }, 'telemetry dropped: invalid');
      return;
    }
    const message = parsed.value;
    const id = `${kind}:${message.seq}:${message.at}`;
    const seen = this.recent.get(deviceId) ?? [];
    if (seen.includes(id)) {
      this.counts.duplicates++;
      return;
    }
    seen.push(id);
    if (seen.length > RECENT) seen.shift();
    this.recent.set(deviceId, seen);
    this.counts.accepted++;
    this.log.debug({ deviceId, kind, seq: message.seq }, 'telemetry');
    this.bus.emit('telemetry', { deviceId, kind, message });
  }

  /** Forgets a device (deregistered). */
  forget(deviceId: string): void {
    this.recent.delete(deviceId);
  }
}

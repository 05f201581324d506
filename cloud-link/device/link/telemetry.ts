import type { z } from 'zod';
import type { Clock, TimerHandle } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { DeviceControl, DeviceControlEventName } from '../../../firmware/device/device-control.js';
import type { DeviceEvents } from '../../../firmware/device/types.js';
import { Subscriptions } from '../../../core/subscriptions.js';
import { validate } from '../../protocol/parse.js';
import {
  TelemetryFalseWakeSchema,
  TelemetryMetricsSchema,
  TelemetryStateSchema,
  TelemetryWakeSchema,
  type TelemetryWake,
} from '../../protocol/telemetry.js';
import type { DeviceTopics } from '../../protocol/topics.js';
import type { UtteranceVerdict } from '../../protocol/utterance.js';
import type { ConnectionStateChange } from '../mqtt-connection.js';
import type { Outbox } from '../outbox.js';

/**
 * The device's telemetry (cloud-link/protocol/telemetry.ts), through the persistent outbox so it
 * survives a lost connection and a restart (delivered at least once, in order, at QoS 1):
 *
 * - telemetry/state: every state transition of the device;
 * - telemetry/wake: every wake word the device acted on, once its fate is known: `confirmed` from the
 *   cloud's verdict, or null when no verdict came within `verdictWaitMs` after the stream ended (no
 *   cloud verification possible, or the link was down);
 * - telemetry/false-wake: a wake the cloud did not confirm (the device went back to IDLE);
 * - telemetry/metrics: counters for the past period and gauges, every `metricsIntervalMs` (60 s) on
 *   the Clock.
 *
 * `seq` numbers this boot's messages from 0 in the order they are queued, so the cloud can drop the
 * duplicates QoS 1 allows. `at` is the device's wall clock when it happened. Every payload is checked
 * against its schema before it is queued; one that fails is a bug here, logged and not sent.
 */

/** A wake waiting for its verdict. */
interface PendingWake {
  readonly body: Omit<TelemetryWake, 'seq' | 'confirmed' | 'cloudScore'>;
  timer: TimerHandle | undefined;
  cloudScore?: number;
}

export interface TelemetryOptions {
  outbox: Outbox;
  topics: DeviceTopics;
  clock: Clock;
  log: Logger;
  /** After a stream ends, how long to wait for the cloud's verdict before reporting confirmed null; default 10 s. */
  verdictWaitMs?: number;
  /** Default 60 s. */
  metricsIntervalMs?: number;
}

export class Telemetry {
  private readonly subs = new Subscriptions();
  private readonly wakes = new Map<number, PendingWake>();
  private readonly verdictWaitMs: number;
  private readonly intervalMs: number;
  private device: DeviceControl | undefined;
  private seq = 0;
  private startedAt = 0;
  private periodStart = 0;
  private counters = { wakes: 0, falseWakes: 0, utterances: 0, reconnects: 0 };
  private connectedBefore = false;
  private metricsTimer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly options: TelemetryOptions) {
    this.verdictWaitMs = options.verdictWaitMs ?? 10_000;
    this.intervalMs = options.metricsIntervalMs ?? 60_000;
  }

  /** Follows the device's events and starts the metrics period. */
  attach(device: DeviceControl): void {
    this.device = device;
    this.startedAt = this.periodStart = this.options.clock.now();
    this.follow(device, 'state', (t) =>
      this.send('state', TelemetryStateSchema, { from: t.from, to: t.to, input: t.input, ...(t.detail === undefined ? {} : { detail: t.detail.slice(0, 200) }) }),
    );
    this.follow(device, 'stream-start', (s) => {
      this.counters.utterances++;
      if (s.initiator !== 'wakeword' || !s.detection) return;
      this.counters.wakes++;
      const d = s.detection;
      this.wakes.set(s.id, {
        body: { at: Math.round(this.options.clock.wallNow()), utteranceId: s.id, keyword: d.keyword, score: clamp01(d.score), beginIndex: d.beginIndex, endIndex: d.endIndex },
        timer: undefined,
      });
    });
    this.follow(device, 'stream-end', (e) => {
      const wake = this.wakes.get(e.id);
      if (!wake || wake.timer) return;
      wake.timer = this.options.clock.setTimeout(() => this.settleWake(e.id, null), this.verdictWaitMs);
    });
    this.follow(device, 'false-wake', (f) => {
      this.counters.falseWakes++;
      const wake = this.wakes.get(f.id);
      this.send('false-wake', TelemetryFalseWakeSchema, {
        utteranceId: f.id,
        ...(wake ? { keyword: wake.body.keyword, score: wake.body.score } : {}),
        ...(wake?.cloudScore === undefined ? {} : { cloudScore: wake.cloudScore }),
        reason: f.reason.slice(0, 200) || 'not confirmed',
      });
      if (wake) this.settleWake(f.id, false);
    });
    this.scheduleMetrics();
  }

  /** Listens to one device event until close(). */
  private follow<K extends DeviceControlEventName>(device: DeviceControl, event: K, listener: (...args: DeviceEvents[K]) => void): void {
    device.on(event, listener);
    this.subs.add(() => device.off(event, listener));
  }

  /** The cloud's verdict on an utterance: settles its wake report. */
  verdict(v: UtteranceVerdict): void {
    const wake = this.wakes.get(v.id);
    if (!wake) return;
    wake.cloudScore = clamp01(v.score);
    // A rejection is settled by the device's false-wake, which follows at once and names the reason.
    if (v.confirmed) this.settleWake(v.id, true);
  }

  /** Counts reconnects (every CONNECTED after the first). */
  connection(change: ConnectionStateChange): void {
    if (change.to !== 'CONNECTED') return;
    if (this.connectedBefore) this.counters.reconnects++;
    this.connectedBefore = true;
  }

  /** Stops following the device; wakes still waiting for a verdict are reported with confirmed null. */
  close(): void {
    if (this.closed) return;
    for (const id of [...this.wakes.keys()]) this.settleWake(id, null);
    this.closed = true;
    this.subs.removeAll();
    if (this.metricsTimer) this.options.clock.clearTimeout(this.metricsTimer);
    this.metricsTimer = undefined;
  }

  private settleWake(id: number, confirmed: boolean | null): void {
    const wake = this.wakes.get(id);
    if (!wake) return;
    this.wakes.delete(id);
    if (wake.timer) this.options.clock.clearTimeout(wake.timer);
    this.send('wake', TelemetryWakeSchema, { ...wake.body, confirmed, ...(wake.cloudScore === undefined ? {} : { cloudScore: wake.cloudScore }) }, wake.body.at);
  }

  private scheduleMetrics(): void {
    this.metricsTimer = this.options.clock.setTimeout(() => {
      this.metricsTimer = undefined;
      if (this.closed) return;
      this.sendMetrics();
      this.scheduleMetrics();
    }, this.intervalMs);
  }

  private sendMetrics(): void {
    const now = this.options.clock.now();
    const device = this.device;
    this.send('metrics', TelemetryMetricsSchema, {
      periodMs: Math.round(now - this.periodStart),
      uptimeMs: Math.round(now - this.startedAt),
      ...this.counters,
      outboxDepth: this.options.outbox.size,
      ...(device ? { volume: device.volume, micOff: !device.microphonesOn } : {}),
      rssMb: Math.round((process.memoryUsage.rss() / (1024 * 1024)) * 10) / 10,
    });
    this.periodStart = now;
    this.counters = { wakes: 0, falseWakes: 0, utterances: 0, reconnects: 0 };
  }

  private send<S extends z.ZodType>(kind: 'state' | 'wake' | 'false-wake' | 'metrics', schema: S, body: Record<string, unknown>, at?: number): void {
    if (this.closed) return;
    const message = { seq: this.seq, at: Math.round(at ?? this.options.clock.wallNow()), ...body };
    const checked = validate(schema, message);
    if (!checked.ok) {
      this.options.log.error({ kind, reason: checked.message }, 'telemetry message does not match its schema; not sent');
      return;
    }
    this.seq++;
    const topic = {
      state: this.options.topics.telemetryState,
      wake: this.options.topics.telemetryWake,
      'false-wake': this.options.topics.telemetryFalseWake,
      metrics: this.options.topics.telemetryMetrics,
    }[kind];
    this.options.outbox.enqueue(topic, JSON.stringify(message)).catch((err: unknown) => {
      this.options.log.warn({ kind, err: (err as Error).message }, 'telemetry not queued');
    });
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

import { z } from 'zod';
import { DEVICE_INPUTS, DEVICE_STATES } from './device-states.js';

/**
 * Telemetry the device publishes (QoS 1, through its outbox, so it survives reconnects and restarts).
 * `at` is when it happened on the device, epoch milliseconds; the outbox may deliver it much later.
 * `seq` numbers every telemetry message of a device (per boot) so the cloud can drop the duplicates
 * QoS 1 allows and spot gaps.
 */

const EpochMs = z.int().min(0).meta({ description: 'When it happened on the device, epoch milliseconds.' });
const Seq = z.int().min(0).meta({ description: 'Per-device message counter, for de-duplication.' });
const Score = z.number().min(0).max(1);
const SampleIndex = z.int().min(0);

export const TelemetryStateSchema = z
  .strictObject({
    seq: Seq,
    at: EpochMs,
    from: z.enum(DEVICE_STATES),
    to: z.enum(DEVICE_STATES),
    input: z.enum(DEVICE_INPUTS),
    detail: z.string().max(200).optional(),
  })
  .meta({ title: 'TelemetryState', description: 'A device state change.' });

export const TelemetryWakeSchema = z
  .strictObject({
    seq: Seq,
    at: EpochMs,
    utteranceId: z.int().min(0),
    keyword: z.string().min(1).max(64),
    /** The on-device spotter's score and the threshold it crossed. */
    score: Score,
    threshold: Score.optional(),
    beginIndex: SampleIndex,
    endIndex: SampleIndex,
    /** Cloud verification's outcome; null when it was not possible (less than 500 ms of pre-roll) or never came. */
    confirmed: z.boolean().nullable(),
    cloudScore: Score.optional(),
  })
  .meta({ title: 'TelemetryWake', description: 'A wake word the device acted on.' });

export const TelemetryFalseWakeSchema = z
  .strictObject({
    seq: Seq,
    at: EpochMs,
    utteranceId: z.int().min(0),
    keyword: z.string().min(1).max(64).optional(),
    score: Score.optional(),
    cloudScore: Score.optional(),
    reason: z.string().min(1).max(200),
  })
  .meta({ title: 'TelemetryFalseWake', description: 'The cloud did not confirm a wake word; capture stopped at once.' });

const Count = z.int().min(0);

export const TelemetryMetricsSchema = z
  .strictObject({
    seq: Seq,
    at: EpochMs,
    /** The span the counters cover, ms (counters reset after each report). */
    periodMs: z.int().min(0),
    uptimeMs: z.int().min(0),
    wakes: Count,
    falseWakes: Count,
    utterances: Count,
    reconnects: Count,
    /** Telemetry messages waiting in the outbox. */
    outboxDepth: Count,
    volume: z.int().min(0).max(10).optional(),
    micOff: z.boolean().optional(),
    rssMb: z.number().min(0).optional(),
  })
  .meta({ title: 'TelemetryMetrics', description: 'Periodic counters and gauges.' });

export type TelemetryState = z.infer<typeof TelemetryStateSchema>;
export type TelemetryWake = z.infer<typeof TelemetryWakeSchema>;
export type TelemetryFalseWake = z.infer<typeof TelemetryFalseWakeSchema>;
export type TelemetryMetrics = z.infer<typeof TelemetryMetricsSchema>;

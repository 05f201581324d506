import type { z } from 'zod';
import { AvailabilitySchema } from './availability.js';
import { JobSchema, JobsNotifySchema, JobUpdateAcceptedSchema, JobUpdateRejectedSchema, JobUpdateRequestSchema } from './jobs.js';
import { NetworkProfileSchema, RedactedNetworkProfileSchema } from './network-profile.js';
import { RoomProfileSchema } from './room-profile.js';
import {
  DesiredStateSchema,
  DeviceShadowUpdateRequestSchema,
  ReportedStateSchema,
  ShadowGetAcceptedSchema,
  ShadowGetRequestSchema,
  ShadowRejectedSchema,
  ShadowUpdateAcceptedSchema,
  ShadowUpdateDeltaSchema,
  ShadowUpdateDocumentsSchema,
  ShadowUpdateRequestSchema,
} from './shadow.js';
import { TelemetryFalseWakeSchema, TelemetryMetricsSchema, TelemetryStateSchema, TelemetryWakeSchema } from './telemetry.js';
import { UtteranceEndSchema, UtteranceRejectedSchema, UtteranceResponseSchema, UtteranceStartSchema, UtteranceVerdictSchema } from './utterance.js';

/**
 * Every schema of the protocol by its file name (cloud-link/schemas/<name>.schema.json). Topic
 * specs name their payload schema from this list; the objects (room-profile, desired-state, job, ...)
 * are exported too because other clients build messages from them.
 */
export const MESSAGE_SCHEMAS = {
  // Objects carried inside messages
  'room-profile': RoomProfileSchema,
  'network-profile': NetworkProfileSchema,
  'network-profile-redacted': RedactedNetworkProfileSchema,
  'shadow-desired-state': DesiredStateSchema,
  'shadow-reported-state': ReportedStateSchema,
  job: JobSchema,
  // Shadow
  'shadow-update-request': DeviceShadowUpdateRequestSchema,
  'shadow-update-request-any': ShadowUpdateRequestSchema,
  'shadow-update-accepted': ShadowUpdateAcceptedSchema,
  'shadow-update-delta': ShadowUpdateDeltaSchema,
  'shadow-update-documents': ShadowUpdateDocumentsSchema,
  'shadow-get-request': ShadowGetRequestSchema,
  'shadow-get-accepted': ShadowGetAcceptedSchema,
  'shadow-rejected': ShadowRejectedSchema,
  // Jobs
  'jobs-notify': JobsNotifySchema,
  'job-update-request': JobUpdateRequestSchema,
  'job-update-accepted': JobUpdateAcceptedSchema,
  'job-update-rejected': JobUpdateRejectedSchema,
  // Telemetry and availability
  'telemetry-state': TelemetryStateSchema,
  'telemetry-wake': TelemetryWakeSchema,
  'telemetry-false-wake': TelemetryFalseWakeSchema,
  'telemetry-metrics': TelemetryMetricsSchema,
  availability: AvailabilitySchema,
  // Utterances
  'utterance-start': UtteranceStartSchema,
  'utterance-end': UtteranceEndSchema,
  'utterance-verdict': UtteranceVerdictSchema,
  'utterance-response': UtteranceResponseSchema,
  'utterance-rejected': UtteranceRejectedSchema,
} as const satisfies Record<string, z.ZodType>;

export type SchemaName = keyof typeof MESSAGE_SCHEMAS;

export function isSchemaName(name: string): name is SchemaName {
  return Object.prototype.hasOwnProperty.call(MESSAGE_SCHEMAS, name);
}

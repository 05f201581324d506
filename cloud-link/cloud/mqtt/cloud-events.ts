import type { EventEmitter } from 'node:events';
import type { JobStatus } from '../../protocol/jobs.js';
import type { TopicKind } from '../../protocol/topics.js';

/**
 * What the cloud's MQTT side observes, for tools (fleet, dashboard), the test harness and
 * benchmarks. Never carries a secret: profiles are referred to by version only.
 */
export interface CloudEvents {
  /** A device's availability changed (retained availability or last will), as recorded in the registry. */
  presence: [{ deviceId: string; status: 'ONLINE' | 'OFFLINE'; at: number }];
  /** The shadow was written, by the cloud (desired) or the device (reported). */
  'shadow-updated': [{ deviceId: string; version: number; by: 'cloud' | 'device' }];
  /** A shadow request was refused (400, 404, 409, 413, 429, 500). */
  'shadow-rejected': [{ deviceId: string; kind: TopicKind; code: number; message: string }];
  /** The device reported it runs desired profile `version` (wall-clock `at` when it applied it). */
  'profile-applied': [{ deviceId: string; version: number; at: number }];
  /** The device refused desired profile `version` and kept its last good state. */
  'profile-rejected': [{ deviceId: string; version: number; code: string; reason: string }];
  /** A job moved (device report or expiry). */
  'job-updated': [{ deviceId: string; jobId: string; operation: string; status: JobStatus }];
  /** Telemetry from a device, validated and de-duplicated. */
  telemetry: [{ deviceId: string; kind: 'state' | 'wake' | 'false-wake' | 'metrics'; message: Record<string, unknown> }];
  /** Cloud verification decided on an utterance's wake word. */
  verdict: [{ deviceId: string; utteranceId: number; confirmed: boolean; score: number; threshold: number; reason?: string }];
  /**
   * An utterance ended on the cloud side: what was received and whether a recording was kept;
   * `dropped` when the cloud closed it on a refusal (nothing published for it but the refusal).
   */
  utterance: [{ deviceId: string; utteranceId: number; samples: number; missingChunks: number; confirmed: boolean | null; recordingId?: string; dropped?: true }];
  /**
   * A device's utterance message was refused (utterance/{n}/rejected): `published` false when the
   * answer was rate-limited away.
   */
  'utterance-refused': [
    { deviceId: string; utteranceId: number; code: number; refused: 'start' | 'audio' | 'end'; message: string; dropped: boolean; published: boolean },
  ];
  /** A booking nobody checked in to within its room's check-in window was released (calendar/booking-releaser.ts). */
  'booking-released': [{ bookingId: string; roomId: string; startAt: number; at: number }];
  /** The cloud's own broker connection: up (again), or a reconnect scheduled in `delayMs` of real time. */
  'broker-link': [{ state: 'connected'; sessionPresent: boolean } | { state: 'backoff'; delayMs: number; attempt: number }];
}

export type CloudEventBus = EventEmitter<CloudEvents>;

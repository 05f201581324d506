import { z } from 'zod';
import { NetworkProfileSchema, RedactedNetworkProfileSchema, SECRET_FIELDS, SECURITY_TYPES } from './network-profile.js';
import { RoomProfileSchema, WAKE_WORDS } from './room-profile.js';
import { DevicePublicKeySchema, SealedSecretsSchema } from './sealed-secrets.js';

/**
 * The device shadow (docs/device-shadow.md#the-shadow-document, AWS IoT Device Shadow): message envelopes shaped like AWS IoT's,
 * and the echosim state that lives in them.
 *
 * - desired (written by the cloud only, through its API): the room and network profile and the skills
 *   the device should run, and `profileVersion`, which the cloud bumps on every change.
 * - reported (written by the device): what it applied. It mirrors `roomProfile`, the network profile
 *   without its secrets, `skills` and `profileVersion`, so the delta empties once the device converged; plus the
 *   live Wi-Fi status, when it applied (`applied`) or why it refused (`rejected`), and device facts.
 *   Reported never holds a password: its schema has no field for one.
 *
 * Shadow timestamps are epoch seconds, as in AWS IoT; echosim's own `at` fields are epoch milliseconds.
 */

/** Any JSON object: the partial state an update carries (null values delete keys). */
const JsonObjectSchema = z.record(z.string(), z.unknown());
const ClientTokenSchema = z
  .string()
  .min(1)
  .max(64)
  .meta({ description: 'Echoed back in the response, to match it with its request (AWS: at most 64 bytes).' });
const VersionSchema = z.int().min(0).meta({ description: 'The shadow document version; increments on every accepted update.' });
const TimestampSchema = z.int().min(0).meta({ description: 'Epoch seconds.' });
const EpochMsSchema = z.int().min(0).meta({ description: 'Epoch milliseconds.' });
const ProfileVersionSchema = z.int().min(0).meta({ description: 'The cloud\'s version of the desired profiles; bumped on every change.' });
const SkillsSchema = z
  .array(z.string().min(1).max(100))
  .max(100)
  .meta({ description: 'Skill ids enabled on the device by its room\'s skill groups, sorted.' });

export const DesiredStateSchema = z
  .strictObject({
    roomProfile: RoomProfileSchema.optional(),
    networkProfile: NetworkProfileSchema.optional(),
    skills: SkillsSchema.optional(),
    profileVersion: ProfileVersionSchema.optional(),
  })
  .meta({ title: 'DesiredState', description: 'What the cloud wants the device to run.' });

/** Desired state as observers see it (documents, logs, API): the network profile without secrets. */
export const RedactedDesiredStateSchema = z.strictObject({
  roomProfile: RoomProfileSchema.optional(),
  networkProfile: RedactedNetworkProfileSchema.optional(),
  skills: SkillsSchema.optional(),
  profileVersion: ProfileVersionSchema.optional(),
});

export const WIFI_STATES = ['CONNECTED', 'CONNECTING', 'FAILED', 'DISCONNECTED'] as const;

export const ReportedNetworkSchema = z.strictObject({
  Ssid: z.string().min(1).max(32).optional(),
  SecurityType: z.enum(SECURITY_TYPES).optional(),
  State: z.enum(WIFI_STATES),
  /** The device holds the profile's passwords, NextPassword included: a rotation may proceed. */
  PasswordSynced: z.boolean(),
  /** A4B status detail when not connected, e.g. INVALID_PASSWORD_STATE, DHCP_FAILURE. */
  Detail: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional(),
});

export const AppliedSchema = z.strictObject({ version: ProfileVersionSchema, at: EpochMsSchema });

export const RejectedProfileSchema = z
  .strictObject({
    version: ProfileVersionSchema,
    /** A stable code, e.g. PROFILE_REJECTED or an A4B status detail such as INVALID_PASSWORD_STATE. */
    code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
    reason: z.string().min(1).max(500),
  })
  .meta({ description: 'The desired profiles the device refused, and why; it kept its last good state.' });

/** At most this many timers are listed in reported.device (the soonest). */
export const MAX_REPORTED_TIMERS = 10;

export const DeviceInfoSchema = z.strictObject({
  /** The device model, e.g. echo-dot-3. */
  DeviceType: z.string().min(1).max(64),
  SoftwareVersion: z.string().min(1).max(64),
  DeviceName: z.string().min(2).max(100).optional(),
  MacAddress: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/).optional(),
  Volume: z.int().min(0).max(10).optional(),
  MicOff: z.boolean().optional(),
  DoNotDisturb: z.boolean().optional(),
  /** How many timers run, and the soonest MAX_REPORTED_TIMERS of them (Home Assistant's timers sensor). */
  TimerCount: z.int().min(0).max(1000).optional(),
  Timers: z
    .array(z.strictObject({ Id: z.string().min(1).max(64), Label: z.string().min(1).max(100).optional(), DueAt: z.int().min(0) }))
    .max(MAX_REPORTED_TIMERS)
    .optional(),
  /** The room-profile wake word its spotter runs now (a switch waits for the end of a request). */
  WakeWord: z.enum(WAKE_WORDS).optional(),
});

export const ReportedStateSchema = z
  .strictObject({
    roomProfile: RoomProfileSchema.optional(),
    networkProfile: RedactedNetworkProfileSchema.optional(),
    skills: SkillsSchema.optional(),
    profileVersion: ProfileVersionSchema.optional(),
    network: ReportedNetworkSchema.optional(),
    applied: AppliedSchema.optional(),
    rejected: RejectedProfileSchema.optional(),
    device: DeviceInfoSchema.optional(),
  })
  .meta({ title: 'ReportedState', description: 'What the device runs. Never holds a password.' });

/** The whole state after an update; the shadow engine validates every accepted update against it. */
export const ShadowStateSchema = z.strictObject({
  desired: DesiredStateSchema.optional(),
  reported: ReportedStateSchema.optional(),
});

export type DesiredState = z.infer<typeof DesiredStateSchema>;
export type ReportedState = z.infer<typeof ReportedStateSchema>;
export type ShadowState = z.infer<typeof ShadowStateSchema>;

const StatePatchSchema = JsonObjectSchema.nullable();

/** Any shadow update (AWS's request document): the cloud's own path, with desired and/or reported. */
export const ShadowUpdateRequestSchema = z
  .strictObject({
    state: z
      .strictObject({ desired: StatePatchSchema.optional(), reported: StatePatchSchema.optional() })
      .refine((s) => s.desired !== undefined || s.reported !== undefined, 'state needs desired or reported'),
    version: VersionSchema.optional(),
    clientToken: ClientTokenSchema.optional(),
  })
  .meta({ title: 'ShadowUpdateRequest' });

/**
 * What a device may publish on shadow/update: reported state only. MQTT carries no publisher
 * identity through an external broker, so desired state is written only through the cloud's API.
 */
export const DeviceShadowUpdateRequestSchema = z
  .strictObject({
    state: z.strictObject({ reported: StatePatchSchema }),
    version: VersionSchema.optional(),
    clientToken: ClientTokenSchema.optional(),
  })
  .meta({ title: 'DeviceShadowUpdateRequest', description: 'A partial reported state; null deletes a key.' });

export const ShadowGetRequestSchema = z
  .strictObject({ clientToken: ClientTokenSchema.optional(), publicKey: DevicePublicKeySchema })
  .meta({
    title: 'ShadowGetRequest',
    description: 'The device asks for its whole shadow. `publicKey` is required: the secrets of the answer are sealed to it (a request without one is refused with 400).',
  });

const SectionsSchema = z.strictObject({ desired: JsonObjectSchema.optional(), reported: JsonObjectSchema.optional() });

export const ShadowUpdateAcceptedSchema = z
  .strictObject({
    state: z.strictObject({ desired: StatePatchSchema.optional(), reported: StatePatchSchema.optional() }),
    metadata: SectionsSchema,
    version: VersionSchema,
    timestamp: TimestampSchema,
    clientToken: ClientTokenSchema.optional(),
  })
  .meta({ title: 'ShadowUpdateAccepted', description: 'The state the update carried (secrets redacted) and a timestamp per leaf.' });

export const ShadowUpdateDeltaSchema = z
  .strictObject({
    state: JsonObjectSchema,
    metadata: JsonObjectSchema,
    version: VersionSchema,
    timestamp: TimestampSchema,
    clientToken: ClientTokenSchema.optional(),
  })
  .meta({ title: 'ShadowUpdateDelta', description: 'Desired leaves that differ from reported (arrays compared whole); never secrets.' });

const SnapshotSchema = z.strictObject({
  state: z.strictObject({ desired: RedactedDesiredStateSchema.optional(), reported: ReportedStateSchema.optional() }),
  metadata: SectionsSchema,
  version: VersionSchema,
});

export const ShadowUpdateDocumentsSchema = z
  .strictObject({
    previous: SnapshotSchema.nullable(),
    current: SnapshotSchema,
    timestamp: TimestampSchema,
    clientToken: ClientTokenSchema.optional(),
  })
  .meta({ title: 'ShadowUpdateDocuments', description: 'The document before (null when new) and after an update, secrets redacted.' });

export const ShadowGetAcceptedSchema = z
  .strictObject({
    state: z.strictObject({ desired: RedactedDesiredStateSchema.optional(), reported: ReportedStateSchema.optional(), delta: JsonObjectSchema.optional() }),
    metadata: SectionsSchema,
    version: VersionSchema,
    timestamp: TimestampSchema,
    clientToken: ClientTokenSchema.optional(),
    secrets: SealedSecretsSchema.optional().meta({
      description: 'The secret fields of the desired state (e.g. { "networkProfile": { "CurrentPassword", "NextPassword" } }), sealed to the publicKey of the request; absent when it has none.',
    }),
  })
  .meta({
    title: 'ShadowGetAccepted',
    description: 'The whole shadow, its network passwords sealed to the requesting device\'s key: only ever sent to the device it belongs to.',
  });

export const SHADOW_ERROR_CODES = [400, 404, 409, 413, 429, 500] as const;
export type ShadowErrorCode = (typeof SHADOW_ERROR_CODES)[number];

export const ShadowRejectedSchema = z
  .strictObject({
    code: z.union(SHADOW_ERROR_CODES.map((c) => z.literal(c))),
    message: z.string(),
    timestamp: TimestampSchema,
    clientToken: ClientTokenSchema.optional(),
  })
  .meta({ title: 'ShadowRejected', description: '400 invalid JSON or schema, 404 no shadow, 409 version conflict, 413 too large, 429 too many in flight.' });

/**
 * A copy of a state (or a patch of one) without network secrets, for everything that is not the
 * device's own shadow/get: documents, accepted messages, logs, API responses.
 */
export function redactShadowState<T>(state: T): T {
  if (typeof state !== 'object' || state === null) return state;
  const out: Record<string, unknown> = { ...(state as Record<string, unknown>) };
  for (const section of ['desired', 'reported'] as const) {
    const s = out[section];
    if (typeof s !== 'object' || s === null || Array.isArray(s)) continue;
    const np = (s as Record<string, unknown>).networkProfile;
    if (typeof np !== 'object' || np === null || Array.isArray(np)) continue;
    const redacted: Record<string, unknown> = { ...(np as Record<string, unknown>) };
    for (const f of SECRET_FIELDS) delete redacted[f];
    out[section] = { ...(s as Record<string, unknown>), networkProfile: redacted };
  }
  return out as T;
}

/** Desired-state paths that hold secrets: never in a delta, never compared with reported. */
export function isNetworkSecretPath(path: readonly string[]): boolean {
  return path.length === 2 && path[0] === 'networkProfile' && (SECRET_FIELDS as readonly string[]).includes(path[1] as string);
}

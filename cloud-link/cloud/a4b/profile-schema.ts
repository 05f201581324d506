import { z } from 'zod';
import { isKnownTimeZone } from '../../protocol/room-profile.js';
import { ArnInput, ClientRequestToken, text } from './validation.js';

/**
 * Room profiles as Alexa for Business defines them (docs/alexa-for-business.md#room-profiles), with its field names and limits,
 * plus two echosim extensions the device applies: DataRetention (the retention choices, docs/privacy.md#retention)
 * and Earcons (start/end-of-request tones). The same body is what FlashDevice puts on one device and
 * what the device's desired shadow carries, so it must line up with cloud-link/protocol's schema.
 */

export const Timezone = z.string().min(1).max(100).refine(isKnownTimeZone, 'must be an IANA time zone such as Europe/Berlin');
/** Language-REGION, as devices take it (cloud-link/protocol's rule). */
export const Locale = z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'must be a locale such as en-US');

export const WAKE_WORDS = ['ALEXA', 'AMAZON', 'ECHO', 'COMPUTER'] as const;
export const DATA_RETENTION = ['KEEP', 'DELETE_AFTER_3_MONTHS', 'DELETE_AFTER_18_MONTHS', 'DO_NOT_SAVE'] as const;
export type DataRetention = (typeof DATA_RETENTION)[number];
const REMINDER_TYPES = ['ANNOUNCEMENT_TIME_CHECK', 'ANNOUNCEMENT_VARIABLE_TIME_LEFT', 'CHIME', 'KNOCK'] as const;

const ReminderAtMinutes = z.array(z.int().min(3).max(15)).min(1).max(1);
const ReminderType = z.enum(REMINDER_TYPES);
const DurationInMinutes = z
  .int()
  .min(15)
  .max(240)
  .refine((m) => m % 15 === 0, 'must be a multiple of 15');
const ReleaseAfterMinutes = z.int().min(5).max(20);
/**
 * echosim extension: the room's conference dial-in, said by "join my meeting" with the meeting's id.
 * A4B kept it on a conference provider (PSTNDialIn: CountryCode, PhoneNumber); here it is the room's.
 */
const CountryCode = z.string().regex(/^\d{1,3}$/, 'must be 1-3 digits');
const PhoneNumber = z.string().regex(/^\d{4,15}$/, 'must be 4-15 digits');

/** Complete meeting-room settings (CreateProfile: each sub-structure has all its fields). */
export const MeetingRoomConfiguration = z.strictObject({
  RoomUtilizationMetricsEnabled: z.boolean().optional(),
  EndOfMeetingReminder: z.strictObject({ ReminderAtMinutes, ReminderType, Enabled: z.boolean() }).optional(),
  InstantBooking: z.strictObject({ DurationInMinutes, Enabled: z.boolean() }).optional(),
  RequireCheckIn: z.strictObject({ ReleaseAfterMinutes, Enabled: z.boolean() }).optional(),
  ProactiveJoin: z.strictObject({ EnabledByMotion: z.boolean() }).optional(),
  PSTNDialIn: z.strictObject({ CountryCode, PhoneNumber }).optional(),
});

/** UpdateProfile's meeting-room settings: any field may be left out and keeps its value. */
export const MeetingRoomConfigurationUpdate = z.strictObject({
  RoomUtilizationMetricsEnabled: z.boolean().optional(),
  EndOfMeetingReminder: z
    .strictObject({ ReminderAtMinutes: ReminderAtMinutes.optional(), ReminderType: ReminderType.optional(), Enabled: z.boolean().optional() })
    .optional(),
  InstantBooking: z.strictObject({ DurationInMinutes: DurationInMinutes.optional(), Enabled: z.boolean().optional() }).optional(),
  RequireCheckIn: z.strictObject({ ReleaseAfterMinutes: ReleaseAfterMinutes.optional(), Enabled: z.boolean().optional() }).optional(),
  ProactiveJoin: z.strictObject({ EnabledByMotion: z.boolean().optional() }).optional(),
  PSTNDialIn: z.strictObject({ CountryCode: CountryCode.optional(), PhoneNumber: PhoneNumber.optional() }).optional(),
});

const settingsShape = {
  Timezone,
  Address: text(1, 500),
  DistanceUnit: z.enum(['METRIC', 'IMPERIAL']),
  TemperatureUnit: z.enum(['FAHRENHEIT', 'CELSIUS']),
  WakeWord: z.enum(WAKE_WORDS),
  Locale: Locale.optional(),
  SetupModeDisabled: z.boolean().optional(),
  /** The console offers 4-10; the API and the device take 1-10. */
  MaxVolumeLimit: z.int().min(1).max(10).optional(),
  PSTNEnabled: z.boolean().optional(),
  DataRetentionOptIn: z.boolean().optional(),
  DataRetention: z.enum(DATA_RETENTION).optional(),
  Earcons: z.strictObject({ StartOfRequest: z.boolean(), EndOfRequest: z.boolean() }).optional(),
  MeetingRoomConfiguration: MeetingRoomConfiguration.optional(),
};

/** A complete room profile: what a device is given. */
export const RoomProfileBody = z.strictObject({ ProfileName: text(1, 100), ...settingsShape });
export type RoomProfileSettings = z.infer<typeof RoomProfileBody>;

export const CreateProfileInput = z.strictObject({
  ProfileName: text(1, 100),
  ...settingsShape,
  /** echosim extension: A4B marks its first profile default; here any new profile can ask to be. */
  IsDefault: z.boolean().optional(),
  ClientRequestToken: ClientRequestToken.optional(),
});

export const UpdateProfileInput = z.strictObject({
  ProfileArn: ArnInput,
  ProfileName: text(1, 100).optional(),
  IsDefault: z.boolean().optional(),
  Timezone: Timezone.optional(),
  Address: text(1, 500).optional(),
  DistanceUnit: settingsShape.DistanceUnit.optional(),
  TemperatureUnit: settingsShape.TemperatureUnit.optional(),
  WakeWord: settingsShape.WakeWord.optional(),
  Locale: settingsShape.Locale,
  SetupModeDisabled: settingsShape.SetupModeDisabled,
  MaxVolumeLimit: settingsShape.MaxVolumeLimit,
  PSTNEnabled: settingsShape.PSTNEnabled,
  DataRetentionOptIn: settingsShape.DataRetentionOptIn,
  DataRetention: settingsShape.DataRetention,
  Earcons: settingsShape.Earcons,
  MeetingRoomConfiguration: MeetingRoomConfigurationUpdate.optional(),
});
export type UpdateProfileRequest = z.infer<typeof UpdateProfileInput>;

type MeetingUpdate = NonNullable<UpdateProfileRequest['MeetingRoomConfiguration']>;
type Meeting = z.infer<typeof MeetingRoomConfiguration>;

/** Applies an UpdateProfile's meeting-room fields one level deep, the rest of the sub-structures kept. */
export function mergeMeetingRoom(current: Meeting | undefined, update: MeetingUpdate): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    const before = out[key];
    out[key] = typeof value === 'object' && typeof before === 'object' && before !== null ? { ...before, ...value } : value;
  }
  return out;
}

/**
 * Which recordings a room profile keeps (the recording store's policy). DataRetentionOptIn is the
 * master switch: false keeps nothing, whatever DataRetention says. Otherwise an explicit
 * DataRetention choice applies, and an opt-in without one means KEEP. Privacy by default: a profile
 * that says neither (or no profile at all) keeps nothing.
 */
export function retentionPolicy(profile: Pick<RoomProfileSettings, 'DataRetentionOptIn' | 'DataRetention'> | undefined): DataRetention {
  if (!profile || profile.DataRetentionOptIn === false) return 'DO_NOT_SAVE';
  if (profile.DataRetention !== undefined) return profile.DataRetention;
  return profile.DataRetentionOptIn === true ? 'KEEP' : 'DO_NOT_SAVE';
}

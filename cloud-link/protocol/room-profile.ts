import { z } from 'zod';

/**
 * The room profile as the device receives it in its desired shadow and reports it back once applied:
 * Alexa for Business CreateProfile/UpdateProfile fields (docs/alexa-for-business.md#room-profiles), PascalCase as on the wire,
 * with A4B's limits. Unknown fields are errors (`strict`), so a typo in a flashed file is reported
 * instead of silently ignored. Management-only fields (ProfileArn, IsDefault, ClientRequestToken)
 * are not part of what a device applies; the API layer extends this schema with them.
 *
 * Two echosim extensions: `DataRetention` (what happens to kept recordings, docs/privacy.md#retention) and
 * `Earcons` (the start/end-of-request tones A4B set per room in the console).
 */

/**
 * Zones ICU accepted: asking it means building an Intl.DateTimeFormat (milliseconds; a fleet of
 * thousands checks the same zone once per device). Only accepted spellings are kept, and at most
 * KNOWN_ZONES_MAX of them, so requests naming made-up zones cannot grow it.
 */
const knownZones = new Set<string>();
const KNOWN_ZONES_MAX = 1024;

/** True when the runtime's ICU knows the IANA zone (e.g. Europe/Berlin, America/New_York, UTC). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 100) return false;
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  if (knownZones.size < KNOWN_ZONES_MAX) knownZones.add(zone);
  return true;
}

/**
 * A BCP 47 tag in canonical case: language, optional script, optional region (en-US, de-DE, es-419,
 * zh-Hant-TW). The regex is what JSON Schema clients get; isValidLocale also asks ICU.
 */
const LOCALE_SHAPE = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$/;

export function isValidLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

export const DISTANCE_UNITS = ['METRIC', 'IMPERIAL'] as const;
export const TEMPERATURE_UNITS = ['FAHRENHEIT', 'CELSIUS'] as const;
export const WAKE_WORDS = ['ALEXA', 'AMAZON', 'ECHO', 'COMPUTER'] as const;
export const DATA_RETENTION = ['KEEP', 'DELETE_AFTER_3_MONTHS', 'DELETE_AFTER_18_MONTHS', 'DO_NOT_SAVE'] as const;
export const REMINDER_TYPES = ['ANNOUNCEMENT_TIME_CHECK', 'ANNOUNCEMENT_VARIABLE_TIME_LEFT', 'CHIME', 'KNOCK'] as const;
export type WakeWord = (typeof WAKE_WORDS)[number];
export type DataRetention = (typeof DATA_RETENTION)[number];

export const EndOfMeetingReminderSchema = z
  .strictObject({
    /** Minutes before the end of the meeting; A4B allows 3..15. Up to five reminders, no duplicates. */
    ReminderAtMinutes: z
      .array(z.int().min(3).max(15))
      .min(1)
      .max(5)
      .refine((m) => new Set(m).size === m.length, 'ReminderAtMinutes must not repeat a value'),
    ReminderType: z.enum(REMINDER_TYPES),
    Enabled: z.boolean(),
  })
  .meta({ description: 'Reminders before a meeting ends.' });

export const InstantBookingSchema = z
  .strictObject({
    /** 15..240 minutes in steps of 15, as the A4B console offers. */
    DurationInMinutes: z.int().min(15).max(240).multipleOf(15),
    Enabled: z.boolean(),
  })
  .meta({ description: 'Book the room by voice for a fixed duration.' });

export const RequireCheckInSchema = z
  .strictObject({
    ReleaseAfterMinutes: z.int().min(5).max(20),
    Enabled: z.boolean(),
  })
  .meta({ description: 'Release a booked room when nobody checks in within ReleaseAfterMinutes.' });

export const ProactiveJoinSchema = z.strictObject({ EnabledByMotion: z.boolean() });

export const PSTNDialInSchema = z
  .strictObject({
    CountryCode: z.string().regex(/^\d{1,3}$/),
    PhoneNumber: z.string().regex(/^\d{4,15}$/),
  })
  .meta({ description: "echosim extension: the room's conference dial-in, said with the meeting's id when asked to join a meeting." });

export const MeetingRoomConfigurationSchema = z.strictObject({
  RoomUtilizationMetricsEnabled: z.boolean().optional(),
  EndOfMeetingReminder: EndOfMeetingReminderSchema.optional(),
  InstantBooking: InstantBookingSchema.optional(),
  RequireCheckIn: RequireCheckInSchema.optional(),
  ProactiveJoin: ProactiveJoinSchema.optional(),
  PSTNDialIn: PSTNDialInSchema.optional(),
});

export const EarconsSchema = z
  .strictObject({ StartOfRequest: z.boolean(), EndOfRequest: z.boolean() })
  .meta({ description: 'echosim extension: the optional tones after the wake word and when the stream closes.' });

export const RoomProfileSchema = z
  .strictObject({
    ProfileName: z.string().min(1).max(100),
    Timezone: z
      .string()
      .min(1)
      .max(100)
      .refine(isKnownTimeZone, { error: (issue) => `unknown IANA time zone ${JSON.stringify(issue.input)}` })
      .meta({ description: 'An IANA time zone the device knows, e.g. Europe/Berlin.' }),
    Address: z.string().min(1).max(500),
    DistanceUnit: z.enum(DISTANCE_UNITS),
    TemperatureUnit: z.enum(TEMPERATURE_UNITS),
    WakeWord: z.enum(WAKE_WORDS),
    Locale: z
      .string()
      .regex(LOCALE_SHAPE, 'Locale must be a BCP 47 tag such as en-US')
      .refine(isValidLocale, 'Locale must be a BCP 47 tag such as en-US')
      .optional()
      .meta({ description: 'A BCP 47 language tag, e.g. en-US, de-DE, es-419.' }),
    SetupModeDisabled: z.boolean().optional(),
    MaxVolumeLimit: z
      .int()
      .min(1)
      .max(10)
      .optional()
      .meta({ description: 'Highest volume the device allows, 1..10. The A4B console offers 4..10; lower values are accepted for quiet rooms.' }),
    PSTNEnabled: z.boolean().optional(),
    DataRetentionOptIn: z.boolean().optional(),
    DataRetention: z
      .enum(DATA_RETENTION)
      .optional()
      .meta({ description: 'echosim extension: how long kept recordings live. Ignored (nothing saved) when DataRetentionOptIn is false.' }),
    Earcons: EarconsSchema.optional(),
    MeetingRoomConfiguration: MeetingRoomConfigurationSchema.optional(),
  })
  .meta({ title: 'RoomProfile', description: 'An Alexa for Business room profile as a device applies it.' });

export type RoomProfile = z.infer<typeof RoomProfileSchema>;
export type MeetingRoomConfiguration = z.infer<typeof MeetingRoomConfigurationSchema>;

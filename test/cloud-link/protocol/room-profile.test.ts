import { validate } from '../../../cloud-link/protocol/parse.js';
import { RoomProfileSchema, isKnownTimeZone, type RoomProfile } from '../../../cloud-link/protocol/room-profile.js';

const minimal: RoomProfile = {
  ProfileName: 'Board room',
  Timezone: 'Europe/Berlin',
  Address: 'Unter den Linden 1, Berlin',
  DistanceUnit: 'METRIC',
  TemperatureUnit: 'CELSIUS',
  WakeWord: 'COMPUTER',
};

const full: RoomProfile = {
  ...minimal,
  Locale: 'de-DE',
  SetupModeDisabled: true,
  MaxVolumeLimit: 7,
  PSTNEnabled: false,
  DataRetentionOptIn: true,
  DataRetention: 'DELETE_AFTER_3_MONTHS',
  Earcons: { StartOfRequest: true, EndOfRequest: false },
  MeetingRoomConfiguration: {
    RoomUtilizationMetricsEnabled: true,
    EndOfMeetingReminder: { ReminderAtMinutes: [5, 10], ReminderType: 'CHIME', Enabled: true },
    InstantBooking: { DurationInMinutes: 30, Enabled: true },
    RequireCheckIn: { ReleaseAfterMinutes: 10, Enabled: true },
    ProactiveJoin: { EnabledByMotion: false },
  },
};

const errorOf = (value: unknown): string => {
  const r = validate(RoomProfileSchema, value);
  if (r.ok) throw new Error('expected a validation error');
  return r.message;
};

describe('room profile', () => {
  test('the A4B required fields alone, and every field, are valid and come back unchanged', () => {
    expect(validate(RoomProfileSchema, minimal)).toEqual({ ok: true, value: minimal });
    expect(validate(RoomProfileSchema, full)).toEqual({ ok: true, value: full });
  });

  test('A4B limits, each reported with its field path', () => {
    expect(errorOf({ ...minimal, ProfileName: '' })).toMatch(/^ProfileName: /);
    expect(errorOf({ ...minimal, ProfileName: 'x'.repeat(101) })).toMatch(/^ProfileName: /);
    expect(errorOf({ ...minimal, Address: 'x'.repeat(501) })).toMatch(/^Address: /);
    expect(errorOf({ ...minimal, WakeWord: 'HEY_JARVIS' })).toMatch(/^WakeWord: /);
    expect(errorOf({ ...minimal, DistanceUnit: 'metric' })).toMatch(/^DistanceUnit: /);
    expect(errorOf({ ...minimal, TemperatureUnit: 'KELVIN' })).toMatch(/^TemperatureUnit: /);
    for (const ok of ['en', 'en-US', 'es-419', 'zh-Hant-TW']) expect(validate(RoomProfileSchema, { ...minimal, Locale: ok }).ok).toBe(true);
    for (const bad of ['english', 'en_US', 'EN-us', 'en-', '']) expect(errorOf({ ...minimal, Locale: bad })).toMatch(/^Locale: Locale must be a BCP 47 tag/);
    expect(errorOf({ ...minimal, DataRetention: 'FOREVER' })).toMatch(/^DataRetention: /);
    expect(errorOf({ ...minimal, Earcons: { StartOfRequest: true } })).toMatch(/^Earcons\.EndOfRequest: /);
  });

  test('MaxVolumeLimit is an integer 1..10 (the console offers 4..10; lower is accepted)', () => {
    for (const ok of [1, 4, 10]) expect(validate(RoomProfileSchema, { ...minimal, MaxVolumeLimit: ok }).ok).toBe(true);
    for (const bad of [0, 11, 5.5, '7']) expect(errorOf({ ...minimal, MaxVolumeLimit: bad })).toMatch(/^MaxVolumeLimit: /);
  });

  test('Timezone must be an IANA zone the runtime knows', () => {
    expect(isKnownTimeZone('America/New_York')).toBe(true);
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
    expect(errorOf({ ...minimal, Timezone: 'Mars/Olympus_Mons' })).toBe('Timezone: unknown IANA time zone "Mars/Olympus_Mons"');
  });

  test('meeting room limits: reminders 3..15 without repeats, booking 15..240 in steps of 15, check-in 5..20', () => {
    const mrc = (patch: object) => ({ ...minimal, MeetingRoomConfiguration: patch });
    const reminder = (m: unknown) => mrc({ EndOfMeetingReminder: { ReminderAtMinutes: m, ReminderType: 'KNOCK', Enabled: true } });
    expect(validate(RoomProfileSchema, reminder([3, 15])).ok).toBe(true);
    expect(errorOf(reminder([2]))).toMatch(/^MeetingRoomConfiguration\.EndOfMeetingReminder\.ReminderAtMinutes\[0\]: /);
    expect(errorOf(reminder([16]))).toMatch(/ReminderAtMinutes\[0\]/);
    expect(errorOf(reminder([]))).toMatch(/ReminderAtMinutes: /);
    expect(errorOf(reminder([5, 5]))).toMatch(/must not repeat/);
    const booking = (d: number) => mrc({ InstantBooking: { DurationInMinutes: d, Enabled: true } });
    for (const ok of [15, 60, 240]) expect(validate(RoomProfileSchema, booking(ok)).ok).toBe(true);
    for (const bad of [0, 20, 255]) expect(errorOf(booking(bad))).toMatch(/InstantBooking\.DurationInMinutes/);
    const checkIn = (m: number) => mrc({ RequireCheckIn: { ReleaseAfterMinutes: m, Enabled: true } });
    expect(validate(RoomProfileSchema, checkIn(5)).ok).toBe(true);
    expect(errorOf(checkIn(21))).toMatch(/RequireCheckIn\.ReleaseAfterMinutes/);
    expect(errorOf(mrc({ EndOfMeetingReminder: { ReminderAtMinutes: [5], ReminderType: 'GONG', Enabled: true } }))).toMatch(/ReminderType/);
  });

  test('unknown fields are errors at every level (a typo in a flashed file is reported)', () => {
    expect(errorOf({ ...minimal, MaxVolume: 5 })).toMatch(/Unrecognized key: "MaxVolume"/);
    expect(errorOf({ ...minimal, MeetingRoomConfiguration: { ProactiveJoin: { EnabledByMotion: true, Extra: 1 } } })).toMatch(
      /^MeetingRoomConfiguration\.ProactiveJoin: Unrecognized key: "Extra"/,
    );
  });
});

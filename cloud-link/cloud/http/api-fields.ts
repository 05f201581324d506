/**
 * The top-level input fields of the API's operations and their JSON types. The AWS CLI knows each
 * parameter's type from the service model; echosim's CLI uses this table the same way, so
 * `--max-volume-limit 7` sends the number 7 while `--current-password 12345678` and
 * `--device-name 42` stay strings. Fields not listed here are passed as strings (or as JSON when the
 * value is a JSON object or array, `true`/`false` as booleans), so new service fields still work.
 */
export type FieldType = 'string' | 'integer' | 'boolean' | 'string-list' | 'json';

export const API_FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  // Room profiles
  ProfileArn: 'string',
  ProfileName: 'string',
  Timezone: 'string',
  Address: 'string',
  DistanceUnit: 'string',
  TemperatureUnit: 'string',
  WakeWord: 'string',
  Locale: 'string',
  SetupModeDisabled: 'boolean',
  MaxVolumeLimit: 'integer',
  PSTNEnabled: 'boolean',
  DataRetentionOptIn: 'boolean',
  DataRetention: 'string',
  IsDefault: 'boolean',
  MeetingRoomConfiguration: 'json',
  Earcons: 'json',
  // Network profiles
  NetworkProfileArn: 'string',
  NetworkProfileName: 'string',
  Description: 'string',
  Ssid: 'string',
  SecurityType: 'string',
  EapMethod: 'string',
  CurrentPassword: 'string',
  NextPassword: 'string',
  CertificateAuthorityArn: 'string',
  TrustAnchors: 'string-list',
  // Rooms and skill groups
  RoomArn: 'string',
  RoomName: 'string',
  ProviderCalendarId: 'string',
  SkillGroupArn: 'string',
  SkillGroupName: 'string',
  SkillId: 'string',
  // Rooms' bookings (StartTime/EndTime: epoch seconds or ISO 8601, as the AWS CLI takes timestamps)
  BookingArn: 'string',
  Title: 'string',
  Organizer: 'string',
  StartTime: 'string',
  EndTime: 'string',
  MeetingId: 'string',
  // Devices
  DeviceArn: 'string',
  DeviceSerialNumber: 'string',
  DeviceType: 'string',
  DeviceName: 'string',
  SoftwareVersion: 'string',
  MacAddress: 'string',
  Features: 'string-list',
  DeviceUsageType: 'string',
  RoomProfile: 'json',
  NetworkProfile: 'json',
  // Announcements
  RoomFilters: 'json',
  Content: 'json',
  TimeToLiveInSeconds: 'integer',
  // Recordings
  RecordingId: 'string',
  RecordingIds: 'string-list',
  // Common
  ClientRequestToken: 'string',
  Tags: 'json',
  Filters: 'json',
  SortCriteria: 'json',
  MaxResults: 'integer',
  NextToken: 'string',
};

/** Field names whose secrets must never be printed, logged or echoed (docs/privacy.md#secrets). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['CurrentPassword', 'NextPassword']);

/** Replaces every secret field's value, at any depth, with `<redacted>`; returns a copy. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.has(k) && typeof v === 'string' && v !== '' ? '<redacted>' : redactSecrets(v);
  }
  return out;
}

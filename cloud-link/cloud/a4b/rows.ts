import type { Database } from 'better-sqlite3';
import type { SecretBox } from '../secrets.js';
import { idFromArn, makeArn } from './arn.js';
import { A4bError } from './errors.js';
import type { NetworkProfileSettings, SecurityType } from './network-profile-schema.js';
import type { RoomProfileSettings } from './profile-schema.js';

/**
 * Rows of the registry tables and how they look through the API. Every renderer here is the only way
 * a resource leaves the service, which is what keeps network passwords out of every response.
 */

export interface ProfileRow {
  id: string;
  name: string;
  is_default: number;
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface NetworkProfileRow {
  id: string;
  name: string;
  description: string | null;
  ssid: string;
  security_type: SecurityType;
  eap_method: 'EAP_TLS' | null;
  certificate_authority_arn: string | null;
  trust_anchors: string | null;
  current_password_enc: string | null;
  next_password_enc: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoomRow {
  id: string;
  name: string;
  description: string | null;
  provider_calendar_id: string | null;
  profile_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface SkillGroupRow {
  id: string;
  name: string;
  description: string | null;
}

/** The stored settings of a profile (every A4B field but ProfileName and IsDefault). */
export type StoredProfileSettings = Omit<RoomProfileSettings, 'ProfileName'>;

export function profileSettings(row: ProfileRow): StoredProfileSettings {
  return JSON.parse(row.settings) as StoredProfileSettings;
}

/** A room profile as the device receives it. */
export function profileBody(row: ProfileRow): RoomProfileSettings {
  return { ProfileName: row.name, ...profileSettings(row) };
}

export function renderProfile(row: ProfileRow): Record<string, unknown> {
  return { ProfileArn: makeArn('profile', row.id), ProfileName: row.name, IsDefault: row.is_default === 1, ...profileSettings(row) };
}

export function loadProfile(db: Database, arn: string): ProfileRow {
  const row = db.prepare('SELECT * FROM room_profiles WHERE id = ?').get(idFromArn(arn, 'profile')) as ProfileRow | undefined;
  if (!row) throw new A4bError('NotFoundException', `room profile ${arn} does not exist`);
  return row;
}

export function defaultProfile(db: Database): ProfileRow | undefined {
  return db.prepare('SELECT * FROM room_profiles WHERE is_default = 1').get() as ProfileRow | undefined;
}

/** The network profile without its secrets: the only shape any API response carries. */
export function renderNetworkProfile(row: NetworkProfileRow): Record<string, unknown> {
  return {
    NetworkProfileArn: makeArn('network-profile', row.id),
    NetworkProfileName: row.name,
    ...(row.description === null ? {} : { Description: row.description }),
    Ssid: row.ssid,
    SecurityType: row.security_type,
    ...(row.eap_method === null ? {} : { EapMethod: row.eap_method }),
    ...(row.certificate_authority_arn === null ? {} : { CertificateAuthorityArn: row.certificate_authority_arn }),
    ...(row.trust_anchors === null ? {} : { TrustAnchors: JSON.parse(row.trust_anchors) as string[] }),
  };
}

/** Additional data binding a sealed password to its profile and field. */
export function passwordContext(profileId: string, field: 'CurrentPassword' | 'NextPassword'): string {
  return `network-profile/${profileId}/${field}`;
}

/** The whole network profile with its passwords decrypted: for the device's own desired state only (sealed again to it). */
export function networkProfileWithSecrets(box: SecretBox, row: NetworkProfileRow): NetworkProfileSettings {
  const settings = renderNetworkProfile(row) as unknown as NetworkProfileSettings & { NetworkProfileArn?: string };
  delete settings.NetworkProfileArn;
  if (row.current_password_enc !== null) {
    settings.CurrentPassword = box.unseal(row.current_password_enc, passwordContext(row.id, 'CurrentPassword'));
  }
  if (row.next_password_enc !== null) settings.NextPassword = box.unseal(row.next_password_enc, passwordContext(row.id, 'NextPassword'));
  return settings;
}

export function loadNetworkProfile(db: Database, arn: string): NetworkProfileRow {
  const id = idFromArn(arn, 'network-profile');
  const row = db.prepare('SELECT * FROM network_profiles WHERE id = ?').get(id) as NetworkProfileRow | undefined;
  if (!row) throw new A4bError('NotFoundException', `network profile ${arn} does not exist`);
  return row;
}

export function loadRoom(db: Database, arn: string): RoomRow {
  const row = db.prepare('SELECT * FROM rooms WHERE id = ?').get(idFromArn(arn, 'room')) as RoomRow | undefined;
  if (!row) throw new A4bError('NotFoundException', `room ${arn} does not exist`);
  return row;
}

export function loadSkillGroup(db: Database, arn: string): SkillGroupRow {
  const row = db.prepare('SELECT id, name, description FROM skill_groups WHERE id = ?').get(idFromArn(arn, 'skill-group')) as
    | SkillGroupRow
    | undefined;
  if (!row) throw new A4bError('NotFoundException', `skill group ${arn} does not exist`);
  return row;
}

/** A UNIQUE name taken by another row of `table`? (NameInUseException, before the constraint fires.) */
export function assertNameFree(db: Database, table: string, name: string, what: string, exceptId?: string): void {
  const taken = db.prepare(`SELECT id FROM ${table} WHERE name = ?`).get(name) as { id: string } | undefined;
  if (taken && taken.id !== exceptId) throw new A4bError('NameInUseException', `a ${what} named "${name}" already exists`);
}

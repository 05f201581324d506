import type { Database } from 'better-sqlite3';
import type { SecretBox } from '../secrets.js';
import { A4bError } from './errors.js';
import type { NetworkProfileSettings } from './network-profile-schema.js';
import { retentionPolicy, type DataRetention, type RoomProfileSettings } from './profile-schema.js';
import { defaultProfile, networkProfileWithSecrets, profileBody, type NetworkProfileRow, type ProfileRow } from './rows.js';

/**
 * What a device should be running, derived from the registry: its room profile (a FlashDevice
 * override, else its room's profile, else the default profile for a room without one; nothing when
 * the device is in no room) and its network profile (override, else the associated one). The shape
 * of the protocol's DesiredState (cloud-link/protocol/shadow.ts).
 */
export interface DesiredState {
  roomProfile?: RoomProfileSettings;
  /** With CurrentPassword/NextPassword in the clear: stored sealed (shadow-store.ts), sent sealed to the device's key. */
  networkProfile?: NetworkProfileSettings;
  /** Grows whenever the device's desired state changes, also across restarts. */
  profileVersion: number;
}

export interface DeviceLinkRow {
  serial: string;
  status: string;
  desired_version: number;
  room_id: string | null;
  network_profile_id: string | null;
  flash_room_profile: string | null;
  flash_network_profile_enc: string | null;
}

export function flashNetworkContext(serial: string): string {
  return `device/${serial}/flash-network-profile`;
}

function loadLinkRow(db: Database, deviceId: string): DeviceLinkRow {
  const row = db
    .prepare(
      'SELECT serial, status, desired_version, room_id, network_profile_id, flash_room_profile, flash_network_profile_enc FROM devices WHERE serial = ?',
    )
    .get(deviceId) as DeviceLinkRow | undefined;
  if (!row) throw new A4bError('NotFoundException', `device ${deviceId} is not registered`);
  if (row.status === 'DEREGISTERED') throw new A4bError('DeviceNotRegisteredException', `device ${deviceId} is deregistered`);
  return row;
}

function roomProfileRow(db: Database, roomId: string): ProfileRow | undefined {
  const room = db.prepare('SELECT profile_id FROM rooms WHERE id = ?').get(roomId) as { profile_id: string | null } | undefined;
  if (!room) return undefined;
  if (room.profile_id === null) return defaultProfile(db);
  return db.prepare('SELECT * FROM room_profiles WHERE id = ?').get(room.profile_id) as ProfileRow | undefined;
}

export function effectiveRoomProfile(db: Database, row: DeviceLinkRow): RoomProfileSettings | undefined {
  if (row.flash_room_profile !== null) return JSON.parse(row.flash_room_profile) as RoomProfileSettings;
  if (row.room_id === null) return undefined;
  const profile = roomProfileRow(db, row.room_id);
  return profile ? profileBody(profile) : undefined;
}

export function desiredStateFor(db: Database, box: SecretBox, deviceId: string): DesiredState {
  const row = loadLinkRow(db, deviceId);
  const state: DesiredState = { profileVersion: row.desired_version };
  const roomProfile = effectiveRoomProfile(db, row);
  if (roomProfile) state.roomProfile = roomProfile;
  if (row.flash_network_profile_enc !== null) {
    state.networkProfile = JSON.parse(box.unseal(row.flash_network_profile_enc, flashNetworkContext(row.serial))) as NetworkProfileSettings;
  } else if (row.network_profile_id !== null) {
    const np = db.prepare('SELECT * FROM network_profiles WHERE id = ?').get(row.network_profile_id) as NetworkProfileRow | undefined;
    if (np) state.networkProfile = networkProfileWithSecrets(box, np);
  }
  return state;
}

/** The skills enabled on a device: those of every skill group associated with its room, sorted. */
export function skillsFor(db: Database, deviceId: string): string[] {
  const row = loadLinkRow(db, deviceId);
  if (row.room_id === null) return [];
  return (
    db
      .prepare(
        `SELECT DISTINCT s.skill_id FROM room_skill_groups rs JOIN skill_group_skills s ON s.skill_group_id = rs.skill_group_id
         WHERE rs.room_id = ? ORDER BY s.skill_id`,
      )
      .all(row.room_id) as Array<{ skill_id: string }>
  ).map((r) => r.skill_id);
}

/** The recording policy for a device's utterances, from its effective room profile. */
export function retentionFor(db: Database, deviceId: string): DataRetention {
  return retentionPolicy(effectiveRoomProfile(db, loadLinkRow(db, deviceId)));
}

const ACTIVE = `d.status <> 'DEREGISTERED'`;

function serials(db: Database, sql: string, ...params: unknown[]): string[] {
  return (db.prepare(sql).all(...params) as Array<{ serial: string }>).map((r) => r.serial);
}

/** Devices whose room profile comes from this profile (not overridden by FlashDevice). */
export function devicesUsingProfile(db: Database, profileId: string, isDefault: boolean): string[] {
  return serials(
    db,
    `SELECT d.serial FROM devices d JOIN rooms r ON r.id = d.room_id
     WHERE ${ACTIVE} AND d.flash_room_profile IS NULL AND (r.profile_id = ? OR (? = 1 AND r.profile_id IS NULL))
     ORDER BY d.serial`,
    profileId,
    isDefault ? 1 : 0,
  );
}

/** Devices in rooms without a profile of their own (they follow the default profile). */
export function devicesFollowingDefault(db: Database): string[] {
  return serials(
    db,
    `SELECT d.serial FROM devices d JOIN rooms r ON r.id = d.room_id
     WHERE ${ACTIVE} AND d.flash_room_profile IS NULL AND r.profile_id IS NULL ORDER BY d.serial`,
  );
}

export function devicesInRoom(db: Database, roomId: string): string[] {
  return serials(db, `SELECT d.serial FROM devices d WHERE ${ACTIVE} AND d.room_id = ? ORDER BY d.serial`, roomId);
}

export function devicesInSkillGroupRooms(db: Database, skillGroupId: string): string[] {
  return serials(
    db,
    `SELECT DISTINCT d.serial FROM devices d JOIN room_skill_groups rs ON rs.room_id = d.room_id
     WHERE ${ACTIVE} AND rs.skill_group_id = ? ORDER BY d.serial`,
    skillGroupId,
  );
}

/** Devices whose network profile is this one (not overridden by FlashDevice). */
export function devicesUsingNetworkProfile(db: Database, networkProfileId: string): string[] {
  return serials(
    db,
    `SELECT d.serial FROM devices d WHERE ${ACTIVE} AND d.flash_network_profile_enc IS NULL AND d.network_profile_id = ? ORDER BY d.serial`,
    networkProfileId,
  );
}

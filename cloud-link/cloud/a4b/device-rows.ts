import type { Database } from 'better-sqlite3';
import { deviceArn, idFromArn, makeArn } from './arn.js';
import { epochSeconds } from './context.js';
import { A4bError } from './errors.js';
import { prepared } from '../db/statements.js';

export const DEVICE_STATUSES = ['READY', 'PENDING', 'WAS_OFFLINE', 'DEREGISTERED', 'FAILED'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];
export type ConnectionStatus = 'ONLINE' | 'OFFLINE';
/** echosim's view of desired-state delivery: SYNC_NEEDED after repeated failed deliveries. */
export type SyncState = 'SYNCED' | 'PENDING' | 'SYNC_NEEDED';

/** A4B's DeviceStatusDetailCode values a device may report (e.g. from its Wi-Fi manager). */
export const DEVICE_STATUS_DETAIL_CODES = [
  'DEVICE_SOFTWARE_UPDATE_NEEDED',
  'DEVICE_WAS_OFFLINE',
  'CREDENTIALS_ACCESS_FAILURE',
  'TLS_VERSION_MISMATCH',
  'ASSOCIATION_REJECTION',
  'AUTHENTICATION_FAILURE',
  'DHCP_FAILURE',
  'INTERNET_UNAVAILABLE',
  'DNS_FAILURE',
  'UNKNOWN_FAILURE',
  'CERTIFICATE_ISSUING_LIMIT_EXCEEDED',
  'INVALID_CERTIFICATE_AUTHORITY',
  'NETWORK_PROFILE_NOT_FOUND',
  'INVALID_PASSWORD_STATE',
  'PASSWORD_NOT_FOUND',
  'PASSWORD_MANAGER_ACCESS_DENIED',
  'CERTIFICATE_AUTHORITY_ACCESS_DENIED',
] as const;

export interface DeviceRow {
  serial: string;
  device_type: string;
  name: string;
  software_version: string | null;
  mac_address: string | null;
  room_id: string | null;
  network_profile_id: string | null;
  status: DeviceStatus;
  status_detail: string | null;
  connection_status: ConnectionStatus;
  connection_updated_at: number | null;
  credential_hash: string | null;
  sync_state: SyncState;
  sync_failures: number;
  sync_detail: string | null;
  flash_room_profile: string | null;
  flash_network_profile_enc: string | null;
  created_at: number;
  updated_at: number;
  deregistered_at: number | null;
  broker_password_hash: string | null;
  desired_version: number;
}

/** A device with its room's and network profile's names (for DeviceData). */
export interface DeviceView extends DeviceRow {
  room_name: string | null;
  network_profile_name: string | null;
}

export const DEVICE_QUERY = `SELECT d.*, r.name AS room_name, n.name AS network_profile_name
  FROM devices d
  LEFT JOIN rooms r ON r.id = d.room_id
  LEFT JOIN network_profiles n ON n.id = d.network_profile_id`;

export function getDevice(db: Database, serial: string): DeviceView | undefined {
  return prepared(db, `${DEVICE_QUERY} WHERE d.serial = ?`).get(serial) as DeviceView | undefined;
}

/**
 * The device an ARN names. `registered` (the default) also refuses a deregistered device with
 * DeviceNotRegisteredException: it exists in the history but can no longer be managed.
 */
export function loadDevice(db: Database, arn: string, options: { registered?: boolean } = {}): DeviceView {
  const row = getDevice(db, idFromArn(arn, 'device'));
  if (!row) throw new A4bError('NotFoundException', `device ${arn} does not exist`);
  if ((options.registered ?? true) && row.status === 'DEREGISTERED') {
    throw new A4bError('DeviceNotRegisteredException', `device ${row.serial} is deregistered; RegisterDevice it again to manage it`);
  }
  return row;
}

/** The device a service method names by id (MQTT side): NotFound, or DeviceNotRegistered. */
export function requireDeviceById(db: Database, deviceId: string): DeviceView {
  return loadDevice(db, deviceArn(deviceId));
}

function statusDetails(row: DeviceRow): Array<{ Feature?: string; Code: string }> {
  const details: Array<{ Feature?: string; Code: string }> = [];
  if (row.status === 'WAS_OFFLINE') details.push({ Code: 'DEVICE_WAS_OFFLINE' });
  if (row.status_detail !== null) details.push({ Code: row.status_detail });
  if (row.sync_state === 'SYNC_NEEDED') details.push({ Feature: 'ALL', Code: 'SYNC_NEEDED' });
  return details;
}

/**
 * DeviceStatusInfo as A4B shapes it, plus two echosim fields: SyncStatus (SYNCED | PENDING |
 * SYNC_NEEDED) and SyncDetail (why the last delivery failed).
 */
function statusInfo(row: DeviceRow): Record<string, unknown> {
  return {
    DeviceStatusDetails: statusDetails(row),
    ConnectionStatus: row.connection_status,
    ...(row.connection_updated_at === null ? {} : { ConnectionStatusUpdatedTime: epochSeconds(row.connection_updated_at) }),
    SyncStatus: row.sync_state,
    ...(row.sync_detail === null ? {} : { SyncDetail: row.sync_detail }),
  };
}

function common(row: DeviceView): Record<string, unknown> {
  return {
    DeviceArn: deviceArn(row.serial),
    DeviceSerialNumber: row.serial,
    DeviceType: row.device_type,
    DeviceName: row.name,
    ...(row.software_version === null ? {} : { SoftwareVersion: row.software_version }),
    ...(row.mac_address === null ? {} : { MacAddress: row.mac_address }),
    ...(row.room_id === null ? {} : { RoomArn: makeArn('room', row.room_id) }),
    DeviceStatus: row.status,
    DeviceStatusInfo: statusInfo(row),
  };
}

/** GetDevice's Device. FlashDevice overrides are reported as flags, never their content. */
export function renderDevice(row: DeviceView): Record<string, unknown> {
  return {
    ...common(row),
    ...(row.network_profile_id === null ? {} : { NetworkProfileInfo: { NetworkProfileArn: makeArn('network-profile', row.network_profile_id) } }),
    FlashedProfiles: {
      RoomProfile: row.flash_room_profile !== null,
      NetworkProfile: row.flash_network_profile_enc !== null,
    },
  };
}

/** SearchDevices' DeviceData. */
export function renderDeviceData(row: DeviceView): Record<string, unknown> {
  return {
    ...common(row),
    ...(row.network_profile_id === null
      ? {}
      : { NetworkProfileArn: makeArn('network-profile', row.network_profile_id), NetworkProfileName: row.network_profile_name }),
    ...(row.room_name === null ? {} : { RoomName: row.room_name }),
    CreatedTime: epochSeconds(row.created_at),
  };
}

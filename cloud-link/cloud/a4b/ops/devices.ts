import { z } from 'zod';
import { RESERVED_USERNAMES } from '../../../protocol/topics.js';
import { generateSecret } from '../../secrets.js';
import { DEVICE_ID_PATTERN, deviceArn, idFromArn } from '../arn.js';
import { operation } from '../context.js';
import { DEVICE_QUERY, getDevice, loadDevice, renderDevice, renderDeviceData, type DeviceView } from '../device-rows.js';
import { A4bError } from '../errors.js';
import { loadNetworkProfile, loadRoom } from '../rows.js';
import { runSearch } from '../search.js';
import { ArnInput, invalidField, SearchFields, text } from '../validation.js';

/**
 * The device registry: RegisterDevice (echosim's stand-in for A4B's RegisterAVSDevice), GetDevice,
 * SearchDevices, UpdateDevice, DeleteDevice, AssociateDeviceWithRoom, DisassociateDeviceFromRoom,
 * AssociateDeviceWithNetworkProfile.
 *
 * A device is named by its serial number, which is also its MQTT client id and username; its
 * password is a random secret returned once by RegisterDevice and stored only as a hash. DeleteDevice
 * keeps the row as DEREGISTERED (history, a stable ARN) but revokes its credentials, associations,
 * overrides, shadow, unfinished jobs and recordings.
 */

const Serial = z
  .string()
  .regex(DEVICE_ID_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
  .refine((s) => !RESERVED_USERNAMES.includes(s), `is reserved for the cloud's own MQTT logins (${RESERVED_USERNAMES.join(', ')})`);
const MacAddress = z.string().regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, 'must be a MAC address like 00:11:22:33:44:55');

const RegisterDevice = operation(
  z.strictObject({
    DeviceSerialNumber: Serial,
    DeviceType: z.string().min(1).max(200),
    DeviceName: text(2, 100),
    RoomArn: ArnInput.optional(),
    NetworkProfileArn: ArnInput.optional(),
    MacAddress: MacAddress.optional(),
  }),
  (ctx, input) => {
    if (!ctx.deviceTypes.has(input.DeviceType)) {
      throw invalidField('DeviceType', `must be a device model: ${[...ctx.deviceTypes].sort().join(', ')}`);
    }
    const serial = input.DeviceSerialNumber;
    const existing = getDevice(ctx.db, serial);
    if (existing && existing.status !== 'DEREGISTERED') {
      throw new A4bError(
        'AlreadyExistsException',
        `device ${serial} is already registered; DeleteDevice it first to register it again with a new secret`,
      );
    }
    const roomId = input.RoomArn === undefined ? null : loadRoom(ctx.db, input.RoomArn).id;
    const networkId = input.NetworkProfileArn === undefined ? null : loadNetworkProfile(ctx.db, input.NetworkProfileArn).id;
    const secret = generateSecret();
    const { hash, brokerHash } = ctx.hashDeviceSecret(serial, secret);
    const now = ctx.now();
    if (existing) {
      // Re-registration keeps the row (its jobs' history, its shadow's version) and starts it afresh.
      ctx.db
        .prepare(
          `UPDATE devices SET device_type = ?, name = ?, mac_address = ?, software_version = NULL, room_id = ?, network_profile_id = ?,
             status = 'PENDING', status_detail = NULL, credential_hash = ?, broker_password_hash = ?, sync_state = 'PENDING',
             sync_failures = 0, sync_detail = NULL, updated_at = ?, deregistered_at = NULL
           WHERE serial = ?`,
        )
        .run(input.DeviceType, input.DeviceName, input.MacAddress ?? null, roomId, networkId, hash, brokerHash ?? null, now, serial);
    } else {
      ctx.db
        .prepare(
          `INSERT INTO devices (serial, device_type, name, mac_address, room_id, network_profile_id, status, connection_status,
             credential_hash, broker_password_hash, sync_state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 'OFFLINE', ?, ?, 'PENDING', ?, ?)`,
        )
        .run(serial, input.DeviceType, input.DeviceName, input.MacAddress ?? null, roomId, networkId, hash, brokerHash ?? null, now, now);
    }
    ctx.emit('device-registered', { deviceId: serial });
    ctx.desiredChanged([serial]);
    // The secret is returned this once and never stored: keep it (it is the device's MQTT password).
    return { DeviceArn: deviceArn(serial), Secret: secret };
  },
);

const GetDevice = operation(
  z.strictObject({ DeviceArn: ArnInput }),
  (ctx, input) => ({ Device: renderDevice(loadDevice(ctx.db, input.DeviceArn, { registered: false })) }),
  { readOnly: true },
);

const SearchDevices = operation(
  z.strictObject(SearchFields),
  (ctx, input) => {
    const sorts = {
      DeviceName: 'name',
      DeviceStatus: 'status',
      RoomName: 'room_name',
      DeviceType: 'device_type',
      DeviceSerialNumber: 'serial',
      ConnectionStatus: 'connection_status',
      NetworkProfileName: 'network_profile_name',
    };
    const page = runSearch<DeviceView>(
      ctx.db,
      'SearchDevices',
      {
        query: `SELECT * FROM (${DEVICE_QUERY})`,
        filters: {
          ...sorts,
          NetworkProfileArn: (values) => ({
            sql: values.map(() => 'network_profile_id = ?').join(' OR '),
            params: values.map((v) => safeId(v, 'network-profile')),
          }),
          UnassociatedOnly: (values) => ({ sql: values.includes('true') ? 'room_id IS NULL' : '1 = 1', params: [] }),
          DeviceStatusDetailCode: (values) => ({
            sql: values
              .map(() => `(status_detail = ? OR (? = 'SYNC_NEEDED' AND sync_state = 'SYNC_NEEDED') OR (? = 'DEVICE_WAS_OFFLINE' AND status = 'WAS_OFFLINE'))`)
              .join(' OR '),
            params: values.flatMap((v) => [v, v, v]),
          }),
        },
        sorts,
        order: 'name COLLATE NOCASE, serial',
      },
      input,
    );
    return { Devices: page.rows.map(renderDeviceData), TotalCount: page.total, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  },
  { readOnly: true },
);

function safeId(arn: string, type: 'network-profile'): string {
  try {
    return idFromArn(arn, type);
  } catch {
    return '\u0000';
  }
}

const UpdateDevice = operation(z.strictObject({ DeviceArn: ArnInput, DeviceName: text(2, 100).optional() }), (ctx, input) => {
  const row = loadDevice(ctx.db, input.DeviceArn);
  if (input.DeviceName !== undefined && input.DeviceName !== row.name) {
    ctx.db.prepare('UPDATE devices SET name = ?, updated_at = ? WHERE serial = ?').run(input.DeviceName, ctx.now(), row.serial);
  }
  return {};
});

const DeleteDevice = operation(z.strictObject({ DeviceArn: ArnInput }), (ctx, input) => {
  const row = loadDevice(ctx.db, input.DeviceArn);
  const now = ctx.now();
  ctx.db
    .prepare(
      `UPDATE devices SET status = 'DEREGISTERED', status_detail = NULL, credential_hash = NULL, broker_password_hash = NULL,
         room_id = NULL, network_profile_id = NULL, flash_room_profile = NULL, flash_network_profile_enc = NULL,
         connection_status = 'OFFLINE', connection_updated_at = ?, sync_state = 'SYNCED', sync_failures = 0, sync_detail = NULL,
         updated_at = ?, deregistered_at = ?
       WHERE serial = ?`,
    )
    .run(now, now, now, row.serial);
  ctx.jobs.cancelUnfinished(row.serial, 'device deregistered');
  ctx.shadows.delete(row.serial);
  const ids = ctx.recordings.deleteDevice(row.serial);
  ctx.emit('device-deregistered', { deviceId: row.serial });
  ctx.emit('recordings-deleted', { deviceId: row.serial, ids });
  return {};
});

const AssociateDeviceWithRoom = operation(z.strictObject({ DeviceArn: ArnInput, RoomArn: ArnInput }), (ctx, input) => {
  const row = loadDevice(ctx.db, input.DeviceArn);
  const room = loadRoom(ctx.db, input.RoomArn);
  if (row.room_id !== room.id) {
    ctx.db.prepare('UPDATE devices SET room_id = ?, updated_at = ? WHERE serial = ?').run(room.id, ctx.now(), row.serial);
    ctx.desiredChanged([row.serial]);
  }
  return {};
});

const DisassociateDeviceFromRoom = operation(z.strictObject({ DeviceArn: ArnInput }), (ctx, input) => {
  const row = loadDevice(ctx.db, input.DeviceArn);
  if (row.room_id !== null) {
    ctx.db.prepare('UPDATE devices SET room_id = NULL, updated_at = ? WHERE serial = ?').run(ctx.now(), row.serial);
    ctx.desiredChanged([row.serial]);
  }
  return {};
});

const AssociateDeviceWithNetworkProfile = operation(
  z.strictObject({ DeviceArn: ArnInput, NetworkProfileArn: ArnInput }),
  (ctx, input) => {
    const row = loadDevice(ctx.db, input.DeviceArn);
    const profile = loadNetworkProfile(ctx.db, input.NetworkProfileArn);
    if (row.network_profile_id !== profile.id) {
      ctx.db.prepare('UPDATE devices SET network_profile_id = ?, updated_at = ? WHERE serial = ?').run(profile.id, ctx.now(), row.serial);
      ctx.desiredChanged([row.serial]);
    }
    return {};
  },
);

export const deviceOperations = {
  RegisterDevice,
  GetDevice,
  SearchDevices,
  UpdateDevice,
  DeleteDevice,
  AssociateDeviceWithRoom,
  DisassociateDeviceFromRoom,
  AssociateDeviceWithNetworkProfile,
};

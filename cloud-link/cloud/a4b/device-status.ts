import type { OpContext } from './context.js';
import { DEVICE_STATUS_DETAIL_CODES, requireDeviceById, type ConnectionStatus, type SyncState } from './device-rows.js';
import { A4bError } from './errors.js';

/**
 * What the MQTT side tells the registry about a device: its connection (availability and last will),
 * whether a desired state reached it, and what it reports about itself. These keep DeviceStatus,
 * ConnectionStatus (with its time) and the "sync needed" detail of A4B.
 */

/** Failed desired-state deliveries in a row before a device is marked SYNC_NEEDED. */
export const DEFAULT_SYNC_FAILURE_LIMIT = 3;

const DETAIL_MAX = 200;

/**
 * Records that the device went ONLINE or OFFLINE at `at` (wall-clock ms). An event older than the
 * last one recorded is ignored (a late last will must not mark a reconnected device offline);
 * deregistered devices are ignored. ONLINE makes the device READY; OFFLINE turns READY into
 * WAS_OFFLINE. A device coming back with an undelivered desired state gets it again. Returns
 * whether the event was applied.
 */
export function setConnection(ctx: OpContext, deviceId: string, status: ConnectionStatus, at: number): boolean {
  if (status !== 'ONLINE' && status !== 'OFFLINE') throw new A4bError('ValidationException', 'connection status must be ONLINE or OFFLINE');
  if (!Number.isFinite(at)) throw new A4bError('ValidationException', 'connection time must be wall-clock milliseconds');
  let row;
  try {
    row = requireDeviceById(ctx.db, deviceId);
  } catch (err) {
    if (err instanceof A4bError && err.name === 'DeviceNotRegisteredException') return false;
    throw err;
  }
  if (row.connection_updated_at !== null && at < row.connection_updated_at) return false;
  const next = status === 'ONLINE' ? 'READY' : row.status === 'READY' ? 'WAS_OFFLINE' : row.status;
  ctx.db
    .prepare('UPDATE devices SET connection_status = ?, connection_updated_at = ?, status = ?, updated_at = ? WHERE serial = ?')
    .run(status, Math.round(at), next, ctx.now(), deviceId);
  if (status === 'ONLINE' && row.sync_state !== 'SYNCED') ctx.desiredChanged([deviceId], { resendOnly: true });
  return true;
}

export interface SyncOutcome {
  /** The desired state reached the device and it reported it applied. */
  ok: boolean;
  /** Why not: free text, or an A4B DeviceStatusDetailCode (e.g. INVALID_PASSWORD_STATE) shown in DeviceStatusDetails. */
  detail?: string;
}

export interface SyncReport {
  syncStatus: SyncState;
  failures: number;
}

/**
 * Records one delivery attempt of the device's desired state. Success clears the failure count and
 * any reported problem; after `limit` failures in a row the device is SYNC_NEEDED (A4B's "sync
 * needed"), which the next successful delivery clears.
 */
export function recordSync(ctx: OpContext, deviceId: string, outcome: SyncOutcome, limit: number): SyncReport {
  const row = requireDeviceById(ctx.db, deviceId);
  if (outcome.ok) {
    ctx.db
      .prepare(`UPDATE devices SET sync_state = 'SYNCED', sync_failures = 0, sync_detail = NULL, status_detail = NULL, updated_at = ? WHERE serial = ?`)
      .run(ctx.now(), deviceId);
    return { syncStatus: 'SYNCED', failures: 0 };
  }
  const failures = row.sync_failures + 1;
  const state: SyncState = failures >= limit ? 'SYNC_NEEDED' : 'PENDING';
  const detail = (outcome.detail ?? 'desired state not delivered').slice(0, DETAIL_MAX);
  const code = (DEVICE_STATUS_DETAIL_CODES as readonly string[]).includes(detail) ? detail : row.status_detail;
  ctx.db
    .prepare('UPDATE devices SET sync_state = ?, sync_failures = ?, sync_detail = ?, status_detail = ?, updated_at = ? WHERE serial = ?')
    .run(state, failures, detail, code, ctx.now(), deviceId);
  return { syncStatus: state, failures };
}

export interface DeviceInfo {
  SoftwareVersion?: string;
  MacAddress?: string;
}

/** Stores what the device reports about itself (firmware version, MAC address). */
export function reportDeviceInfo(ctx: OpContext, deviceId: string, info: DeviceInfo): void {
  requireDeviceById(ctx.db, deviceId);
  const version = info.SoftwareVersion === undefined ? undefined : String(info.SoftwareVersion).slice(0, 100);
  const mac = info.MacAddress === undefined ? undefined : String(info.MacAddress).slice(0, 64);
  ctx.db
    .prepare('UPDATE devices SET software_version = coalesce(?, software_version), mac_address = coalesce(?, mac_address), updated_at = ? WHERE serial = ?')
    .run(version ?? null, mac ?? null, ctx.now(), deviceId);
}

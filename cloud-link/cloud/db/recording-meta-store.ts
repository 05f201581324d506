import type { Database } from 'better-sqlite3';
import { A4bError } from '../a4b/errors.js';

/**
 * What the cloud knows about a kept utterance: never its audio (the files belong to the recording
 * store, and nothing reads them back through any API: recordings can be listed and deleted, never
 * played, downloaded or transcribed; docs/privacy.md#recordings).
 */
export interface RecordingMeta {
  id: string;
  deviceId: string;
  roomArn?: string;
  /** Wall-clock ms. */
  createdAt: number;
  bytes: number;
  durationMs: number;
  /** Whether cloud verification confirmed the wake word. */
  confirmed: boolean;
}

/** A row of the recordings table, as SQLite returns it. */
export interface RecordingRow {
  id: string;
  device_id: string;
  room_arn: string | null;
  created_at: number;
  bytes: number;
  duration_ms: number;
  confirmed: number;
}

const ID = /^[A-Za-z0-9_.-]{1,128}$/;

export function recordingFromRow(row: RecordingRow): RecordingMeta {
  return {
    id: row.id,
    deviceId: row.device_id,
    ...(row.room_arn === null ? {} : { roomArn: row.room_arn }),
    createdAt: row.created_at,
    bytes: row.bytes,
    durationMs: row.duration_ms,
    confirmed: row.confirmed === 1,
  };
}

export class RecordingMetaStore {
  constructor(private readonly db: Database) {}

  /** Records a kept utterance's metadata. The device must be registered; ids are unique. */
  add(meta: RecordingMeta): RecordingMeta {
    if (!ID.test(meta.id)) throw new A4bError('ValidationException', 'a recording id is 1-128 characters of A-Z a-z 0-9 _ . -');
    for (const [name, value] of [
      ['bytes', meta.bytes],
      ['durationMs', meta.durationMs],
      ['createdAt', meta.createdAt],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) throw new A4bError('ValidationException', `recording ${name} must be a non-negative integer`);
    }
    const device = this.db.prepare('SELECT status FROM devices WHERE serial = ?').get(meta.deviceId) as { status: string } | undefined;
    if (!device) throw new A4bError('NotFoundException', `device ${meta.deviceId} is not registered`);
    if (device.status === 'DEREGISTERED') throw new A4bError('DeviceNotRegisteredException', `device ${meta.deviceId} is deregistered`);
    try {
      this.db
        .prepare('INSERT INTO recordings (id, device_id, room_arn, created_at, bytes, duration_ms, confirmed) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(meta.id, meta.deviceId, meta.roomArn ?? null, meta.createdAt, meta.bytes, meta.durationMs, meta.confirmed ? 1 : 0);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new A4bError('AlreadyExistsException', `recording ${meta.id} already exists`);
      }
      throw err;
    }
    return { ...meta };
  }

  get(id: string): RecordingMeta | undefined {
    const row = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as RecordingRow | undefined;
    return row ? recordingFromRow(row) : undefined;
  }

  /** A device's recordings, oldest first. */
  list(deviceId: string): RecordingMeta[] {
    return (this.db.prepare('SELECT * FROM recordings WHERE device_id = ? ORDER BY created_at, id').all(deviceId) as RecordingRow[]).map(
      recordingFromRow,
    );
  }

  /** Every recording created before `cutoff` (wall-clock ms), for age-based retention sweeps. */
  listCreatedBefore(cutoff: number): RecordingMeta[] {
    return (this.db.prepare('SELECT * FROM recordings WHERE created_at < ? ORDER BY created_at, id').all(cutoff) as RecordingRow[]).map(
      recordingFromRow,
    );
  }

  /** Deletes the metadata of these recordings; returns the ones that existed (with their device). */
  delete(ids: readonly string[]): RecordingMeta[] {
    const tx = this.db.transaction((): RecordingMeta[] => {
      const deleted: RecordingMeta[] = [];
      const select = this.db.prepare('SELECT * FROM recordings WHERE id = ?');
      const remove = this.db.prepare('DELETE FROM recordings WHERE id = ?');
      for (const id of new Set(ids)) {
        const row = select.get(id) as RecordingRow | undefined;
        if (!row) continue;
        remove.run(id);
        deleted.push(recordingFromRow(row));
      }
      return deleted;
    });
    return tx.immediate();
  }

  /** Deletes every recording of a device; returns their ids. */
  deleteDevice(deviceId: string): string[] {
    const tx = this.db.transaction((): string[] => {
      const ids = (this.db.prepare('SELECT id FROM recordings WHERE device_id = ? ORDER BY created_at, id').all(deviceId) as Array<{ id: string }>).map(
        (r) => r.id,
      );
      this.db.prepare('DELETE FROM recordings WHERE device_id = ?').run(deviceId);
      return ids;
    });
    return tx.immediate();
  }
}

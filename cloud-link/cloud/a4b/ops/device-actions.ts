import { z } from 'zod';
import { deviceArn, makeArn, newResourceId } from '../arn.js';
import { epochSeconds, operation, type OpContext } from '../context.js';
import { devicesInRoom, flashNetworkContext } from '../desired-state.js';
import { assertDeviceAcceptsJob, assertDeviceAcceptsNetworkProfile, assertDeviceAcceptsRoomProfile, assertWakeWordCovered } from '../device-contract.js';
import { loadDevice } from '../device-rows.js';
import { A4bError } from '../errors.js';
import { idempotent } from '../idempotency.js';
import { NetworkProfileBody, redactNetworkProfile } from '../network-profile-schema.js';
import { Locale, RoomProfileBody } from '../profile-schema.js';
import { loadRoom } from '../rows.js';
import { runSearch } from '../search.js';
import { ArnInput, ClientRequestToken, Filters, formatPath, invalidField, type FilterInput } from '../validation.js';
import type { CloudJob, NewJob } from '../../db/job-store.js';
import { recordingFromRow, type RecordingMeta, type RecordingRow } from '../../db/recording-meta-store.js';

/**
 * What the API asks of devices: StartDeviceSync (reset by feature), DeleteDeviceUsageData,
 * SendAnnouncement, FlashDevice, and the recordings' metadata (ListDeviceRecordings, DeleteRecording;
 * there is deliberately no operation that returns audio).
 */

export const SYNC_FEATURES = ['BLUETOOTH', 'VOLUME', 'NOTIFICATIONS', 'LISTS', 'SKILLS', 'NETWORK_PROFILE', 'SETTINGS', 'ALL'] as const;
export const USAGE_DATA_DELETION_INTERVAL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_ANNOUNCEMENT_TTL_S = 300;

function queue(ctx: OpContext, deviceId: string, job: NewJob): CloudJob {
  const created = ctx.jobs.create(deviceId, job);
  assertDeviceAcceptsJob(created);
  ctx.emit('job-created', { deviceId, job: created });
  return created;
}

const StartDeviceSync = operation(
  z.strictObject({ RoomArn: ArnInput.optional(), DeviceArn: ArnInput.optional(), Features: z.array(z.enum(SYNC_FEATURES)).min(1) }),
  (ctx, input) => {
    if ((input.RoomArn === undefined) === (input.DeviceArn === undefined)) {
      throw invalidField('DeviceArn', 'give either DeviceArn or RoomArn');
    }
    const devices =
      input.DeviceArn !== undefined ? [loadDevice(ctx.db, input.DeviceArn).serial] : devicesInRoom(ctx.db, loadRoom(ctx.db, input.RoomArn ?? '').id);
    const features = [...new Set(input.Features)];
    for (const serial of devices) queue(ctx, serial, { operation: 'reset', parameters: { Features: features } });
    // a reset device takes its settings from the cloud again: re-send its desired state
    ctx.desiredChanged(devices);
    return {};
  },
);

const DeleteDeviceUsageData = operation(z.strictObject({ DeviceArn: ArnInput, DeviceUsageType: z.enum(['VOICE']) }), (ctx, input) => {
  const device = loadDevice(ctx.db, input.DeviceArn);
  const now = ctx.now();
  const last = ctx.db
    .prepare('SELECT max(deleted_at) AS at FROM usage_data_deletions WHERE device_id = ?')
    .get(device.serial) as { at: number | null };
  if (last.at !== null && now - last.at < USAGE_DATA_DELETION_INTERVAL_MS) {
    const again = new Date(last.at + USAGE_DATA_DELETION_INTERVAL_MS).toISOString();
    throw new A4bError('LimitExceededException', `usage data of ${device.serial} can be deleted once every 24 hours; next at ${again}`);
  }
  ctx.db.prepare('INSERT INTO usage_data_deletions (device_id, deleted_at) VALUES (?, ?)').run(device.serial, now);
  const ids = ctx.recordings.deleteDevice(device.serial);
  ctx.emit('recordings-deleted', { deviceId: device.serial, ids });
  queue(ctx, device.serial, { operation: 'delete-recordings', parameters: { DeviceUsageType: input.DeviceUsageType } });
  return {};
});

const Message = z.strictObject({ Locale, Value: z.string().min(1).max(4096) });
const SendAnnouncementInput = z.strictObject({
  RoomFilters: Filters,
  Content: z.strictObject({
    TextList: z.array(Message).max(1).optional(),
    SsmlList: z.array(Message).max(1).optional(),
    AudioList: z.array(z.unknown()).optional(),
  }),
  TimeToLiveInSeconds: z.int().min(1).max(3600).optional(),
  ClientRequestToken,
});

const ROOM_FILTERS: Record<string, string> = {
  RoomName: 'r.name',
  ProfileName: 'coalesce(p.name, dp.name)',
  RoomArn: `'${makeArn('room', '')}' || r.id`,
  ProfileArn: `'${makeArn('profile', '')}' || coalesce(p.id, dp.id)`,
};

function roomsMatching(ctx: OpContext, filters: FilterInput[]): string[] {
  const conditions: string[] = [];
  const params: string[] = [];
  filters.forEach((filter, i) => {
    const column = ROOM_FILTERS[filter.Key];
    if (column === undefined) throw invalidField(`RoomFilters[${i}].Key`, `must be one of ${Object.keys(ROOM_FILTERS).join(', ')}`);
    conditions.push(`${column} IN (${filter.Values.map(() => '?').join(', ')})`);
    params.push(...filter.Values);
  });
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = ctx.db
    .prepare(
      `SELECT r.id FROM rooms r LEFT JOIN room_profiles p ON p.id = r.profile_id
       LEFT JOIN room_profiles dp ON r.profile_id IS NULL AND dp.is_default = 1 ${where} ORDER BY r.name`,
    )
    .all(...params) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

const SendAnnouncement = operation(SendAnnouncementInput, (ctx, input) => {
  const { TextList, SsmlList, AudioList } = input.Content;
  if (AudioList !== undefined) throw invalidField('Content.AudioList', 'audio announcements are not supported; send TextList or SsmlList');
  const given = [TextList, SsmlList].filter((l) => l !== undefined && l.length > 0);
  if (given.length !== 1) throw invalidField('Content', 'must hold exactly one of TextList or SsmlList, with one message');
  return idempotent(ctx, 'SendAnnouncement', input.ClientRequestToken, input, () => {
    const ttl = input.TimeToLiveInSeconds ?? DEFAULT_ANNOUNCEMENT_TTL_S;
    const arn = makeArn('announcement', newResourceId());
    const message = TextList?.[0] ?? SsmlList?.[0];
    const parameters = { ...(TextList?.[0] ? { Text: message?.Value } : { Ssml: message?.Value }), Locale: message?.Locale, TtlSeconds: ttl };
    const expiresAt = ctx.now() + ttl * 1000;
    for (const roomId of roomsMatching(ctx, input.RoomFilters)) {
      for (const serial of devicesInRoom(ctx.db, roomId)) queue(ctx, serial, { operation: 'announce', parameters, source: arn, expiresAt });
    }
    return { AnnouncementArn: arn };
  });
});

/** FlashDevice's profiles are validated as complete bodies; null removes an override. */
const FlashDevice = operation(
  z.strictObject({ DeviceArn: ArnInput, RoomProfile: z.unknown().optional(), NetworkProfile: z.unknown().optional() }),
  (ctx, input) => {
    const device = loadDevice(ctx.db, input.DeviceArn);
    if (input.RoomProfile === undefined && input.NetworkProfile === undefined) {
      throw invalidField('RoomProfile', 'give RoomProfile and/or NetworkProfile (null removes a flashed profile)');
    }
    const result: Record<string, unknown> = { DeviceArn: deviceArn(device.serial) };
    if (input.RoomProfile !== undefined) {
      const room = input.RoomProfile === null ? null : nested('RoomProfile', RoomProfileBody, input.RoomProfile);
      if (room !== null) {
        assertDeviceAcceptsRoomProfile(room);
        assertWakeWordCovered(room.WakeWord, ctx.wakeWords);
      }
      ctx.db.prepare('UPDATE devices SET flash_room_profile = ? WHERE serial = ?').run(room === null ? null : JSON.stringify(room), device.serial);
      result.RoomProfile = room;
    }
    if (input.NetworkProfile !== undefined) {
      const net = input.NetworkProfile === null ? null : nested('NetworkProfile', NetworkProfileBody, input.NetworkProfile);
      if (net !== null) assertDeviceAcceptsNetworkProfile(net);
      const sealed = net === null ? null : ctx.box.seal(JSON.stringify(net), flashNetworkContext(device.serial));
      ctx.db.prepare('UPDATE devices SET flash_network_profile_enc = ? WHERE serial = ?').run(sealed, device.serial);
      result.NetworkProfile = net === null ? null : redactNetworkProfile(net);
    }
    ctx.db.prepare('UPDATE devices SET updated_at = ? WHERE serial = ?').run(ctx.now(), device.serial);
    ctx.desiredChanged([device.serial]);
    return result;
  },
);

/** Validates a nested body, reporting paths under its field name. */
function nested<S extends z.ZodType>(field: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((i) => `${formatPath([field, ...i.path])}: ${i.message}`);
  const n = parsed.error.issues.length;
  throw new A4bError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${issues.join('; ')}`);
}

const ListDeviceRecordings = operation(
  z.strictObject({ DeviceArn: ArnInput, MaxResults: z.int().min(1).max(50).optional(), NextToken: z.string().min(1).max(1100).optional() }),
  (ctx, input) => {
    const device = loadDevice(ctx.db, input.DeviceArn, { registered: false });
    const page = runSearch<RecordingRow>(
      ctx.db,
      `ListDeviceRecordings ${device.serial}`,
      { query: 'SELECT * FROM recordings', where: 'device_id = ?', whereParams: [device.serial], filters: {}, sorts: {}, order: 'created_at, id' },
      input,
    );
    const Recordings = page.rows.map(recordingFromRow).map((r) => ({
      RecordingId: r.id,
      DeviceArn: deviceArn(r.deviceId),
      ...(r.roomArn === undefined ? {} : { RoomArn: r.roomArn }),
      CreatedTime: epochSeconds(r.createdAt),
      SizeInBytes: r.bytes,
      DurationInMilliseconds: r.durationMs,
      Confirmed: r.confirmed,
    }));
    return { Recordings, TotalCount: page.total, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  },
  { readOnly: true },
);

const DeleteRecording = operation(z.strictObject({ RecordingId: z.string().min(1).max(128) }), (ctx, input) => {
  const deleted: RecordingMeta[] = ctx.recordings.delete([input.RecordingId]);
  const meta = deleted[0];
  if (!meta) throw new A4bError('NotFoundException', `recording ${input.RecordingId} does not exist`);
  ctx.emit('recordings-deleted', { deviceId: meta.deviceId, ids: [meta.id] });
  return {};
});

export const deviceActionOperations = {
  StartDeviceSync,
  DeleteDeviceUsageData,
  SendAnnouncement,
  FlashDevice,
  ListDeviceRecordings,
  DeleteRecording,
};


import { z } from 'zod';
import { DEVICE_STATES } from '../../../cloud-link/protocol/device-states.js';
import { MAX_VIEWED_DEVICES } from './limits.js';

/**
 * The cloud page's WebSocket API (`echosim cloud --web`, docs/web.md). A client first sends `auth`
 * with the API's admin token (the same credential as the HTTP API, behind the same login back-off);
 * the server then sends one `snapshot` of the fleet, rooms and profiles and keeps it current with
 * `devices` (changed rows) and `rings` (live ring thumbnails of the rows the client has in view).
 * Commands run the same Alexa for Business operations as the HTTP API. Nothing the server sends
 * carries a secret or audio: recordings are listed by their metadata only.
 */

const Arn = z.string().min(1).max(1100);
const DeviceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const RequestId = z.int().min(0).max(2 ** 31).meta({ description: "The client's number for a command, echoed in its `result`." });
const Hex = z.string().regex(/^#[0-9a-f]{6}$/);
const SyncFeature = z.enum(['BLUETOOTH', 'VOLUME', 'NOTIFICATIONS', 'LISTS', 'SKILLS', 'NETWORK_PROFILE', 'SETTINGS', 'ALL']);

export const FleetRowSchema = z
  .strictObject({
    deviceId: DeviceId,
    arn: Arn,
    name: z.string(),
    deviceType: z.string(),
    room: z.string().optional(),
    roomArn: Arn.optional(),
    connection: z.enum(['ONLINE', 'OFFLINE', 'UNKNOWN']),
    lastSeen: z.number().optional().meta({ description: 'When the connection status last changed, epoch seconds.' }),
    sync: z.enum(['SYNCED', 'PENDING', 'SYNC_NEEDED']),
    syncDetail: z.string().optional(),
    state: z.enum(DEVICE_STATES).optional().meta({ description: 'The last state the device reported in its telemetry.' }),
  })
  .meta({ title: 'FleetRow', description: 'One device of the fleet table.' });

const Room = z.strictObject({ arn: Arn, name: z.string(), profileArn: Arn.optional(), profileName: z.string().optional() });
const Profile = z.strictObject({ arn: Arn, name: z.string() });
const Recording = z.strictObject({
  recordingId: z.string(), createdTime: z.number(), durationMs: z.number(), sizeBytes: z.number(), confirmed: z.boolean().nullable(),
});

export const CloudServerMessageSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('snapshot'), protocol: z.literal(1), devices: z.array(FleetRowSchema), rooms: z.array(Room), profiles: z.array(Profile),
    }),
    z.strictObject({ type: z.literal('devices'), devices: z.array(FleetRowSchema).meta({ description: 'Rows that changed since the last message.' }) }),
    z.strictObject({ type: z.literal('removed'), deviceIds: z.array(DeviceId) }),
    z.strictObject({ type: z.literal('rooms'), rooms: z.array(Room), profiles: z.array(Profile) }),
    z.strictObject({
      type: z.literal('rings'),
      rings: z.array(z.strictObject({ deviceId: DeviceId, leds: z.array(Hex).min(1).max(64) })).meta({ description: 'Thumbnails of the rows in view that changed.' }),
    }),
    z.strictObject({ type: z.literal('result'), id: RequestId, ok: z.literal(true), recordings: z.array(Recording).optional() }),
    z.strictObject({ type: z.literal('result'), id: RequestId, ok: z.literal(false), code: z.string(), message: z.string() }),
    z.strictObject({ type: z.literal('error'), code: z.string(), message: z.string() }),
  ])
  .meta({ title: 'CloudServerMessage', description: 'What the cloud socket sends once the client is authenticated.' });

export const CloudClientCommandSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(256).meta({ description: "The API's admin token (the first message; nothing else is accepted before it)." }) }),
    z.strictObject({ type: z.literal('view'), deviceIds: z.array(DeviceId).max(MAX_VIEWED_DEVICES).meta({ description: 'The rows in view: their ring thumbnails are sent live.' }) }),
    z.strictObject({ type: z.literal('apply-profile'), id: RequestId, roomArn: Arn, profileArn: Arn }),
    z.strictObject({ type: z.literal('reset-device'), id: RequestId, deviceArn: Arn, features: z.array(SyncFeature).min(1).max(8) }),
    z.strictObject({ type: z.literal('list-recordings'), id: RequestId, deviceArn: Arn }),
  ])
  .meta({ title: 'CloudClientCommand', description: 'A JSON command to the cloud socket.' });

export type FleetRow = z.infer<typeof FleetRowSchema>;
export type CloudServerMessage = z.infer<typeof CloudServerMessageSchema>;
export type CloudClientCommand = z.infer<typeof CloudClientCommandSchema>;
